using Appliance.Kernels.Windows;

namespace Appliance.Drivers.Tests.Sampling;

// Hot paths allocate nothing per sample in steady state (STYLE.md, example 5), measured with the per-thread allocation counter
// after warm-up reads. The scheduler loop runs on the system clock here: on a simulated clock every wait creates a timer.
public sealed class SamplingAllocationTests
{
    [Fact]
    public void SamplingLoopRunOnce_Mcp3008At10kHzOnSystemClock_AllocatesNothingPerSample()
    {
        using var supervisor = new SensorSupervisor(new Mcp3008Sensor("adc", new Mcp3008Emulator(WaveformSignal.Constant(1, 2, 3)), [0, 1, 2]), 10_000);
        var loop = new SamplingLoop(supervisor, 10_000);
        float sum = 0;
        SampleHandler handler = (_, v) => sum += v[0];
        for (int i = 0; i < 200; i++)
        {
            loop.RunOnce(handler, CancellationToken.None);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            loop.RunOnce(handler, CancellationToken.None);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void Ads1115SensorRead_SteadyState_AllocatesNothingPerSample()
    {
        using var sensor = new Ads1115Sensor("adc", new Ads1115Emulator(WaveformSignal.Constant(1, 2)), [InputMultiplexer.AIN0, InputMultiplexer.AIN1]);
        var values = new float[2];
        for (int i = 0; i < 20; i++)
        {
            sensor.Read(values, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            sensor.Read(values, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Adxl345SensorReadBatch_SteadyState_AllocatesNothingPerBatch()
    {
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Adxl345Sensor("vib", new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock), 3200, 16, clock);
        var values = new float[32 * 3];
        var timestamps = new long[32];
        for (int i = 0; i < 50; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(5));
            sensor.ReadBatch(values, timestamps, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 200; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(5));
            sensor.ReadBatch(values, timestamps, out int n);
            total += n;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3200, total);
    }
    // The bench's and the device's sampling thread for an ADXL345 at 3200 Hz: the real driver on the emulated chip (bearing signal),
    // under the supervisor and the loop, on the steady clock (the system clock's wall time and CLOCK_MONOTONIC, as the device runs),
    // into a sample ring. Every byte allocated on this thread counts towards the next collection, which stops this thread.
    [Fact]
    public void SamplingLoopRunOnce_Adxl345At3200HzOnSteadyClockIntoRing_AllocatesNothingPerBatch()
    {
        TimeProvider clock = SteadyClock.Shared;
        var signal = new BearingVibrationSignal(long.MaxValue, TimeSpan.FromSeconds(1));
        using var supervisor = new SensorSupervisor(new Adxl345Sensor("vib", new Adxl345Emulator(signal, clock), 3200, 16, clock), 3200, clock: clock);
        var loop = new SamplingLoop(supervisor, 3200, clock);
        var ring = new SampleRing(8192, 3);
        SampleHandler handler = (ts, v) => ring.TryWrite(ts, v);
        for (int i = 0; i < 100; i++)
        {
            loop.RunOnce(handler, CancellationToken.None);
            ring.Advance(ring.Count);
        }

        // Tiered PGO's instrumented code allocates on this thread until the background compiler has rejitted its methods, which
        // on a loaded machine takes seconds (with DOTNET_TieredPGO=0 the first window is clean; the published binary is compiled
        // ahead of time and has no such phase). So: windows of 100 wakes (0.25 s) until two in a row allocate nothing, at most
        // 10 s. An allocation per wake or per batch would show in every window.
        var windows = new List<long>();
        while (windows.Count < 40 && !(windows.Count >= 2 && windows[^1] == 0 && windows[^2] == 0))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                loop.RunOnce(handler, CancellationToken.None);
                ring.Advance(ring.Count);
            }

            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(windows.Count >= 2 && windows[^1] == 0 && windows[^2] == 0, $"bytes allocated per window of 100 wakes: {string.Join(", ", windows)}");
        Assert.True(supervisor.Stats.Snapshot().Samples > 1000, "the loop read the FIFO");
    }
    // An overrun is counted, and its message kept, on the sampling thread: with a string made per overrun (272 B in the published
    // binary) a loaded host that starts overrunning also starts allocating, and so collecting, which stops the thread again.
    [Fact]
    public void Adxl345SensorReadBatch_FifoOverrunsEveryBatch_AllocatesNothingPerOverrun()
    {
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Adxl345Sensor("vib", new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock), 3200, 16, clock);
        var values = new float[32 * 3];
        var timestamps = new long[32];
        for (int i = 0; i < 100; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20)); // 64 samples: the 32-entry FIFO overflows before every read
            sensor.ReadBatch(values, timestamps, out _);
        }

        long overruns = sensor.FifoOverruns;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20));
            sensor.ReadBatch(values, timestamps, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(200, sensor.FifoOverruns - overruns);
        Assert.StartsWith("sensor 'vib': FIFO overrun", sensor.LastFault, StringComparison.Ordinal);
    }
}
