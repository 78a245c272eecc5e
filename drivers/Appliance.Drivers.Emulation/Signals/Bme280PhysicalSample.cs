namespace Appliance.Drivers.Emulation;

/// <summary>The physical values a <see cref="Bme280PhysicalModel"/> presents to the sensor at one instant.</summary>
/// <param name="TemperatureC">Air temperature in °C.</param>
/// <param name="PressurePa">Barometric pressure in Pa.</param>
/// <param name="HumidityPct">Relative humidity in %RH.</param>
public readonly record struct Bme280PhysicalSample(double TemperatureC, double PressurePa, double HumidityPct);
