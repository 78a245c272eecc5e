namespace Appliance.Drivers.Tests.Chips.Bme280;

// Defect: `appliance read` printed registers at their reset value (BST-BME280-DS002 table 18: 0x80000 for adc_T and adc_P,
// 0x8000 for adc_H, which is also what a skipped measurement reads, 5.4.7-5.4.9) as 26.46 °C, 82044.54 Pa, and printed
// out-of-range readings the sampling path refuses. Wanted: the sampling path's checks apply to a one-shot read too, and a skipped
// measurement is named as such.
public sealed class Bme280SkippedMeasurementTests
{
    private static Bme280Emulator Chip(Bme280RawSample raw, TimeProvider? clock = null) => new(new Bme280FixedSignal(raw), clock: clock);

    [Fact]
    public void ReadOnce_DataRegistersAtResetValue_ThrowsNamingSkippedMeasurement()
    {
        using var chip = Chip(new Bme280RawSample(0x80000, 0x80000, 0x8000));

        var e = Assert.Throws<IOException>(() => Bme280Sensor.ReadOnce(chip));

        Assert.Contains("temperature and pressure measurements skipped", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x80000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PressureSkipped_FaultNamesIt()
    {
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Bme280Sensor("env", Chip(new Bme280RawSample(DatasheetExample.AdcT, 0x80000, DatasheetExample.AdcH), clock), clock);
        var values = new float[3];

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Contains("pressure measurement skipped", sensor.LastFault, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOnce_HumiditySkipped_HumidityNaNOthersRead()
    {
        // adc_H = 0x8000 alone: temperature and pressure are the worked example's (25.0825 °C, 100653.27 Pa); humidity has no value.
        using var chip = Chip(new Bme280RawSample(DatasheetExample.AdcT, DatasheetExample.AdcP, 0x8000));

        var reading = Bme280Sensor.ReadOnce(chip);

        Assert.Equal(25.0825, reading.TemperatureC, 0.0005);
        Assert.True(double.IsNaN(reading.HumidityPct));
    }

    [Fact]
    public void ReadOnce_TemperatureOutsideOperatingRange_ThrowsAsSamplingRefusesIt()
    {
        // adc_T = 1000000 with the worked example's dig_T1..T3 (27504, 26435, -1000): t_fine = 885187, T = 172.89 °C, outside the
        // operating range -40..85 °C (table 1) that Read refuses as corrupted data.
        using var chip = Chip(new Bme280RawSample(1_000_000, DatasheetExample.AdcP, DatasheetExample.AdcH));

        var e = Assert.Throws<IOException>(() => Bme280Sensor.ReadOnce(chip));

        Assert.Contains("implausible reading 172.89 °C", e.Message, StringComparison.Ordinal);
    }
}
