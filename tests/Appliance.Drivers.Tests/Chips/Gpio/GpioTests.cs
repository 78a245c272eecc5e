using System.Device.Gpio;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips.Gpio;
using Appliance.Drivers.Sources;
using Appliance.Drivers.Tests.TestSupport;

namespace Appliance.Drivers.Tests.Chips.Gpio;

public sealed class GpioTests
{
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
