using System.Globalization;
using Appliance.Kernels.Spectral;
using Tomlyn.Model;

namespace Appliance.Contracts.Config;

/// <summary>A sensor's <c>spectral = { ... }</c> table: what <see cref="WelchEstimator"/> computes for each window.</summary>
/// <param name="Options">The estimator's options (validated against the sensor's rate).</param>
/// <param name="Channels">The channels to analyse by name; null for every channel of the sensor.</param>
public sealed record SpectralSettings(SpectralOptions Options, IReadOnlyList<string>? Channels)
{
    /// <summary>Whether the channel named <paramref name="channel"/> is analysed.</summary>
    public bool Covers(string channel) => Channels is null || Channels.Contains(channel, StringComparer.Ordinal);
}

/// <summary>Reads and checks <c>spectral</c> tables (keys: size, window, bands, envelope, envelope_hz,
/// envelope_tolerance_hz, envelope_harmonics, channels).</summary>
internal static class SpectralConfig
{
    private static readonly string[] s_keys = ["size", "window", "bands", "envelope", "envelope_hz", "envelope_tolerance_hz", "envelope_harmonics", "channels"];

    /// <summary>The sensor's spectral settings, or null when it has no <c>spectral</c> key.</summary>
    /// <param name="s">The <c>[[sensor]]</c> table.</param>
    /// <param name="name">The sensor's name, for messages.</param>
    /// <param name="rate">The sensor's rate in Hz (bands must lie within its Nyquist frequency).</param>
    /// <param name="sensorChannels">The chip's channel names; null for a replay (checked when the replay opens).</param>
    /// <exception cref="ConfigException">A key is unknown or out of range (the message names sensor.spectral.KEY).</exception>
    public static SpectralSettings? Read(TableReader s, string name, double rate, IReadOnlyList<string>? sensorChannels)
    {
        if (!s.Has("spectral"))
        {
            return null;
        }

        var t = s.Table("spectral", required: false);
        t.RejectUnknown(s_keys);
        var window = t.String("window", required: false) ?? "hann";
        var function = window switch
        {
            "hann" => WindowFunction.Hann,
            "none" => WindowFunction.None,
            _ => throw Fail(s, name, $"window = {Kernels.Text.QuotedText.Quote(window)}: expected \"hann\" or \"none\""),
        };
        var options = new SpectralOptions
        {
            Size = (int)t.Integer("size", 4096, int.MinValue, int.MaxValue),
            Window = function,
            Bands = Bands(s, name, t.Raw("bands")),
            Envelope = t.Boolean("envelope", false),
            EnvelopeHz = t.Has("envelope_hz") ? t.Number("envelope_hz", null, double.MinValue, double.MaxValue) : double.NaN,
            EnvelopeToleranceHz = t.Has("envelope_tolerance_hz") ? t.Number("envelope_tolerance_hz", null, double.MinValue, double.MaxValue) : double.NaN,
            EnvelopeHarmonics = (int)t.Integer("envelope_harmonics", 1, int.MinValue, int.MaxValue),
        };
        if (options.Validate(rate) is { } error)
        {
            throw Fail(s, name, error);
        }

        var channels = t.StringArray("channels");
        if (channels is not null && sensorChannels is not null)
        {
            foreach (var c in channels)
            {
                if (!sensorChannels.Contains(c, StringComparer.Ordinal))
                {
                    throw Fail(s, name, $"channels: {Kernels.Text.QuotedText.Quote(c)} is not a channel of this sensor (expected some of: {string.Join(", ", sensorChannels)})");
                }
            }
        }

        return new SpectralSettings(options, channels);
    }

    /// <summary>Checks that a window holds at least one frame: length·rate ≥ size.</summary>
    /// <exception cref="ConfigException">It does not.</exception>
    public static void CheckWindow(TableReader s, string name, SpectralSettings spectral, double rate, TimeSpan length)
    {
        double samples = length.TotalSeconds * rate;
        if (samples < spectral.Options.Size)
        {
            throw Fail(s, name, string.Create(CultureInfo.InvariantCulture, $"size: a window of {length.TotalSeconds} s at {rate} Hz holds {Math.Floor(samples)} samples, fewer than size = {spectral.Options.Size} (lengthen [window] length or lower size)"));
        }
    }

    private static ConfigException Fail(TableReader s, string name, string detail) =>
        s.Error("spectral", $"sensor {Kernels.Text.QuotedText.Quote(name)} spectral.{detail}");

    private static List<(double Low, double High)> Bands(TableReader s, string name, object? raw)
    {
        var bands = new List<(double Low, double High)>();
        if (raw is null)
        {
            return bands;
        }

        if (raw is not TomlArray array)
        {
            throw Fail(s, name, "bands: expected an array of [low, high] pairs in Hz ([[10, 100], [100, 500]])");
        }

        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not TomlArray pair || pair.Count != 2 || Hz(pair[0]) is not { } low || Hz(pair[1]) is not { } high)
            {
                throw Fail(s, name, $"bands[{i}]: expected a pair [low, high] of numbers in Hz");
            }

            bands.Add((low, high));
        }

        return bands;
    }

    private static double? Hz(object? v) => v switch
    {
        long n => n,
        double d => d,
        _ => null,
    };
}
