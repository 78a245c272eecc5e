namespace Appliance.Drivers.Chips.Adxl345;

/// <summary>ADXL345 register addresses (Analog Devices ADXL345 data sheet Rev. G, table 19 "Register map").</summary>
internal enum Adxl345Register : byte
{
    /// <summary>Device id, reads 0xE5.</summary>
    DevId = 0x00,

    /// <summary>Data rate and power mode: LOW_POWER[4], Rate[3:0] (table 7); reset 0x0A (100 Hz).</summary>
    BwRate = 0x2C,

    /// <summary>Power-saving features: Measure[3] starts measurement.</summary>
    PowerCtl = 0x2D,

    /// <summary>Interrupt source: DATA_READY[7], Watermark[1], Overrun[0]; reset 0x02.</summary>
    IntSource = 0x30,

    /// <summary>Data format: FULL_RES[3], Justify[2], Range[1:0].</summary>
    DataFormat = 0x31,

    /// <summary>X-axis data 0 (LSB); 0x32..0x37 hold X, Y, Z, each LSB first.</summary>
    DataX0 = 0x32,

    /// <summary>Z-axis data 1 (MSB), the last data register.</summary>
    DataZ1 = 0x37,

    /// <summary>FIFO control: FIFO_MODE[7:6] (00 bypass, 01 FIFO, 10 stream, 11 trigger), Trigger[5], Samples[4:0].</summary>
    FifoCtl = 0x38,

    /// <summary>FIFO status: FIFO_TRIG[7], Entries[5:0].</summary>
    FifoStatus = 0x39,
}
