using System.Globalization;
using System.Text;
using UnitsNet;

namespace Appliance.Drivers.Chips.Bme280;

/// <summary>One compensated BME280 reading, in SI-style units (NaN for a channel whose oversampling is "skipped").</summary>
/// <param name="TemperatureC">Temperature in °C.</param>
/// <param name="PressurePa">Pressure in Pa.</param>
/// <param name="HumidityPct">Relative humidity in %RH (0..100).</param>
public readonly record struct Bme280Reading(double TemperatureC, double PressurePa, double HumidityPct)
{
    /// <summary>The temperature as a UnitsNet quantity (from <see cref="TemperatureC"/>, degrees Celsius).</summary>
    public Temperature Temperature => Temperature.FromDegreesCelsius(TemperatureC);

    /// <summary>The pressure as a UnitsNet quantity (from <see cref="PressurePa"/>, pascals).</summary>
    public Pressure Pressure => Pressure.FromPascals(PressurePa);

    /// <summary>The relative humidity as a UnitsNet quantity (from <see cref="HumidityPct"/>, percent).</summary>
    public RelativeHumidity Humidity => RelativeHumidity.FromPercent(HumidityPct);

    /// <summary>
    /// The reading as one JSON object, <c>{"temperature_c":25.08,"pressure_pa":100653.27,"humidity_pct":54.29}</c> (what
    /// <c>appliance read bme280 --json</c> prints): each value rounded half away from zero to 2 decimals — the datasheet's
    /// temperature resolution (BST-BME280-DS002 4.2.3: 0.01 °C) and finer than its pressure and humidity noise (table 1:
    /// 0.2 Pa, 0.02 %RH at the highest oversampling); a NaN channel is <c>null</c>.
    /// </summary>
    /// <returns>The JSON text, invariant culture, no spaces.</returns>
    public string ToJson() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"temperature_c\":{Number(TemperatureC)},\"pressure_pa\":{Number(PressurePa)},\"humidity_pct\":{Number(HumidityPct)}}}");

    /// <summary>
    /// The members <see cref="ToString"/> prints: the three values only (<c>Bme280Reading { TemperatureC = 25.08, PressurePa =
    /// 100653.27, HumidityPct = 54.29 }</c>). The compiler's version would print the UnitsNet properties too, and a quantity's
    /// ToString reaches UnitsNet's abbreviation cache, which holds every quantity of UnitsNet: 2.4 MiB of the Native AOT
    /// binary for a debugging string (docs/footprint.md).
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"TemperatureC = {TemperatureC}, PressurePa = {PressurePa}, HumidityPct = {HumidityPct}");
        return true;
    }

    private static string Number(double value) =>
        double.IsFinite(value) ? Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture) : "null";
}
