namespace Appliance.Runtime.Tests.Alarms;

// Issue 3, "a GPIO output driven by alerts (an alarm relay or lamp: the edge acts locally without the cloud)", and the agreed
// [[alarm]] schema: an alert raises the line within the same window close, and the alarm clears after `hold` with no new alert.
// Levels: System.Device.Gpio PinValue on the emulated GPIO character device; active = "low" inverts them (active-low relay boards).
public sealed class AlarmPipelineTests(AlarmPipelineRun run) : IClassFixture<AlarmPipelineRun>
{
    private static readonly TimeSpan s_hold = TimeSpan.FromSeconds(1);

    // The watcher polls every 5 ms, but on a loaded 2-core machine a poll can come late; events are compared with this slack,
    // small against what a wrong implementation would show (a line up seconds before the alert, or down a tick after it).
    private static readonly TimeSpan s_slack = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void HeaterFaultAlert_ActiveHighAlarm_LineGoesHighOnAlertAndLowAfterHold()
    {
        var log = Describe();
        var firstAlert = run.Events.FirstOrDefault(e => e.What == "alert") ?? throw new Xunit.Sdk.XunitException("no alert: " + log);
        var relay = run.Events.Where(e => e.What == "relay").ToList();

        // The line idles low (the emulated chip's reset level), goes high only once an alert exists, and ends low.
        Assert.True(relay.Count >= 3, log);
        Assert.Equal(PinValue.Low, relay[0].Level);
        var high = relay.First(e => e.Level == PinValue.High);
        Assert.True(high.At >= firstAlert.At - s_slack, log);
        Assert.Equal(PinValue.Low, relay[^1].Level);

        // It falls only after a full hold with no alert: at least `hold` after the latest alert before the fall.
        var fall = relay.First(e => e.At > high.At && e.Level == PinValue.Low);
        var lastAlertBefore = run.Events.Last(e => e.What == "alert" && e.At <= fall.At);
        Assert.True(fall.At - lastAlertBefore.At >= s_hold - s_slack, log);

        var status = run.Final.Single(a => a.Name == "relay");
        Assert.False(status.Raised);
        Assert.True(status.Raises >= 1 && status.Clears == status.Raises, log);
        Assert.Equal(0, status.Faults);
    }

    [Fact]
    public void HeaterFaultAlert_ActiveLowAlarm_LineGoesLowWhileRaisedAndHighOtherwise()
    {
        var log = Describe();
        var lamp = run.Events.Where(e => e.What == "lamp").ToList();

        // Requested at the inactive level (high) before any alert, low while raised, high again after hold.
        Assert.True(lamp.Count >= 3, log);
        var firstAlert = run.Events.First(e => e.What == "alert");
        Assert.All(lamp.Where(e => e.At < firstAlert.At - s_slack), e => Assert.NotEqual(PinValue.Low, e.Level ?? PinValue.High));
        Assert.Contains(lamp, e => e.Level == PinValue.Low && e.At >= firstAlert.At - s_slack);
        Assert.Equal(PinValue.High, lamp[^1].Level);
        Assert.True(run.Final.Single(a => a.Name == "lamp").Raises >= 1);
    }

    [Fact]
    public void HeaterFaultAlert_GpioWriteFails_FaultCountedReportedSamplingContinuesAndRetryCatchesUp()
    {
        var log = Describe();
        var failing = run.WhileSirenFailing ?? throw new Xunit.Sdk.XunitException("the run never got 1 s past its first alert: " + log);
        var siren = failing.Single(a => a.Name == "siren");

        // While the chip NACKs: wanted raised, not in sync, faults counted (the first write and the once-a-second retries).
        Assert.True(siren.Raised, log);
        Assert.False(siren.InSync);
        Assert.True(siren.Faults >= 1, log);
        Assert.Contains("siren", siren.LastFault, StringComparison.Ordinal);

        // status.json's "alarms" section says the same.
        using var doc = JsonDocument.Parse(run.StatusJson);
        var entry = doc.RootElement.GetProperty("alarms").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "siren");
        Assert.True(entry.GetProperty("raised").GetBoolean());
        Assert.False(entry.GetProperty("in_sync").GetBoolean());
        Assert.True(entry.GetProperty("faults").GetInt64() >= 1); // written a moment after the snapshot: a retry may have failed since
        Assert.Contains("siren", entry.GetProperty("last_fault").GetString(), StringComparison.Ordinal);

        // Sampling went on at 20 Hz through the failing writes (0.5 s at least between the two counts), and never stopped.
        Assert.True(run.SamplesWhileSirenFailing - run.SamplesAtFirstAlert >= 5, log);
        Assert.True(run.SamplesAtEnd > run.SamplesWhileSirenFailing, log);

        // Once the chip answers again, the retry writes the line, and the alarm clears after hold like the others.
        Assert.Contains(run.Events, e => e.What == "siren" && e.Level == PinValue.High);
        var final = run.Final.Single(a => a.Name == "siren");
        Assert.True(final.InSync && !final.Raised, log);
        Assert.True(final.Faults >= siren.Faults, log); // a retry tick may fail between the snapshot and the chip's recovery
    }

    private string Describe() => string.Join("; ", run.Events.Select(e => $"{e.At.TotalMilliseconds:F0} ms {e.What} {e.Level}"));
}
