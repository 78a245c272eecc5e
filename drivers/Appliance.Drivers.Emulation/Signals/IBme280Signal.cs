namespace Appliance.Drivers.Emulation;

/// <summary>
/// What a <see cref="Bme280Emulator"/> measures: supplies the raw ADC codes of one conversion.
/// </summary>
public interface IBme280Signal
{
    /// <summary>
    /// Returns the raw codes of the conversion that starts at <paramref name="timeNs"/>.
    /// </summary>
    /// <param name="timeNs">Start of the conversion, Unix nanoseconds (UTC), from the emulator's clock.</param>
    /// <returns>adc_T and adc_P as 20-bit codes, adc_H as a 16-bit code.</returns>
    Bme280RawSample Next(long timeNs);
}
