namespace Appliance.Drivers.Tests.Sampling;

// One test per fault kind the issue names (NACK, timeout, stuck value, wrong chip id, bit flip), through the real BME280 driver
// against its emulator, on a simulated clock. Policy: 3 attempts, backoff ceilings 1, 2, 4 ... ms capped at 2 s (the random source
// draws each ceiling whole, so the schedule is exact), degraded after 3 failed samples (at once for a wrong chip id), recovered
// after 2 good samples.
public sealed class SensorSupervisorTests
{
    private static (Bme280Emulator Chip, SensorSupervisor Sensor, SimulatedClock Clock) Make(double rateHz = 10, RetryPolicy? policy = null, IBme280Signal? signal = null)
    {
        var clock = SimulatedClock.AtNabEpoch();
        var chip = new Bme280Emulator(signal ?? new Bme280FixedSignal(DatasheetExample.Raw), clock: clock);
        var sensor = new SensorSupervisor(new Bme280Sensor("env", chip, clock), rateHz, policy, clock, random: new CeilingRandom());
        return (chip, sensor, clock);
    }

    [Fact]
    public void Read_OneNack_RetriedWithinTheSampleAndDelivered()
    {
        var (chip, sensor, _) = Make();
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        chip.InjectNack(1);
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        SamplingStatsSnapshot s = sensor.Stats.Snapshot();
        Assert.Equal((1, 1, 0L), (s.Faults, s.Retries, s.FailedSamples));
        Assert.Equal(SensorHealth.Ok, s.Health);
        Assert.InRange(values[0], 25.075f, 25.085f); // BST-BMP280-DS001 3.12: 25.08 °C
    }

