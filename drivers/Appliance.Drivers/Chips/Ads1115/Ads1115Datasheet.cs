namespace Appliance.Drivers.Chips.Ads1115;

/// <summary>ADS1115 full-scale ranges and data rates (TI SBAS444D 8.6.3), shared by the driver and its emulator.</summary>
public static class Ads1115Datasheet
{
    private static readonly double[] FullScaleVolts = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private static readonly int[] DataRates = [8, 16, 32, 64, 128, 250, 475, 860];

    /// <summary>The full scale of a PGA[2:0] field (SBAS444D 8.6.3, table 8), volts.</summary>
    /// <param name="pga">The 3-bit field.</param>
    /// <returns>6.144, 4.096, 2.048, 1.024, 0.512 or 0.256.</returns>
    public static double FullScale(int pga) => FullScaleVolts[pga & 0x07];

    /// <summary>The data rate of a DR[2:0] field (SBAS444D 8.6.3), samples per second.</summary>
    /// <param name="dr">The 3-bit field.</param>
    /// <returns>8, 16, 32, 64, 128, 250, 475 or 860.</returns>
    public static int DataRate(int dr) => DataRates[dr & 0x07];
}
