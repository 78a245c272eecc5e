namespace Appliance.Drivers.Tests.Chips.Adxl345;

// Analog Devices ADXL345 data sheet, Rev. G.
public sealed class Adxl345Tests
{
    [Fact]
    public void TransferFullDuplex_ReadDevId_Returns0xE5()
    {
        // Table 19: DEVID (0x00) = 0xE5. Figure 38: first byte R = 1, MB = 0, address; the register comes back in the second byte.
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1));
        Span<byte> answer = stackalloc byte[2];

        emulator.TransferFullDuplex([0x80, 0x00], answer);

        Assert.Equal(0xE5, answer[1]);
    }

    [Theory]
    [InlineData(0x0F, 3200.0)]
    [InlineData(0x0E, 1600.0)]
    [InlineData(0x0A, 100.0)]
    [InlineData(0x06, 6.25)]
    public void OutputDataRateHz_RateCode_MatchesTable7(int code, double hz)
    {
        Assert.Equal(hz, Adxl345Emulator.OutputDataRateHz(code));
    }

    [Fact]
    public void ReadBatch_3200HzFor5ms_ReturnsSixteenFifoEntriesInSiUnits()
    {
        // Full resolution: 256 LSB/g (table 1, 3.9 mg/LSB). x = 0.5 g -> code 128 -> 4.903325 m/s^2; z = 1 g -> 256 ->
        // 9.80665 m/s^2 (standard gravity). 5 ms at 3200 Hz = 16 samples, all taken from the FIFO in one batch, timestamps
        // 1/3200 s = 312500 ns apart.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0.5, -0.25, 1.0), clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        sensor.Open();
        var values = new float[32 * 3];
        var timestamps = new long[32];

        clock.Advance(TimeSpan.FromMilliseconds(5));
        SampleStatus status = sensor.ReadBatch(values, timestamps, out int count);

        Assert.Equal(SampleStatus.Ok, status);
        Assert.Equal(16, count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(4.903325f, values[i * 3], 5);
            Assert.Equal(-2.4516625f, values[(i * 3) + 1], 5);
            Assert.Equal(9.80665f, values[(i * 3) + 2], 5);
        }

        for (int i = 1; i < count; i++)
        {
            Assert.Equal(312_500, timestamps[i] - timestamps[i - 1]);
        }
    }

    [Fact]
    public void ReadBatch_LongerThanFifo_StreamModeKeepsNewest32()
    {
        // Section "FIFO", stream mode: the FIFO holds the newest 32 samples; older ones are overwritten.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        var emulator = new Adxl345Emulator(signal, clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        sensor.Open();
        var values = new float[32 * 3];
        var timestamps = new long[32];

        clock.Advance(TimeSpan.FromMilliseconds(20)); // 64 samples
        sensor.ReadBatch(values, timestamps, out int count);

        Assert.Equal(32, count);
        Assert.Equal(64, emulator.SamplesTaken);
    }

    [Fact]
    public void Code_RangesAndResolution_MatchTable1()
    {
        // Full resolution keeps 256 LSB/g at every range (table 1: 3.9 mg/LSB); 10-bit mode at ±16 g is 32 LSB/g (31.2 mg/LSB);
        // 10-bit saturates at -512..511, full resolution at ±16 g at -4096..4095.
        Assert.Equal(256, Adxl345Emulator.Code(1.0, 0x08 | 0x03));
        Assert.Equal(32, Adxl345Emulator.Code(1.0, 0x03));
        Assert.Equal(511, Adxl345Emulator.Code(4.0, 0x00));
        Assert.Equal(-4096, Adxl345Emulator.Code(-20.0, 0x08 | 0x03));
    }

    [Fact]
    public void Open_WrongDevId_RefusesToRead()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        emulator.Faults.WrongChipId = 0xE6;
        emulator.Faults.Set(BusFaultKind.WrongChipId, true);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);

        var e = Assert.Throws<InvalidDataException>(sensor.Open);
        Assert.Contains("0xe6", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xE5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBatch_ChipReplacedDuringNack_ChecksDevIdAgainBeforeReading()
    {
        // After a bus fault the sensor re-reads DEVID: a chip that answers with another id afterwards is refused, never read.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        var values = new float[32 * 3];
        var timestamps = new long[32];
        sensor.Open();

        emulator.Faults.InjectNack(1);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(SampleStatus.Fault, sensor.ReadBatch(values, timestamps, out _));
        emulator.Faults.Set(BusFaultKind.WrongChipId, true);

        Assert.Throws<InvalidDataException>(() => sensor.ReadBatch(values, timestamps, out _));
    }

    [Fact]
    public void ReadBatch_DevIdChangesWithoutBusFault_IsRefusedBeforeTheFifoIsRead()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        var values = new float[32 * 3];
        var timestamps = new long[32];
        sensor.Open();

        emulator.Faults.Set(BusFaultKind.WrongChipId, true);
        clock.Advance(TimeSpan.FromMilliseconds(5));

        Assert.Throws<InvalidDataException>(() => sensor.ReadBatch(values, timestamps, out _));
        Assert.Equal(16, emulator.SamplesTaken); // taken by the chip, never read out as if it were an ADXL345
    }

    [Fact]
    public void SamplingLoop_3200Hz_WakesOncePerQuarterFifoAndDeliversEverySample()
    {
        // 3200 Hz with a 32-entry FIFO: the loop wakes at 3200 / 8 = 400 Hz (a quarter FIFO, so a
        // wake may be 7.5 ms late before the FIFO overruns) and delivers 8 samples per wake.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        var supervisor = new SensorSupervisor(new Adxl345Sensor("vib", emulator, 3200, 16, clock), 3200, clock: clock);
        var loop = new SamplingLoop(supervisor, 3200, clock);
        long delivered = 0;
        long lastTs = 0;
        bool increasing = true;

        for (int i = 0; i < 401; i++)
        {
            loop.RunOnce((ts, v) => { delivered++; increasing &= ts > lastTs; lastTs = ts; }, CancellationToken.None);
        }

        Assert.Equal(400.0, loop.Scheduler.RateHz);
        Assert.Equal(3208, delivered); // the loop opens the chip at the grid's start, so every wake, the first too, finds 8 new samples: 401 x 8
        Assert.True(increasing);
        supervisor.Dispose();
    }

    [Fact]
    public void ReadBatch_FifoOverrun_IsCountedAndLeavesAGapNotInventedSamples()
    {
        // Stream mode keeps the newest 32 entries and sets INT_SOURCE Overrun[0] (table 21, section "FIFO"). 5 ms = 16 samples
        // read; then 20 ms = 64 samples of which the FIFO keeps the newest 32: samples 48..79, so 32 are lost and the next
        // timestamp after sample 15 (at 16 periods) is sample 48 (at 49 periods): a gap of 33 periods = 33 x 312500 ns.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        sensor.Open();
        var values = new float[32 * 3];
        var first = new long[32];
        var second = new long[32];

        clock.Advance(TimeSpan.FromMilliseconds(5));
        sensor.ReadBatch(values, first, out int n1);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        sensor.ReadBatch(values, second, out int n2);

        Assert.Equal((16, 32), (n1, n2));
        Assert.Equal(1, sensor.FifoOverruns);
        Assert.Equal(48, sensor.SamplesRead);
        Assert.Equal(33 * 312_500L, second[0] - first[15]);
        Assert.Equal(0, sensor.Reanchors);
    }

    [Fact]
    public void ReadBatch_PollLateByAFractionOfAPeriod_TimestampsContinueAtTheFifoRate()
    {
        // Entries are 1/ODR apart on the chip's clock whenever the host polls: a poll 0.1 ms after the 32nd sample must not move
        // the timestamps of the second batch by 0.1 ms (the read time is not the sample time).
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        using var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        sensor.Open();
        var values = new float[32 * 3];
        var first = new long[32];
        var second = new long[32];

        clock.Advance(TimeSpan.FromMilliseconds(5));
        sensor.ReadBatch(values, first, out _);
        clock.Advance(TimeSpan.FromMilliseconds(5.1));
        sensor.ReadBatch(values, second, out int n2);

        Assert.Equal(16, n2);
        Assert.Equal(312_500L, second[0] - first[15]);
        Assert.Equal(0, sensor.FifoOverruns);
    }

    [Fact]
    public void SamplingLoop_BearingSignal3200HzForTenSecondsOnTheChipClock_ReadsEverySampleWithoutOverrun()
    {
        // 10 s at 3200 Hz on the simulated clock: the chip takes 32000 samples; the loop (400 wakes/s) reads all of them.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new BearingVibrationSignal(clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, TimeSpan.FromSeconds(5));
        var emulator = new Adxl345Emulator(signal, clock);
        var sensor = new Adxl345Sensor("vib", emulator, 3200, 16, clock);
        var supervisor = new SensorSupervisor(sensor, 3200, clock: clock);
        var loop = new SamplingLoop(supervisor, 3200, clock);
        long delivered = 0;
        long lastTs = 0;
        long irregular = 0;

        for (int i = 0; i < 4000; i++)
        {
            loop.RunOnce((ts, v) => { irregular += delivered > 0 && ts - lastTs != 312_500 ? 1 : 0; lastTs = ts; delivered++; }, CancellationToken.None);
        }

        Assert.Equal(emulator.SamplesTaken, delivered);
        Assert.Equal(32_000, delivered);
        Assert.Equal(0, sensor.FifoOverruns);
        Assert.Equal(0, irregular);
        supervisor.Dispose();
    }
}
