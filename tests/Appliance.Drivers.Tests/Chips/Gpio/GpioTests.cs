namespace Appliance.Drivers.Tests.Chips.Gpio;

public sealed class GpioTests
{
    // A counter on line 0 of an emulated chip carrying a square wave of hz (the wave starts at phase 0: rising edges at whole cycles).
    private static PulseCounterSensor Tach(SimulatedClock clock, WaveformSignal signal, double hz, TimeSpan? minimumGate = null)
    {
        signal.Set(0, hz);
        return new PulseCounterSensor("tach", new GpioController(new EmulatedGpioDriver(signal, clock: clock)), 0, clock, minimumGate);
    }

    [Fact]
    public void Read_120HzPulseTrainForOneSecond_Reports120Hz()
    {
        // A 120 Hz square wave has 120 rising edges per second; the counter reports edges / elapsed monotonic time.
        var clock = SimulatedClock.AtNabEpoch();
        var driver = new EmulatedGpioDriver(WaveformSignal.Constant(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 120), clock: clock);
        using var counter = new PulseCounterSensor("flow", new GpioController(driver), 17, clock);
        Span<float> values = stackalloc float[2];
        counter.Open();

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SampleStatus.Ok, counter.Read(values, out _));

        Assert.Equal(120f, values[0]);
        Assert.Equal(120, counter.EdgeCount);
    }

    [Fact]
    public void Read_FrequencyChanges_EachReadMeasuresItsOwnInterval()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        signal.Set(4, 50);
        using var counter = new PulseCounterSensor("tach", new GpioController(new EmulatedGpioDriver(signal, clock: clock)), 4, clock);
        Span<float> values = stackalloc float[2];
        counter.Open();

        clock.Advance(TimeSpan.FromSeconds(2));
        counter.Read(values, out _);
        Assert.Equal(50f, values[0]);

        signal.Set(4, 300);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        counter.Read(values, out _);
        Assert.Equal(300f, values[0]);
    }

    [Fact]
    public void Read_StuckLine_ReportsZeroHertz()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        signal.Set(4, 50);
        var driver = new EmulatedGpioDriver(signal, clock: clock);
        using var counter = new PulseCounterSensor("tach", new GpioController(driver), 4, clock);
        Span<float> values = stackalloc float[2];
        counter.Open();

        driver.Faults.Set(BusFaultKind.StuckValue, true);
        clock.Advance(TimeSpan.FromSeconds(1));
        counter.Read(values, out _);

        Assert.Equal(0f, values[0]);
    }

    [Fact]
    public void SamplingLoopRunOnce_10HzPulseTrainAt4HzSampling_FirstReadAfterStartReports10Hz()
    {
        // A 10 Hz square wave has 10 rising edges per second (f = N / gate, Keysight AN 200). The loop opens the line as it
        // starts and reads one period (250 ms at 4 Hz) later, so the first reading is over a full gate: 2.5 cycles, i.e. 2
        // rising edges (at 0.1 s and 0.2 s; the emulated wave starts at phase 0, rising at every whole cycle) -> 8 Hz, and the
        // four readings of the first second together count its 10 edges. Before the fix the first read opened the line and
        // measured over 0 s: 0 Hz.
        var clock = SimulatedClock.AtNabEpoch();
        var counter = Tach(clock, new WaveformSignal(), 10, PulseCounterSensor.MinimumGateFor(4));
        using var supervisor = new SensorSupervisor(counter, 4, clock: clock);
        var loop = new SamplingLoop(supervisor, 4, clock);
        var rates = new List<float>();

        for (int i = 0; i < 4; i++)
        {
            loop.RunOnce((_, v) => rates.Add(v[0]), CancellationToken.None);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), clock.Elapsed);
        Assert.Equal(8f, rates[0]);
        Assert.Equal(10f, rates.Sum() / 4);
        Assert.Equal(0, supervisor.Stats.Snapshot().Faults);
    }

    [Fact]
    public void Read_TwoReads1MicrosecondApart_SecondRepeatsTheGateRateWithoutResettingTheCount()
    {
        // 10 Hz over a 1 s gate = 10 edges / 1 s. A read 1 µs later is before the 125 ms minimum gate: it reports the completed
        // gate's 10 Hz (not 0 edges / 1 µs = 0 Hz, nor 1 edge / 1 µs = 10^6 Hz) and keeps counting, so the next gate, closed
        // 250 ms after the first, holds 2.5 cycles (edges at 1.1 s and 1.2 s) over 0.25 s: 8 Hz.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        using var counter = Tach(clock, signal, 10, TimeSpan.FromMilliseconds(125));
        Span<float> values = stackalloc float[2];
        counter.Open();

        clock.Advance(TimeSpan.FromSeconds(1));
        counter.Read(values, out _);
        Assert.Equal(10f, values[0]);
        clock.Advance(TimeSpan.FromMicroseconds(1));
        counter.Read(values, out _);
        Assert.Equal(10f, values[0]);

        clock.Advance(TimeSpan.FromMilliseconds(250) - TimeSpan.FromMicroseconds(1));
        counter.Read(values, out _);
        Assert.Equal(8f, values[0]);
        Assert.Equal(12, counter.EdgeCount);
    }

    [Fact]
    public void Read_RateStepsFrom10To40Hz_NewRateReportedAtTheEndOfTheNextGate()
    {
        // Gate 100 ms, reads every 100 ms. A step from 10 Hz to 40 Hz at a gate boundary: the gate that follows counts
        // 40 Hz x 0.1 s = 4 edges -> 40 Hz; reads before it has elapsed (50 ms in) still report the previous gate's 10 Hz.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        using var counter = Tach(clock, signal, 10, TimeSpan.FromMilliseconds(100));
        Span<float> values = stackalloc float[2];
        counter.Open();
        clock.Advance(TimeSpan.FromSeconds(1));
        counter.Read(values, out _);
        Assert.Equal(10f, values[0]);

        signal.Set(0, 40);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        counter.Read(values, out _);
        Assert.Equal(10f, values[0]);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        counter.Read(values, out _);

        Assert.Equal(40f, values[0]);
    }

    [Fact]
    public void Read_RightAfterOpenBeforeAnyGate_ReportsNaNAndTryReadFrequencyFails()
    {
        // No gate has elapsed yet: there is no rate to report (a count over 0 s is undefined), so NaN, not 0 Hz.
        var clock = SimulatedClock.AtNabEpoch();
        using var counter = Tach(clock, new WaveformSignal(), 10);
        Span<float> values = stackalloc float[2];
        counter.Open();

        Assert.Equal(SampleStatus.Ok, counter.Read(values, out _));
        Assert.True(float.IsNaN(values[0]));
        Assert.False(counter.TryReadFrequency(out _));

        clock.Advance(PulseCounterSensor.DefaultMinimumGate);
        Assert.True(counter.TryReadFrequency(out var f));
        Assert.Equal(10.0, f.Hertz, 9); // 1 edge (at 0.1 s) in 0.1 s
    }

    [Fact]
    public void MinimumGateFor_4HzSampling_IsHalfThePeriod()
    {
        // Half of the 250 ms period of a 4 Hz sampler (see the constructor's documentation for why half).
        Assert.Equal(TimeSpan.FromMilliseconds(125), PulseCounterSensor.MinimumGateFor(4));
        Assert.Equal(PulseCounterSensor.DefaultMinimumGate, PulseCounterSensor.MinimumGateFor(0));
    }

    [Fact]
    public void Raise_ActiveHighAndActiveLow_DriveTheLineAsWired()
    {
        var driver = new EmulatedGpioDriver(new WaveformSignal());
        using var relay = new AlarmOutput("relay", new GpioController(driver), 22);
        var driver2 = new EmulatedGpioDriver(new WaveformSignal());
        using var lamp = new AlarmOutput("lamp", new GpioController(driver2), 23, activeLow: true);

        Assert.True(relay.Raise());
        Assert.True(lamp.Raise());
        Assert.Equal(PinValue.High, driver.OutputLevel(22));
        Assert.Equal(PinValue.Low, driver2.OutputLevel(23));

        relay.Clear();
        lamp.Clear();
        Assert.Equal(PinValue.Low, driver.OutputLevel(22));
        Assert.Equal(PinValue.High, driver2.OutputLevel(23));
        Assert.Equal(1, relay.RaiseCount);
    }

    [Fact]
    public void Raise_WriteFails_CountedAndRefreshWritesItOnceTheChipAnswers()
    {
        var driver = new EmulatedGpioDriver(new WaveformSignal());
        using var relay = new AlarmOutput("relay", new GpioController(driver), 22);
        relay.Clear();

        driver.Faults.InjectNack(1);
        Assert.False(relay.Raise());
        Assert.Equal(1, relay.FaultCount);
        Assert.False(relay.IsInSync);
        Assert.Equal(PinValue.Low, driver.OutputLevel(22));

        Assert.True(relay.Refresh());
        Assert.Equal(PinValue.High, driver.OutputLevel(22));
    }
}
