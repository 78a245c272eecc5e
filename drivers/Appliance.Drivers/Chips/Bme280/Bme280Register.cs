namespace Appliance.Drivers.Chips.Bme280;

/// <summary>
/// BME280 register addresses (Bosch BST-BME280-DS002, section 5.3 "Register description", table 18 "Memory map").
/// </summary>
internal enum Bme280Register : byte
{
    /// <summary>First byte of the temperature/pressure calibration block 0x88..0x9F (dig_T1 LSB), section 4.2.2 table 16.</summary>
    CalibrationStart = 0x88,

    /// <summary>dig_H1 (unsigned char), section 4.2.2 table 16.</summary>
    DigH1 = 0xA1,

    /// <summary>Chip identification, reads 0x60 (section 5.4.1).</summary>
    ChipId = 0xD0,

    /// <summary>Soft reset: writing 0xB6 resets the device (section 5.4.2).</summary>
    Reset = 0xE0,

    /// <summary>First byte of the humidity calibration block 0xE1..0xE7 (dig_H2 LSB), section 4.2.2 table 16.</summary>
    HumidityCalibrationStart = 0xE1,

    /// <summary>ctrl_hum: osrs_h[2:0]; effective only after a write to ctrl_meas (section 5.4.3).</summary>
    CtrlHum = 0xF2,

    /// <summary>status: measuring[3], im_update[0] (section 5.4.4).</summary>
    Status = 0xF3,

    /// <summary>ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0] (section 5.4.5).</summary>
    CtrlMeas = 0xF4,

    /// <summary>config: t_sb[7:5], filter[4:2], spi3w_en[0] (section 5.4.6).</summary>
    Config = 0xF5,

    /// <summary>press_msb; data block press(3) temp(3) hum(2) runs 0xF7..0xFE (sections 5.4.7-5.4.9).</summary>
    PressMsb = 0xF7,

    /// <summary>temp_msb (section 5.4.8).</summary>
    TempMsb = 0xFA,

    /// <summary>hum_msb (section 5.4.9).</summary>
    HumMsb = 0xFD,
}