    [Fact]
    public void Read_PersistentNack_DegradesProbesWithBackoffAndRecoversByItself()
    {
        var (chip, sensor, clock) = Make();
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        sensor.Read(values, out _);

        chip.InjectNack(int.MaxValue);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(SensorHealth.Degraded, sensor.Health);

        // Degraded: the next probe is due 1 ms after the failure (backoff 0); reads before it do not touch the bus.
        long transfers = chip.TransferCount;
        chip.InjectNack(int.MaxValue);
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _)); // 100 ms later: a probe (fails), next probe in 2 ms
        long afterProbe = chip.TransferCount;
        Assert.True(afterProbe > transfers);
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _)); // same instant: no bus access
        Assert.Equal(afterProbe, chip.TransferCount);
        Assert.True(float.IsNaN(values[0]));

        chip.InjectNack(0);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _)); // good sample 1 of 2
        Assert.Equal(SensorHealth.Degraded, sensor.Health);
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _)); // good sample 2: recovered
        SamplingStatsSnapshot s = sensor.Stats.Snapshot();
        Assert.Equal(SensorHealth.Ok, s.Health);
        Assert.Equal((1L, 1L), (s.Degradations, s.Recoveries));
        Assert.Contains("NACK", s.LastFault, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_Doubling_IsBoundedByTheCap()
    {
        var backoff = new RetryPolicy(InitialBackoff: TimeSpan.FromMilliseconds(1), MaxBackoff: TimeSpan.FromSeconds(2)).CreateBackoff();

        Assert.Equal(TimeSpan.FromMilliseconds(1), backoff.Ceiling(0));
        Assert.Equal(TimeSpan.FromMilliseconds(1024), backoff.Ceiling(10));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Ceiling(11));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Ceiling(1000));
    }

    [Fact]
    public void Read_Timeout_SampleTimeIsBoundedByOneTimeoutPlusTheRetryBudget()
    {
        // At 100 Hz the retry budget is half a period (5 ms). A transfer that hangs 25 ms already exceeds it, so the sample fails
        // after that one attempt instead of hanging 3 x 25 ms and starving its own schedule.
        var (chip, sensor, clock) = Make(rateHz: 100);
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        sensor.Read(values, out _);
        chip.InjectTimeout(int.MaxValue, TimeSpan.FromMilliseconds(25));
        TimeSpan before = clock.Elapsed;

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));

        Assert.Equal(TimeSpan.FromMilliseconds(25), clock.Elapsed - before);
        SamplingStatsSnapshot s = sensor.Stats.Snapshot();
        Assert.Equal((1L, 0L), (s.Faults, s.Retries));
        Assert.Contains("timed out", s.LastFault, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongChipIdFromStart_NeverReadsDataAndDegradesAtOnce()
    {
        // 0x58 is a BMP280 (BST-BME280-DS002 5.4.1 names 0x60 for the BME280): the sensor refuses it; no value is delivered.
        var (chip, sensor, clock) = Make();
        using var owned = sensor;
        chip.InjectChipId(0x58);
        Span<float> values = stackalloc float[3];

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));

        Assert.Equal(SensorHealth.Degraded, sensor.Health);
        Assert.Equal(0, chip.ConversionCount);
        Assert.True(float.IsNaN(values[0]));
        Assert.Contains("0x58", sensor.Stats.Snapshot().LastFault, StringComparison.Ordinal);

        chip.InjectChipId(Bme280Emulator.ChipId);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        sensor.Read(values, out _);
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.Equal(SensorHealth.Ok, sensor.Health);
    }

    [Fact]
    public void Read_ChipIdChangesAfterABusFault_IsCheckedAgainAndRefused()
    {
        // A chip that was swapped or reset while the bus failed must be identified again before its registers are trusted.
        var (chip, sensor, clock) = Make();
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        sensor.Read(values, out _);
        long conversions = chip.ConversionCount;

        chip.InjectNack(3);
        chip.InjectChipId(0x61); // a BME680
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));

        Assert.Equal(conversions, chip.ConversionCount);
        Assert.Equal(SensorHealth.Degraded, sensor.Health);
        Assert.Contains("0x61", sensor.Stats.Snapshot().LastFault, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ChipIdChangesWithoutBusFault_NextSampleIsRefused()
    {
        // The id is checked on every read, not only at open: 0x58 (a BMP280, BST-BME280-DS002 5.4.1 names 0x60 for the BME280)
        // answering mid-run yields no value and degrades the sensor at once.
        var (chip, sensor, _) = Make();
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        long conversions = chip.ConversionCount;

        chip.InjectChipId(0x58);
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));

        Assert.Equal(conversions, chip.ConversionCount);
        Assert.Equal(SensorHealth.Degraded, sensor.Health);
    }

    [Fact]
    public void Read_StuckData_DetectedAfterStuckAfterIdenticalSamplesThenRecovers()
    {
        // The physical model's noise (±0.05 °C, ±2 Pa, ±0.3 %RH) makes consecutive healthy samples differ; a chip whose data
        // registers stop updating repeats the same bits. With StuckAfter = 5 the 5th identical sample is a fault.
        var policy = new RetryPolicy(StuckAfter: 5);
        var (chip, sensor, clock) = Make(policy: policy, signal: new Bme280PhysicalModel(seed: 7));
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        chip.InjectStuckData(true);
        var statuses = new List<SampleStatus>();
        for (int i = 0; i < 8; i++)
        {
            statuses.Add(sensor.Read(values, out _));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        // Sample 1 of the stuck run equals the last good one only if the registers froze on it: they did (the freeze keeps the
        // previous conversion), so the run counts from the last good sample: faults from the 4th stuck read on.
        Assert.Equal([SampleStatus.Ok, SampleStatus.Ok, SampleStatus.Ok], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(SampleStatus.Fault, s));
        Assert.Equal(SensorHealth.Degraded, sensor.Health);
        Assert.Contains("stuck", sensor.Stats.Snapshot().LastFault, StringComparison.Ordinal);

        chip.InjectStuckData(false);
        for (int i = 0; i < 20 && sensor.Health != SensorHealth.Ok; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            sensor.Read(values, out _);
        }

        Assert.Equal(SensorHealth.Ok, sensor.Health);
    }

    [Fact]
    public void Read_BitFlipInTempMsb_ImplausibleReadingIsAFaultNotAValue()
    {
        // temp_msb 0x7E with bit 7 flipped reads 0xFE: adc_T = 0xFEED0 = 1043152, which the datasheet example calibration turns
        // into about 186 °C (8.1 double formula) - outside the BME280's -40..85 °C operating range (BST-BME280-DS002 table 1).
        var (chip, sensor, _) = Make();
        using var owned = sensor;
        Span<float> values = stackalloc float[3];
        sensor.Read(values, out _);

        chip.InjectBitFlip(0xFA, 0x80);
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));

        Assert.True(float.IsNaN(values[0]));
        Assert.Contains("implausible", sensor.Stats.Snapshot().LastFault, StringComparison.Ordinal);
        double flipped = Bme280Compensation.Temperature(0xFEED0, Bme280Calibration.DatasheetExample, out _);
        Assert.InRange(flipped, 180, 190);
    }
}
