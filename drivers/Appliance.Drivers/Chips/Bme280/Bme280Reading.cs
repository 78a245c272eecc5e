namespace Appliance.Drivers.Chips.Bme280;

/// <summary>One compensated BME280 reading, in SI-style units (NaN for a channel whose oversampling is "skipped").</summary>
/// <param name="TemperatureC">Temperature in °C.</param>
/// <param name="PressurePa">Pressure in Pa.</param>
/// <param name="HumidityPct">Relative humidity in %RH (0..100).</param>
public readonly record struct Bme280Reading(double TemperatureC, double PressurePa, double HumidityPct);
