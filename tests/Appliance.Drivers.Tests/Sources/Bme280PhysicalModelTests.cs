namespace Appliance.Drivers.Tests.Sources;

public sealed class Bme280PhysicalModelTests
{
    [Fact]
    public void ToRaw_DatasheetExampleValues_InvertsToDatasheetCodes()
    {
        // BST-BMP280-DS001 3.12 / BST-BME280-DS002 8.1: adc_T 519888 -> 25.0825 °C (t_fine 128422.2869),
        // adc_P 415148 -> 100653.27 Pa, adc_H 30000 -> 54.29 %RH. The inverse must land on exactly those codes.
        var model = new Bme280PhysicalModel();

        Bme280RawSample raw = model.ToRaw(new Bme280PhysicalSample(128422.2869 / 5120.0, 100653.2668, 54.28877));

        Assert.Equal(DatasheetExample.Raw, raw);
    }

    [Fact]
    public void PhysicalAt_SameSeedAndTime_SameValuesInAnyOrder()
    {
        var a = new Bme280PhysicalModel(seed: 11);
        var b = new Bme280PhysicalModel(seed: 11);
        long t1 = 1_700_000_000_000_000_000L;
        long t2 = t1 + 3_600_000_000_000L;

        Bme280PhysicalSample a1 = a.PhysicalAt(t1);
        Bme280PhysicalSample a2 = a.PhysicalAt(t2);

        Assert.Equal(a2, b.PhysicalAt(t2));
        Assert.Equal(a1, b.PhysicalAt(t1));
        Assert.NotEqual(a1, new Bme280PhysicalModel(seed: 12).PhysicalAt(t1));
    }

    [Fact]
    public void PhysicalAt_OverOneDay_StaysInTheDocumentedEnvelope()
    {
        // Documented envelope: 22 ± 3 °C (+ ±0.05 noise), 101325 ± 120 Pa (+ ±2), 45 ∓ 5 %RH (+ ±0.3).
        var model = new Bme280PhysicalModel(seed: 5);
        double minT = double.MaxValue, maxT = double.MinValue;
        for (long minute = 0; minute < 24 * 60; minute++)
        {
            Bme280PhysicalSample s = model.PhysicalAt(minute * 60_000_000_000L);
            minT = Math.Min(minT, s.TemperatureC);
            maxT = Math.Max(maxT, s.TemperatureC);
            Assert.InRange(s.PressurePa, 101325 - 122, 101325 + 122);
            Assert.InRange(s.HumidityPct, 45 - 5.3, 45 + 5.3);
        }

        Assert.InRange(minT, 18.95, 19.1);
        Assert.InRange(maxT, 24.9, 25.05);
    }

    [Fact]
    public void InjectFault_EmptyWindow_Throws()
    {
        var model = new Bme280PhysicalModel();

        Assert.Throws<ArgumentOutOfRangeException>(() => model.InjectFault(Bme280Fault.HeaterStep, 10, 10));
    }
}
