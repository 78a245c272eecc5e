namespace Appliance.Drivers.Chips.Bme280;

/// <summary>
/// The BME280 compensation formulas in double precision, exactly as Bosch BST-BME280-DS002 section 8.1
/// ("Compensation formulas in double precision floating point") gives them. <see cref="Bme280Sensor"/> computes its readings
/// with them; the physical model uses them to turn physical values back into raw codes.
/// </summary>
public static class Bme280Compensation
{
    /// <summary>
    /// Temperature from adc_T (section 8.1, <c>BME280_compensate_T_double</c>).
    /// </summary>
    /// <param name="adcT">Raw 20-bit temperature code.</param>
    /// <param name="calibration">dig_T1..dig_T3.</param>
    /// <param name="tFine">Receives t_fine (unrounded), the fine temperature the P and H formulas take.</param>
    /// <returns>Temperature in °C.</returns>
    public static double Temperature(int adcT, Bme280Calibration calibration, out double tFine)
    {
        double var1 = ((adcT / 16384.0) - (calibration.DigT1 / 1024.0)) * calibration.DigT2;
        double d = (adcT / 131072.0) - (calibration.DigT1 / 8192.0);
        double var2 = d * d * calibration.DigT3;
        tFine = var1 + var2;
        return tFine / 5120.0;
    }

    /// <summary>
    /// Pressure from adc_P (section 8.1, <c>BME280_compensate_P_double</c>).
    /// </summary>
    /// <param name="adcP">Raw 20-bit pressure code.</param>
    /// <param name="tFine">t_fine from <see cref="Temperature"/>.</param>
    /// <param name="calibration">dig_P1..dig_P9.</param>
    /// <returns>Pressure in Pa; 0 when dig_P1 makes the divisor zero (as the datasheet code does).</returns>
    public static double Pressure(int adcP, double tFine, Bme280Calibration calibration)
    {
        double var1 = (tFine / 2.0) - 64000.0;
        double var2 = var1 * var1 * calibration.DigP6 / 32768.0;
        var2 += var1 * calibration.DigP5 * 2.0;
        var2 = (var2 / 4.0) + (calibration.DigP4 * 65536.0);
        var1 = ((calibration.DigP3 * var1 * var1 / 524288.0) + (calibration.DigP2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * calibration.DigP1;
        if (var1 == 0.0)
        {
            return 0.0;
        }

        double p = 1048576.0 - adcP;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = calibration.DigP9 * p * p / 2147483648.0;
        var2 = p * calibration.DigP8 / 32768.0;
        return p + ((var1 + var2 + calibration.DigP7) / 16.0);
    }

    /// <summary>
    /// Relative humidity from adc_H (section 8.1, <c>BME280_compensate_H_double</c>), clamped to 0..100 as there.
    /// </summary>
    /// <param name="adcH">Raw 16-bit humidity code.</param>
    /// <param name="tFine">t_fine from <see cref="Temperature"/>.</param>
    /// <param name="calibration">dig_H1..dig_H6.</param>
    /// <returns>Relative humidity in %RH.</returns>
    public static double Humidity(int adcH, double tFine, Bme280Calibration calibration)
    {
        double h = tFine - 76800.0;
        h = (adcH - ((calibration.DigH4 * 64.0) + (calibration.DigH5 / 16384.0 * h)))
            * (calibration.DigH2 / 65536.0 * (1.0 + (calibration.DigH6 / 67108864.0 * h * (1.0 + (calibration.DigH3 / 67108864.0 * h)))));
        h *= 1.0 - (calibration.DigH1 * h / 524288.0);
        return Math.Clamp(h, 0.0, 100.0);
    }
}
