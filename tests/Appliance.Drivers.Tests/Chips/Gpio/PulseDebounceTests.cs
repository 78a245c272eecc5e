namespace Appliance.Drivers.Tests.Chips.Gpio;

/// <summary>
/// Issue 14 item 17: a contact that bounces. The emulated chip follows every rising edge of a 50 Hz pulse train with 3 more,
/// 0.2 ms apart (<see cref="EmulatedGpioDriver.SetBounce"/>: a reed switch's bounce lasts about a millisecond); the counter
/// must report one edge per real edge, 50 Hz, not 200 Hz.
/// </summary>
public sealed class PulseDebounceTests
{
    private static (PulseCounterSensor Counter, SimulatedClock Clock) BouncingTach(TimeSpan? debounce)
    {
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        signal.Set(0, 50);
        var driver = new EmulatedGpioDriver(signal, clock: clock);
        driver.SetBounce(0, extraEdges: 3, TimeSpan.FromMilliseconds(0.2));
        return (new PulseCounterSensor("tach", new GpioController(driver), 0, clock, debounce: debounce), clock);
    }

    [Fact]
    public void Read_BouncingEdgesWithoutDebounce_CountsEveryBounce()
    {
        // The defect, reproduced: each bounce is a rising edge, so the rate is 4 × 50 Hz.
        var (counter, clock) = BouncingTach(debounce: null);
        using var owned = counter;
        Span<float> values = stackalloc float[2];
        counter.Open();
        clock.Advance(TimeSpan.FromSeconds(1));
        counter.Read(values, out _);
        Assert.Equal(200f, values[0]);
    }

    [Fact]
    public void Read_BouncingEdgesWith2msDebounce_OnePerRealEdge()
    {
        var (counter, clock) = BouncingTach(TimeSpan.FromMilliseconds(2));
        using var owned = counter;
        Span<float> values = stackalloc float[2];
        counter.Open();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SampleStatus.Ok, counter.Read(values, out _));

        Assert.Equal(50f, values[0]);
        Assert.Equal((50L, 150L), (counter.EdgeCount, counter.BouncesFiltered));

        // Edges are judged by their own times, not by when they are delivered: a second read after 0.5 s more still gives 50 Hz.
        clock.Advance(TimeSpan.FromMilliseconds(500));
        counter.Read(values, out _);
        Assert.Equal(50f, values[0]);
    }

    [Fact]
    public void Read_DebounceShorterThanThePeriod_NoRealEdgeLost()
    {
        // 400 Hz without bounce (2.5 ms period) under a 2 ms debounce: every edge counts.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new WaveformSignal();
        signal.Set(0, 400);
        using var counter = new PulseCounterSensor("tach", new GpioController(new EmulatedGpioDriver(signal, clock: clock)), 0, clock, debounce: TimeSpan.FromMilliseconds(2));
        Span<float> values = stackalloc float[2];
        counter.Open();
        clock.Advance(TimeSpan.FromSeconds(1));
        counter.Read(values, out _);
        Assert.Equal(400f, values[0]);
        Assert.Equal(0, counter.BouncesFiltered);
    }
}
