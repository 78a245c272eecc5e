namespace Appliance.Drivers.Chips.Bme280;

/// <summary>BME280 oversampling and measurement time (Bosch BST-BME280-DS002), shared by the driver and its emulator.</summary>
public static class Bme280Timing
{
    /// <summary>
    /// The maximum measurement time, BST-BME280-DS002 Appendix B (9.1):
    /// t_measure,max = 1.25 + [2.3 · T] + [2.3 · P + 0.575] + [2.3 · H + 0.575] ms, where T, P, H are the oversampling
    /// factors (1, 2, 4, 8, 16) and a bracket is dropped when its measurement is skipped (factor 0).
    /// </summary>
    /// <param name="oversamplingT">Temperature oversampling factor, 0 when skipped.</param>
    /// <param name="oversamplingP">Pressure oversampling factor, 0 when skipped.</param>
    /// <param name="oversamplingH">Humidity oversampling factor, 0 when skipped.</param>
    /// <returns>Milliseconds.</returns>
    public static double MaxMeasurementTimeMs(int oversamplingT, int oversamplingP, int oversamplingH)
    {
        double t = 1.25;
        t += oversamplingT > 0 ? 2.3 * oversamplingT : 0.0;
        t += oversamplingP > 0 ? (2.3 * oversamplingP) + 0.575 : 0.0;
        t += oversamplingH > 0 ? (2.3 * oversamplingH) + 0.575 : 0.0;
        return t;
    }

    /// <summary>
    /// The oversampling factor of an osrs_x field (section 5.4.3/5.4.5, tables 20, 23, 24): 000 skipped, 001 x1, 010 x2,
    /// 011 x4, 100 x8, 101 and above x16.
    /// </summary>
    /// <param name="osrs">The 3-bit field.</param>
    /// <returns>0, 1, 2, 4, 8 or 16.</returns>
    public static int OversamplingFactor(int osrs) => (osrs & 0x07) switch
    {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        4 => 8,
        _ => 16,
    };
}
