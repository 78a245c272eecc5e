namespace Appliance.Drivers.Tests.Sources;

// Hot paths allocate nothing per sample in steady state (STYLE.md, example 5). Measured with the runtime's own per-thread
// allocation counter; the warm-up reads let tiered JIT and the binding's first-use paths settle.
public sealed class SteadyStateAllocationTests
{
    [Fact]
    public void Bme280SensorRead_SteadyState_AllocatesNothingPerSample()
    {
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock), clock);
        var values = new float[3];
        for (int i = 0; i < 50; i++)
        {
            sensor.Read(values, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            sensor.Read(values, out _);
        }

        long perSample = (GC.GetAllocatedBytesForCurrentThread() - before) / 200;

        Assert.Equal(0, perSample);
    }

    [Fact]
    public void Bme280SensorRead_FedByPhysicalModel_AllocatesNothingPerSample()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var model = new Bme280PhysicalModel(seed: 2);
        model.InjectFault(Bme280Fault.HeaterStep, 0, long.MaxValue);
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(model, clock: clock), clock);
        var values = new float[3];
        for (int i = 0; i < 50; i++)
        {
            sensor.Read(values, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            sensor.Read(values, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void CsvReplaySourceRead_SteadyState_AllocatesNothingPerRow()
    {
        string path = SharedData.PathTo("nab/data/realKnownCause/machine_temperature_system_failure.csv");
        using var source = new CsvReplaySource("machine", path);
        var values = new float[1];
        for (int i = 0; i < 1000; i++)
        {
            source.Read(values, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            source.Read(values, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
