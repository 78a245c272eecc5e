namespace Appliance.Drivers.Chips.Bme280;

/// <summary>
/// One BME280 conversion as the chip's ADCs produce it, before compensation
/// (Bosch BST-BME280-DS002, section 4.2.3 and table 18: adc_T and adc_P are 20-bit unsigned, adc_H is 16-bit unsigned).
/// </summary>
/// <param name="AdcT">Raw temperature, 0..0xFFFFF (registers 0xFA..0xFC, msb/lsb/xlsb[7:4]).</param>
/// <param name="AdcP">Raw pressure, 0..0xFFFFF (registers 0xF7..0xF9, msb/lsb/xlsb[7:4]).</param>
/// <param name="AdcH">Raw humidity, 0..0xFFFF (registers 0xFD..0xFE, msb/lsb).</param>
public readonly record struct Bme280RawSample(int AdcT, int AdcP, int AdcH)
{
    /// <summary>Largest 20-bit code (adc_T, adc_P).</summary>
    public const int Max20Bit = 0xFFFFF;

    /// <summary>Largest 16-bit code (adc_H).</summary>
    public const int Max16Bit = 0xFFFF;

    /// <summary>
    /// Checks that every code fits its ADC width.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A code is negative or wider than its ADC (20 bits for T and P, 16 bits for H).</exception>
    public void Validate()
    {
        if ((uint)AdcT > Max20Bit)
        {
            throw new ArgumentOutOfRangeException(nameof(AdcT), AdcT, "adc_T must be a 20-bit code (0..1048575), BST-BME280-DS002 section 4.2.3.");
        }

        if ((uint)AdcP > Max20Bit)
        {
            throw new ArgumentOutOfRangeException(nameof(AdcP), AdcP, "adc_P must be a 20-bit code (0..1048575), BST-BME280-DS002 section 4.2.3.");
        }

        if ((uint)AdcH > Max16Bit)
        {
            throw new ArgumentOutOfRangeException(nameof(AdcH), AdcH, "adc_H must be a 16-bit code (0..65535), BST-BME280-DS002 section 4.2.3.");
        }
    }
}
