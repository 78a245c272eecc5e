namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// Issue 14 item 9: a wall clock set back an hour mid-run. The live windows restart at the new time instead of dropping
/// an hour of samples as late; the step is counted.
/// </summary>
public sealed class ClockStepTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Drain_TimestampsStepBackAnHour_OpenWindowClosesAndWindowsRestartWithNoSampleLate()
    {
        var ring = new SampleRing(64, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1), stepBack: TimeSpan.FromSeconds(1));
        var closed = new WindowFeatures[1];
        long t0 = 7200 * Second;
        ring.TryWrite(t0 + (Second / 10), [1f]);
        ring.TryWrite(t0 + (Second / 2), [2f]);
        ring.TryWrite(t0 + (Second / 2) - 3600 * Second, [3f]); // the clock was set back an hour
        ring.TryWrite(t0 + (Second * 6 / 10) - 3600 * Second, [4f]);

        Assert.True(w.Drain(closed, out var start, out var end));
        Assert.Equal((t0, t0 + Second, 2L), (start, end, closed[0].Count));
        Assert.False(w.Drain(closed, out _, out _));
        Assert.True(w.Flush(closed, out start, out _));
        Assert.Equal((t0 - (3600 * Second), 2L, 3.5), (start, closed[0].Count, closed[0].Mean));
        Assert.Equal((0L, 1L), (w.LateSamples, w.StepsBack));
    }

    [Fact]
    public void Drain_NoStepBackGiven_EarlierSamplesStayLate()
    {
        // Replays and training keep the old meaning: a sample before the open window is late, whatever the distance.
        var ring = new SampleRing(16, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1));
        ring.TryWrite(7200 * Second, [1f]);
        ring.TryWrite(3600 * Second, [2f]);
        Assert.False(w.Drain(new WindowFeatures[1], out _, out _));
        Assert.Equal((1L, 0L), (w.LateSamples, w.StepsBack));
    }

    [Fact]
    public async Task Pipeline_LiveSensorClockSetBackAnHourMidRun_EverySampleSummarisedNoneLate()
    {
        // 300 samples 10 ms apart on the emulated clock from 12:00:00; before the 151st the wall clock is set back an hour.
        // Windows of 1 s: [12:00:00, +1 s) holds 100, [12:00:01, +1 s) 50 (closed by the step), then [11:00:01, +1 s) 50
        // and [11:00:02, +1 s) 100. Before the fix the last 150 samples were all dropped as late.
        var sim = SimulatedClock.AtNabEpoch();
        var clock = new SteadyClock(sim);
        using var source = new SteppedSource(sim, clock, count: 300, stepAt: 150);
        var config = ConfigLoader.Parse(DefaultConfig.ReplayToml("tcp://127.0.0.1:9", "unused.csv", TimeSpan.FromSeconds(1)), "appliance.toml");
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:9", DeviceId = config.Device.Id }, new MemoryOutbox(4096, TimeSpan.FromSeconds(5)));
        var lines = new List<string>();
        using var pipeline = new DevicePipeline(config, [new SensorBinding(source, 1000, IsReplay: false)], uplink, new PipelineOptions { LiveLine = lines.Add }, NullLogger.Instance);

        pipeline.Start();
        await source.Ended.Task.WaitAsync(TimeSpan.FromSeconds(60));
        pipeline.Stop(); // a live pipeline runs until stopped: its open windows are flushed then
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(
            ["2024-03-01T12:00:00.000Z n=100", "2024-03-01T12:00:01.000Z n=50", "2024-03-01T11:00:01.000Z n=50", "2024-03-01T11:00:02.000Z n=100"],
            lines.Select(l => $"{l.Split(' ')[1]} {l.Split(' ')[4]}"));
        Assert.Equal((300L, 0L, 4L), (pipeline.Counters.SamplesRead, pipeline.Counters.LateSamples, pipeline.Counters.WindowsSummarised));
        Assert.Equal(1, clock.Steps);
    }

    [Fact]
    public void Heartbeat_ClockStepAndLateSamples_CountedAndNamedAtTheCollector()
    {
        var sim = SimulatedClock.AtNabEpoch();
        var clock = new SteadyClock(sim);
        clock.GetUtcNow();
        sim.StepWallClock(TimeSpan.FromHours(-1));
        clock.GetUtcNow();

        var h = DeviceHeartbeat.Create(0, "none", "", null, null, null, new PipelineCounters(10, 0, 0, 1, 0, 0, LateSamples: 3), [], clock: clock);

        Assert.Equal(1, h.Counters[(int)HeartbeatCounter.ClockSteps]);
        Assert.Equal(3, h.Counters[(int)HeartbeatCounter.LateSamples]);
        Assert.Equal(("clock_steps", "late_samples"), (StoreRowMapping.CounterName(21), StoreRowMapping.CounterName(20)));
    }

    /// <summary>A one-channel live source stamped by <paramref name="clock"/>, 10 ms of emulated time per read.</summary>
    private sealed class SteppedSource(SimulatedClock sim, SteadyClock clock, int count, int stepAt) : ISampleSource
    {
        private int _read;

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "s";

        public IReadOnlyList<string> Channels { get; } = ["value"];

        public SampleStatus Read(Span<float> values, out long timestampNs)
        {
            timestampNs = 0;
            if (_read == count)
            {
                Ended.TrySetResult();
                return SampleStatus.EndOfStream;
            }

            if (_read == stepAt)
            {
                sim.StepWallClock(TimeSpan.FromHours(-1));
            }

            timestampNs = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
            values[0] = _read++;
            sim.Advance(TimeSpan.FromMilliseconds(10));
            return SampleStatus.Ok;
        }

        public void Dispose()
        {
        }
    }
}
