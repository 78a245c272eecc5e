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
}
