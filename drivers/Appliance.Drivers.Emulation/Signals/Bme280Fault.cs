namespace Appliance.Drivers.Emulation;

/// <summary>A physical fault that <see cref="Bme280PhysicalModel.InjectFault"/> can put into the measured environment.</summary>
public enum Bme280Fault
{
    /// <summary>
    /// A heater next to the sensor switches on: temperature steps up by <see cref="Bme280PhysicalModel.HeaterStepC"/> (+15 °C)
    /// for the whole fault window, then steps back. Pressure and humidity are unchanged.
    /// </summary>
    HeaterStep,
}
