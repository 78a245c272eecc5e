namespace Appliance.Drivers.Tests.Chips.Bme280;

// Defect: dig_H4 and dig_H5 are signed 12-bit values (Bosch BME280_SensorAPI, bme280.c parse_humidity_calib_data: the most
// significant byte is cast through int8_t before the shift). Iot.Device.Bindings 4.2.0 reads them unsigned, so a chip with a
// negative H4 or H5 read 0 %RH (-5 read as 4091, -20 as 4076, and the clamp at 0). Expected values: the BME280 double formula
// (BST-BME280-DS002 8.1, Bme280Compensation.Humidity) with t_fine = 128422.2869 (the worked example's adc_T = 519888, DatasheetExample)
// and H1..H6 = 75, 362, 0, 315, 50, 30 but for the negative one:
//   H4 = -5,  adc_H = 9000:  h = (9000 + 320 - 50/16384·51622.2869)·362/65536·(1 + 30/67108864·51622.2869) = 51.778,
//                            then h·(1 - 75·h/524288) = 51.395 %RH;
//   H5 = -20, adc_H = 26000: h = (26000 - 20160 + 20/16384·51622.2869)·(the same factor) = 33.359, then 33.200 %RH.
public sealed class Bme280SignedHumidityTests
{
    [Theory]
    [InlineData(-5, 50, 9000, 51.3949)]
    [InlineData(315, -20, 26000, 33.1996)]
    public void Read_NegativeDigH4OrH5_HumidityFromSignExtendedCalibration(short h4, short h5, int adcH, double expectedPct)
    {
        var clock = SimulatedClock.AtNabEpoch();
        var calibration = Bme280Calibration.DatasheetExample with { DigH4 = h4, DigH5 = h5 };
        var raw = new Bme280RawSample(DatasheetExample.AdcT, DatasheetExample.AdcP, adcH);
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(new Bme280FixedSignal(raw), calibration, clock), clock);

        Assert.True(sensor.TryRead(out var reading));

        Assert.Equal(expectedPct, reading.HumidityPct, 0.001);
        Assert.Equal(25.0825, reading.TemperatureC, 0.0005); // temperature unchanged (the worked example)
    }

    [Fact]
    public void ReadFrom_NegativeH4H5WrittenByEmulator_ReadBackSigned()
    {
        // The register image the emulator writes (table 16 layout) parses back to the same signed values: the test above
        // feeds the chip what it claims.
        var image = new byte[256];
        (Bme280Calibration.DatasheetExample with { DigH4 = -5, DigH5 = -20 }).WriteTo(image);

        var parsed = Bme280Calibration.ReadFrom(image);

        Assert.Equal((-5, -20), (parsed.DigH4, parsed.DigH5));
    }
}
