namespace Appliance.Drivers.Chips.Adxl345;

/// <summary>ADXL345 constants (Analog Devices ADXL345 data sheet Rev. G), shared by the driver and its emulator.</summary>
public static class Adxl345Datasheet
{
    /// <summary>The ADXL345 device id at register 0x00 (table 19).</summary>
    public const byte DeviceId = 0xE5;

    /// <summary>FIFO depth, entries (section "FIFO").</summary>
    public const int FifoDepth = 32;

    /// <summary>The output data rate of a BW_RATE Rate[3:0] code (table 7): 3200 / 2^(15 − code) Hz.</summary>
    /// <param name="rateCode">The 4-bit code.</param>
    /// <returns>Hz (0x0F → 3200, 0x0A → 100, 0x06 → 6.25).</returns>
    public static double OutputDataRateHz(int rateCode) => 3200.0 / (1 << (15 - (rateCode & 0x0F)));
}
