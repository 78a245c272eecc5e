namespace Appliance.Drivers.Tests.TestSupport;

/// <summary>
/// The worked example of Bosch BST-BMP280-DS001 section 3.12 ("Compensation formula example"), which the BME280 shares for
/// temperature and pressure: dig_T1..T3 = 27504, 26435, -1000; dig_P1..P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000;
/// adc_T = 519888 -> t_fine = 128422.2869, T = 25.08 °C; adc_P = 415148 -> p = 100653.27 Pa (double formula) or 100653.25 Pa
/// (64-bit integer formula, 25767236 / 256). Humidity: dig_H1..H6 = 75, 362, 0, 315, 50, 30 and adc_H = 30000 give 54.29 %RH
/// with the BME280 double formula (BST-BME280-DS002 8.1) and 54.285 %RH with the 32-bit integer formula (4.2.3: 55587 / 1024).
/// </summary>
internal static class DatasheetExample
{
    public const int AdcT = 519888;   // registers 0xFA..0xFC = 7E ED 00
    public const int AdcP = 415148;   // registers 0xF7..0xF9 = 65 5A C0
    public const int AdcH = 30000;    // registers 0xFD..0xFE = 75 30

    public static Bme280RawSample Raw => new(AdcT, AdcP, AdcH);
}
