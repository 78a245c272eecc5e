namespace Appliance.Drivers.Tests.Sources;

// appliance doctor's "which configured sensors answer (chip id check)" (issue 3, item 1). Chip ids: BME280 0xD0 = 0x60
// (BST-BME280-DS002 5.4.1), ADXL345 DEVID = 0xE5 (ADXL345 data sheet rev. E, table 19); a floating bus reads 0xFF.
public sealed class SensorProbeTests
{
    private static SensorDescriptor Bme280() => new("env", Bme280Chip.Instance, BusSpec.Parse("emulated:bme280"), 0x76, -1, [], 10);

    [Fact]
    public void Probe_EmulatedBme280_AnswersWithChipIdOk()
    {
        var r = SensorProbe.Probe(Bme280(), new SensorFactory(emulated: new EmulatedBuses()));

        Assert.True(r.Answers, r.Detail);
        Assert.StartsWith("answers; chip id 0x60 ok; read temperature_c=", r.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_ChipIdFaultScheduledFromStart_SaysWrongChipIdWithActualAndExpected()
    {
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(emulated: emulated);
        emulated.ScheduleFault("env", BusFaultKind.WrongChipId, TimeSpan.Zero, TimeSpan.FromHours(1));

        var r = SensorProbe.Probe(Bme280(), factory);

        Assert.False(r.Answers);
        Assert.StartsWith("wrong chip id: ", r.Detail, StringComparison.Ordinal);
        Assert.Contains("is 0xff", r.Detail, StringComparison.Ordinal);
        Assert.Contains("expected 0x60", r.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_Adxl345WrongDevId_SaysWrongChipIdWithActualAndExpected()
    {
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(emulated: emulated);
        emulated.ScheduleFault("vib", BusFaultKind.WrongChipId, TimeSpan.Zero, TimeSpan.FromHours(1));

        var r = SensorProbe.Probe(new SensorDescriptor("vib", Adxl345Chip.Instance, BusSpec.Parse("emulated:adxl345"), 0, -1, [], 100), factory);

        Assert.False(r.Answers);
        Assert.Contains("0xff", r.Detail, StringComparison.Ordinal);
        Assert.Contains("expected 0xE5", r.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_NoSuchI2cAdapter_DoesNotAnswerAndSaysWhy()
    {
        var r = SensorProbe.Probe(new SensorDescriptor("env", Bme280Chip.Instance, BusSpec.Parse("i2c:977"), 0x76, -1, [], 10), new SensorFactory());

        Assert.False(r.Answers);
        Assert.False(string.IsNullOrWhiteSpace(r.Detail));
    }
}
