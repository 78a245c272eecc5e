namespace Appliance.Drivers.Tests.Chips.Gpio;

// The [[alarm]] rule (issue 3: "a GPIO output driven by alerts: an alarm relay or lamp; the edge acts locally"): an alert from a
// listed sensor raises the line at once; it clears when `hold` has passed with no new alert. Levels are those of the GPIO
// character device (System.Device.Gpio PinValue), active-low inverting them as relay boards wired to sink current need.
public sealed class AlarmPanelTests
{
    private static (AlarmPanel Panel, EmulatedGpioDriver Chip, SimulatedClock Clock) Panel(bool activeLow = false, string[]? sensors = null)
    {
        var clock = SimulatedClock.AtNabEpoch();
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(clock, emulated);
        var output = factory.CreateAlarm("relay", BusSpec.Parse("emulated:gpio"), 4, activeLow);
        var panel = new AlarmPanel(clock);
        panel.Add(output, sensors ?? ["env"], TimeSpan.FromSeconds(5));
        return (panel, emulated.AlarmChips["relay"], clock);
    }

    [Fact]
    public void OnAlert_ListedSensor_RaisesLineAtOnceAndClearsAfterHold()
    {
        var (panel, chip, clock) = Panel();
        using var _ = panel;

        Assert.Equal(1, panel.OnAlert("env"));
        Assert.Equal(PinValue.High, chip.OutputLevel(4));

        clock.Advance(TimeSpan.FromSeconds(4.9));
        panel.Tick();
        Assert.Equal(PinValue.High, chip.OutputLevel(4));

        clock.Advance(TimeSpan.FromSeconds(0.1));
        panel.Tick();
        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
        var s = Assert.Single(panel.Snapshot());
        Assert.Equal(new AlarmStatus("relay", false, 1, 1, 0, null, true), s);
    }

    [Fact]
    public void OnAlert_NewAlertWithinHold_RestartsHoldAndCountsOneRaise()
    {
        var (panel, chip, clock) = Panel();
        using var _ = panel;

        panel.OnAlert("env");
        clock.Advance(TimeSpan.FromSeconds(4));
        panel.OnAlert("env");
        clock.Advance(TimeSpan.FromSeconds(4));
        panel.Tick();
        Assert.Equal(PinValue.High, chip.OutputLevel(4));

        clock.Advance(TimeSpan.FromSeconds(1));
        panel.Tick();
        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
        Assert.Equal(1, panel.Snapshot()[0].Raises);
        Assert.Equal(2, chip.OutputTransitions(4)); // low -> high -> low: the second alert wrote nothing
    }

    [Fact]
    public void OnAlert_SensorNotListed_LeavesLineAlone()
    {
        var (panel, chip, _) = Panel();
        using var __ = panel;

        Assert.Equal(0, panel.OnAlert("vib"));

        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
        Assert.Equal(0, chip.OutputTransitions(4));
    }

    [Fact]
    public void OnAlert_EmptySensorList_AnySensorRaises()
    {
        var (panel, chip, _) = Panel(sensors: []);
        using var __ = panel;

        Assert.Equal(1, panel.OnAlert("vib"));

        Assert.Equal(PinValue.High, chip.OutputLevel(4));
    }

    [Fact]
    public void OnAlert_ActiveLow_DrivesLineLowWhileRaisedAndHighOtherwise()
    {
        var (panel, chip, clock) = Panel(activeLow: true);
        using var _ = panel;

        panel.OnAlert("env");
        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
        clock.Advance(TimeSpan.FromSeconds(5));
        panel.Tick();
        Assert.Equal(PinValue.High, chip.OutputLevel(4));
        Assert.Equal(3, chip.OutputTransitions(4)); // the emulated line idles low: requested high (inactive), low while raised, high again
    }

    [Fact]
    public void OnAlert_GpioWriteFails_CountedReportedAndRetriedOnTick()
    {
        var (panel, chip, clock) = Panel();
        using var _ = panel;
        chip.Faults.InjectNack(1);

        panel.OnAlert("env");

        var s = panel.Snapshot()[0];
        Assert.True(s.Raised);
        Assert.False(s.InSync);
        Assert.Equal(1, s.Faults);
        Assert.Contains("relay", s.LastFault, StringComparison.Ordinal);
        Assert.Equal(PinValue.Low, chip.OutputLevel(4));

        // Retried at most once a second: not at the next tick, then at the first tick a second later.
        clock.Advance(TimeSpan.FromMilliseconds(50));
        panel.Tick();
        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
        clock.Advance(TimeSpan.FromSeconds(1));
        panel.Tick();
        Assert.Equal(PinValue.High, chip.OutputLevel(4));
        Assert.True(panel.Snapshot()[0].InSync);
    }

    [Fact]
    public void Start_TimerOnPanelClock_ClearsAfterHold()
    {
        // SimulatedClock fires a timer by moving time forward by its period: one Start moves 100 ms and ticks once.
        var (panel, chip, clock) = Panel();
        using var _ = panel;
        panel.OnAlert("env");
        clock.Advance(TimeSpan.FromSeconds(4.95));

        panel.Start(TimeSpan.FromMilliseconds(100));

        Assert.Equal(PinValue.Low, chip.OutputLevel(4));
    }

    [Fact]
    public void CreateAlarm_BusNotGpio_ThrowsNamingAlarmAndExpectedBuses()
    {
        var factory = new SensorFactory();

        var e = Assert.Throws<ArgumentException>(() => factory.CreateAlarm("relay", BusSpec.Parse("i2c:1"), 4, false));

        Assert.Contains("alarm 'relay'", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpio:N", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_SameNameTwice_Throws()
    {
        var factory = new SensorFactory(emulated: new EmulatedBuses());
        using var panel = new AlarmPanel();
        panel.Add(factory.CreateAlarm("relay", BusSpec.Parse("emulated:gpio"), 4, false), [], TimeSpan.FromSeconds(1));
        using var second = factory.CreateAlarm("relay", BusSpec.Parse("emulated:gpio"), 5, false);

        Assert.Throws<ArgumentException>(() => panel.Add(second, [], TimeSpan.FromSeconds(1)));
    }
}
