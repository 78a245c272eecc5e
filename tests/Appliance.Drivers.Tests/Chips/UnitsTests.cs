namespace Appliance.Drivers.Tests.Chips;

// Issue 3: "Readings carry units (UnitsNet types inside; SI values on the wire)". The Try* reads return UnitsNet quantities
// whose SI values equal what the float channels carry; conversions checked against the definitions (K = °C + 273.15, BIPM SI
// brochure 2.3.1; 1 hPa = 100 Pa; standard gravity 9.80665 m/s², CGPM 1901).
public sealed class UnitsTests
{
    [Fact]
    public void TryRead_Bme280DatasheetExample_QuantitiesInKelvinPascalPercent()
    {
        // BST-BMP280-DS001 3.12: 25.08 °C, 100653.27 Pa; humidity 54.29 %RH with H1..H6 = 75, 362, 0, 315, 50, 30 (issue 3).
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock), clock);

        Assert.True(sensor.TryRead(out var r));

        Assert.Equal(25.08 + 273.15, r.Temperature.Kelvins, 0.01);
        Assert.Equal(1006.5327, r.Pressure.Hectopascals, 0.001);
        Assert.Equal(54.29, r.Humidity.Percent, 0.01);
    }

    [Fact]
    public void Read_DatasheetExample_SameValuesAsTheBindingsQuantities()
    {
        // Bme280Sensor compensates the burst itself (Bme280Compensation, BST-BME280-DS002 8.1) instead of taking the binding's
        // UnitsNet quantities (they root all of UnitsNet in the Native AOT binary, docs/footprint.md): the channel values are
        // those of Iot.Device.Bindings' TryReadTemperature/TryReadPressure on the same chip, in °C and Pa.
        // BST-BMP280-DS001 3.12: 25.08 °C, 100653.27 Pa.
        var clock = SimulatedClock.AtNabEpoch();
        var chip = new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock);
        using var driver = new Iot.Device.Bmxx80.Bme280(chip); // (its soft reset first: the sensor's conversion stays in the registers)
        using var sensor = new Bme280Sensor("env", chip, clock);
        Span<float> values = stackalloc float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        Assert.True(driver.TryReadTemperature(out var t));
        Assert.True(driver.TryReadPressure(out var p));

        Assert.Equal((float)t.DegreesCelsius, values[0]);
        Assert.Equal((float)p.Pascals, values[1]);
        Assert.Equal(25.08, values[0], 0.01);
        Assert.Equal(100653.27, values[1], 1.0);
    }

    [Fact]
    public void ToString_Bme280Reading_ThreeValuesWithoutUnitsNetQuantities()
    {
        // The record's printed members are its three values: a quantity's ToString would compile all of UnitsNet's
        // abbreviation tables into the Native AOT binary (docs/footprint.md).
        var r = new Bme280Reading(25.08, 100653.27, 54.29);

        Assert.Equal("Bme280Reading { TemperatureC = 25.08, PressurePa = 100653.27, HumidityPct = 54.29 }", r.ToString());
    }

    [Fact]
    public void TryReadVoltage_Mcp3008HalfReference_Code512Is1Point65Volts()
    {
        // Microchip DS21295D equation 4-1: code = 1024 · V_IN / V_REF; 1.65 V of 3.3 V is code 512, read back as 512 · 3.3 / 1024 V.
        using var sensor = new Mcp3008Sensor("adc", new Mcp3008Emulator(WaveformSignal.Constant(1.65), referenceVolts: 3.3), [0]);

        Assert.True(sensor.TryReadVoltage(0, out var v));

        Assert.Equal(512 * 3.3 / 1024, v.Volts, 1e-6);
        Assert.Equal(1650, v.Millivolts, 0.01);
    }

    [Fact]
    public void TryReadAcceleration_Adxl345OneG_StandardGravityInMetersPerSecondSquared()
    {
        // ADXL345 full resolution: 3.9 mg/LSB (256 LSB/g, data sheet table 1); 1 g on z reads 256 = 9.80665 m/s².
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Adxl345Sensor("vib", new Adxl345Emulator(WaveformSignal.Constant(0.5, -0.25, 1.0), clock), 3200, 16, clock);
        clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.True(sensor.TryReadAcceleration(out var x, out var y, out var z));

        Assert.Equal(1.0, z.StandardGravity, 1e-6);
        Assert.Equal(9.80665, z.MetersPerSecondSquared, 1e-5);
        Assert.Equal(0.5, x.StandardGravity, 1e-6);
        Assert.Equal(-0.25, y.StandardGravity, 1e-6);
    }
}
