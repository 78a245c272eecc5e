using System.Diagnostics.CodeAnalysis;
using Appliance.Drivers.Buses;

namespace Appliance.Contracts.Config;

/// <summary>The fault of <c>fault = "KIND:START+LENGTH"</c>, injected into an emulated chip.</summary>
public enum FaultKind
{
    /// <summary><c>heater</c>: a +15 °C step of an emulated BME280's temperature (its physical model).</summary>
    Heater,

    /// <summary><c>bearing</c>: an outer-race defect of the bearing an emulated ADXL345 is mounted on, appearing at START and growing
    /// to its full impact amplitude over LENGTH (<c>BearingVibrationSignal</c>; a healthy bearing before START).</summary>
    Bearing,

    /// <summary><c>nack</c>: the chip does not acknowledge (<see cref="BusFaultKind.Nack"/>).</summary>
    Nack,

    /// <summary><c>timeout</c>: transfers hang, then fail (<see cref="BusFaultKind.Timeout"/>).</summary>
    Timeout,

    /// <summary><c>stuck</c>: the measurement registers stop updating (<see cref="BusFaultKind.StuckValue"/>).</summary>
    Stuck,

    /// <summary><c>chipid</c>: the chip id register reads another id (<see cref="BusFaultKind.WrongChipId"/>).</summary>
    ChipId,

    /// <summary><c>bitflip</c>: reads of one register come back with bits inverted (<see cref="BusFaultKind.BitFlip"/>).</summary>
    BitFlip,
}

/// <summary>The configuration words of <see cref="FaultKind"/>, and the bus fault each one injects: the one place they are spelled.</summary>
public static class FaultKinds
{
    private static readonly (string Word, FaultKind Kind, BusFaultKind? Bus)[] s_kinds =
    [
        ("heater", FaultKind.Heater, null),
        ("bearing", FaultKind.Bearing, null),
        ("nack", FaultKind.Nack, BusFaultKind.Nack),
        ("timeout", FaultKind.Timeout, BusFaultKind.Timeout),
        ("stuck", FaultKind.Stuck, BusFaultKind.StuckValue),
        ("chipid", FaultKind.ChipId, BusFaultKind.WrongChipId),
        ("bitflip", FaultKind.BitFlip, BusFaultKind.BitFlip),
    ];

    /// <summary>The words, comma-separated, in the enum's order (<c>heater, bearing, nack, timeout, stuck, chipid, bitflip</c>).</summary>
    public static string Words => string.Join(", ", s_kinds.Select(k => k.Word));

    /// <summary>Parses a configuration word.</summary>
    /// <param name="word">The word (<c>nack</c>).</param>
    /// <param name="kind">The fault when the word names one.</param>
    /// <returns>True when it does.</returns>
    public static bool TryParse(string? word, out FaultKind kind)
    {
        foreach (var k in s_kinds)
        {
            if (k.Word == word)
            {
                kind = k.Kind;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The configuration word of a fault.</summary>
    /// <param name="kind">The fault.</param>
    /// <returns>The word.</returns>
    public static string Word(this FaultKind kind) => s_kinds.First(k => k.Kind == kind).Word;

    /// <summary>The bus fault an emulated chip injects for <paramref name="kind"/>; null for <see cref="FaultKind.Heater"/> and
    /// <see cref="FaultKind.Bearing"/>, which are faults of what the chip measures, not of its bus.</summary>
    /// <param name="kind">The fault.</param>
    /// <param name="bus">The bus fault.</param>
    /// <returns>True when <paramref name="kind"/> is a bus fault.</returns>
    public static bool TryGetBusFault(this FaultKind kind, [NotNullWhen(true)] out BusFaultKind? bus)
    {
        bus = s_kinds.First(k => k.Kind == kind).Bus;
        return bus is not null;
    }
}
