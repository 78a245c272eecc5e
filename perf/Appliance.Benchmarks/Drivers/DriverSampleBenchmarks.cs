using System.Device.Gpio;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Chips.Adxl345;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Chips.Gpio;
using Appliance.Drivers.Chips.Mcp3008;
using Appliance.Drivers.Sampling;
using Appliance.Drivers.Sources;
using BenchmarkDotNet.Attributes;
using Iot.Device.Ads1115;
using Appliance.Drivers.Emulation;

namespace Appliance.Benchmarks.Drivers;

/// <summary>
/// One sample per chip through the real driver against its register-level emulator on the emulated bus, on emulated time
/// (<see cref="SimulatedClock"/>): the time per operation is the CPU cost of a sample, so 1 / mean is the most samples per second
/// one core sustains on the emulated bus (the physical chips are slower: BME280 forced mode ≤ ~107 Hz, ADS1115 860 SPS,
/// ADXL345 3200 Hz). Allocated bytes per operation must be 0 in steady state (the pulse counter's emulated GPIO chip allocates
/// one event-args object per delivered edge, as System.Device.Gpio's API requires; the counter itself allocates nothing).
/// </summary>
[MemoryDiagnoser]
public class DriverSampleBenchmarks
{
    private readonly float[] _values = new float[32 * 8];
    private readonly long[] _timestamps = new long[32];
    private SimulatedClock _bmeClock = null!;
    private Bme280Sensor _bme280 = null!;
    private Ads1115Sensor _ads1115 = null!;
    private Mcp3008Sensor _mcp3008 = null!;
    private SimulatedClock _adxlClock = null!;
    private Adxl345Sensor _adxl345 = null!;
    private SimulatedClock _pulseClock = null!;
    private PulseCounterSensor _pulse = null!;
    private SamplingLoop _loop = null!;
    private SampleHandler _handler = null!;
    private float _sink;

    [GlobalSetup]
    public void Setup()
    {
        _bmeClock = SimulatedClock.AtNabEpoch(TimeSpan.Zero);
        _bme280 = new Bme280Sensor("env", new Bme280Emulator(new Bme280PhysicalModel(), clock: _bmeClock), _bmeClock);

        // Each ADS1115 transfer takes 100 µs of emulated time (3 bytes at 400 kHz ≈ 70 µs plus overhead), so the binding's
        // busy-wait on OS sees the 1.16 ms conversion end after about a dozen polls.
        var adsClock = SimulatedClock.AtNabEpoch(TimeSpan.FromMicroseconds(100));
        _ads1115 = new Ads1115Sensor("adc", new Ads1115Emulator(WaveformSignal.Constant(1, 2), adsClock), [InputMultiplexer.AIN0], clock: adsClock);

        var mcpClock = SimulatedClock.AtNabEpoch(TimeSpan.Zero);
        var signal = new WaveformSignal();
        for (int i = 0; i < 8; i++)
        {
            signal.Set(i, 0.3 * i, 0.1, 1, noise: 0.002);
        }

        _mcp3008 = new Mcp3008Sensor("adc8", new Mcp3008Emulator(signal, clock: mcpClock), [0, 1, 2, 3, 4, 5, 6, 7], clock: mcpClock);

        _adxlClock = SimulatedClock.AtNabEpoch(TimeSpan.Zero);
        var vib = new WaveformSignal();
        vib.Set(0, 0, 0.5, 25, noise: 0.01);
        vib.Set(2, 1, noise: 0.01);
        _adxl345 = new Adxl345Sensor("vib", new Adxl345Emulator(vib, _adxlClock), 3200, 16, _adxlClock);
        _adxl345.Open();

        _pulseClock = SimulatedClock.AtNabEpoch(TimeSpan.Zero);
        var pulses = new WaveformSignal();
        pulses.Set(17, 1000);
        _pulse = new PulseCounterSensor("flow", new GpioController(new EmulatedGpioDriver(pulses, clock: _pulseClock)), 17, _pulseClock, PulseCounterSensor.MinimumGateFor(1000)); // a gate closes at every read

        // The loop on the system clock at 10 MHz: every instant is already due, so no wait happens and the operation is the
        // loop's own cost (scheduler bookkeeping, supervisor, statistics, one read, the handler).
        var supervisor = new SensorSupervisor(new Mcp3008Sensor("adc", new Mcp3008Emulator(signal), [0]), 1e7);
        _loop = new SamplingLoop(supervisor, 1e7);
        _handler = (_, v) => _sink += v[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bme280.Dispose();
        _ads1115.Dispose();
        _mcp3008.Dispose();
        _adxl345.Dispose();
        _pulse.Dispose();
    }

    [Benchmark(Description = "BME280 (I2C, forced mode, 3 channels) per sample")]
    public SampleStatus Bme280() => _bme280.Read(_values, out _);

    [Benchmark(Description = "ADS1115 (I2C, single-shot, 1 input) per sample")]
    public SampleStatus Ads1115() => _ads1115.Read(_values, out _);

    [Benchmark(Description = "MCP3008 (SPI, 8 channels) per 8-channel sample")]
    public SampleStatus Mcp3008() => _mcp3008.Read(_values, out _);

    [Benchmark(OperationsPerInvoke = 16, Description = "ADXL345 (SPI, FIFO batch of 16 at 3200 Hz) per sample")]
    public int Adxl345()
    {
        _adxlClock.Advance(TimeSpan.FromTicks(50_000)); // 5 ms = 16 samples at 3200 Hz
        _adxl345.ReadBatch(_values, _timestamps, out int count);
        return count;
    }

    [Benchmark(Description = "GPIO pulse counter (1 kHz train, 1 ms between reads) per sample")]
    public SampleStatus PulseCounter()
    {
        _pulseClock.Advance(TimeSpan.FromMilliseconds(1));
        return _pulse.Read(_values, out _);
    }

    [Benchmark(Description = "SamplingLoop.RunOnce: scheduler + supervisor + MCP3008 1 channel")]
    public bool SamplingLoopRunOnce() => _loop.RunOnce(_handler, CancellationToken.None);
}
