using Appliance.Runtime.Tests.Config;

namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// Issue 20 items 5 and 6 on a running pipeline with two emulated sensors (BME280 at 20 Hz, MCP3008 at 50 Hz, 500 ms windows):
/// a fault injected into the pipeline worker is restarted and counted while the sensors keep their rate, and the watchdogs'
/// progress signal names a stuck worker. Rates are measured on the samples' own timestamps (the device clock that stamps them,
/// <see cref="SteadyClock"/>), through the windows the pipeline closes: a window's sample count over its length.
/// </summary>
public sealed class PipelineSupervisionTests
{
    private static readonly string Toml = TestToml.EnvSensorHead.Replace("rate_hz = 10", "rate_hz = 20", StringComparison.Ordinal) + """

        [[sensor]]
        name = "adc"
        chip = "mcp3008"
        bus = "emulated:mcp3008"
        rate_hz = 50

        [inference]
        enabled = false
        """ + TestToml.Tail.Replace("length = \"1s\"", "length = \"500ms\"", StringComparison.Ordinal);

    [Fact]
    public async Task WorkerFault_InjectedOnce_RestartedCountedAndEverySensorKeepsItsRateWithNoWindowLost()
    {
        var config = ConfigLoader.Parse(Toml, "appliance.toml");
        var stats = new List<SamplingStats>();
        var sensors = config.Sensors.Select(s => DeviceParts.CreateSensor(s, stats, NullLogger.Instance)).ToList();
        var lines = new List<string>(); // written on the pipeline thread only (the hook runs there too)
        var count = 0; // sensor windows closed: one line each (read by the test's thread)
        var escalations = new List<string>();
        var supervisor = new StageSupervisor(NullLogger.Instance, escalations.Add, backoffBase: TimeSpan.FromMilliseconds(200));
        var faultAtLine = -1;
        void Fault()
        {
            if (faultAtLine < 0 && lines.Count >= 4)
            {
                faultAtLine = lines.Count;
                throw new InvalidOperationException("injected worker fault");
            }
        }

        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:9", DeviceId = config.Device.Id }, new MemoryOutbox(1 << 14, TimeSpan.FromSeconds(5)));
        using var pipeline = new DevicePipeline(config, sensors, uplink, new PipelineOptions { LiveLine = l => { lines.Add(l); Interlocked.Increment(ref count); }, Supervisor = supervisor, WorkerFault = Fault }, NullLogger.Instance);
        try
        {
            pipeline.Start();
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref count) < 16 * 2 && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            pipeline.Stop();
        }
        finally
        {
            foreach (var s in sensors)
            {
                s.Source.Dispose();
            }
        }

        // Restarted once, counted, and the status file's keys say so.
        Assert.True(faultAtLine > 0, "the fault was injected");
        Assert.Equal(1, supervisor.Restarts);
        var stage = Assert.Single(supervisor.Snapshot());
        Assert.Equal(("pipeline", 1L, "InvalidOperationException: injected worker fault"), (stage.Stage, stage.Restarts, stage.LastError));
        Assert.Empty(escalations);
        using (var status = JsonDocument.Parse(Alarms.AlarmPipelineRun.Json(new SupervisionStatusSection(supervisor, () => null))))
        {
            Assert.Equal(1, status.RootElement.GetProperty("stage_restarts").GetInt64());
            Assert.Equal("pipeline", status.RootElement.GetProperty("stages")[0].GetProperty("stage").GetString());
        }

        // Every sensor's windows run on without a gap across the restart (the rings held the samples during the backoff),
        // and from the fault on each sensor's windows hold its rate on its own clock: Σ n / (windows · 0.5 s). The one
        // allowance is the sampling grid's own count of instants it skipped (SamplingScheduler: a sampling thread the
        // machine held up, e.g. a GC pause at load 30; CI saw a 2 s gap): a window may be missing only where every
        // instant of it was skipped and counted, and those counted instants are the only samples a window may lack.
        foreach (var (sensor, rate) in new[] { ("env", 20.0), ("adc", 50.0) })
        {
            var windows = lines.Select(Parse).Where(w => w.Sensor == sensor).ToList();
            var missed = stats.Where(s => s.Sensor == sensor).Sum(s => s.Snapshot().MissedDeadlines);
            Assert.True(windows.Count >= 12, $"{sensor}: {windows.Count} windows");
            long gapInstants = 0; // instants of the missing windows: 0.5 s · rate each
            for (var i = 1; i < windows.Count; i++)
            {
                var step = windows[i].Start - windows[i - 1].Start;
                Assert.True(step >= TimeSpan.FromMilliseconds(500) && step.Ticks % TimeSpan.FromMilliseconds(500).Ticks == 0, $"{sensor}: windows at {windows[i - 1].Start:O} and {windows[i].Start:O}");
                gapInstants += (long)Math.Round((step - TimeSpan.FromMilliseconds(500)).TotalSeconds * rate);
            }

            Assert.True(gapInstants <= missed, $"{sensor}: windows missing for {gapInstants} sample instants, the sampling grid skipped {missed}: a window was lost");

            // Full windows from the one open at the fault on (the first and last windows of a run are partial).
            var faultStart = Parse(lines[faultAtLine - 1]).Start;
            var after = windows.Where(w => w.Start >= faultStart).Skip(1).SkipLast(1).ToList();
            var measured = after.Sum(w => w.Count) / (after.Count * 0.5);
            var withSkipped = (after.Sum(w => w.Count) + missed - gapInstants) / (after.Count * 0.5);
            Assert.True(after.Count >= 6 && withSkipped >= 0.9 * rate && measured <= rate + (1 / 0.5), $"{sensor}: {measured:F2} Hz ({withSkipped:F2} Hz with the {missed - gapInstants} instants the grid skipped outside gaps) over {after.Count} windows after the fault; configured {rate} Hz");
        }
    }

    [Fact]
    public void Stall_WorkerStuck_NamedByTheProgressSignalAndTheWatchdogWithheldUntilItTurnsAgain()
    {
        var config = ConfigLoader.Parse(Toml, "appliance.toml");
        var stats = new List<SamplingStats>();
        var sensors = config.Sensors.Select(s => DeviceParts.CreateSensor(s, stats, NullLogger.Instance)).ToList();
        using var stuck = new ManualResetEventSlim(true);
        using var entered = new ManualResetEventSlim(false);
        var block = 0;
        void Hook()
        {
            if (Volatile.Read(ref block) == 1)
            {
                entered.Set();
                stuck.Wait();
            }
        }

        var device = Path.GetTempFileName(); // stands for /dev/watchdog
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:9", DeviceId = config.Device.Id }, new MemoryOutbox(1 << 14, TimeSpan.FromSeconds(5)));
        var windows = 0;
        int lines() => Volatile.Read(ref windows);
        using var pipeline = new DevicePipeline(config, sensors, uplink, new PipelineOptions { WorkerFault = Hook, LiveLine = _ => Interlocked.Increment(ref windows) }, NullLogger.Instance);
        var limit = TimeSpan.FromMilliseconds(300);
        try
        {
            using var watchdog = new ServiceWatchdog(() => pipeline.Stall(limit), null, new HardwareWatchdog(device), TimeSpan.FromSeconds(1), NullLogger.Instance);
            pipeline.Start();
            Assert.True(SpinWait.SpinUntil(() => pipeline.Stall(limit) is null && lines() > 0, TimeSpan.FromSeconds(10)));
            Assert.True(watchdog.Tick());

            stuck.Reset();
            Volatile.Write(ref block, 1);
            Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
            Thread.Sleep(limit * 2);
            Assert.StartsWith("pipeline worker: no turn for ", pipeline.Stall(limit), StringComparison.Ordinal);
            Assert.False(watchdog.Tick());

            Volatile.Write(ref block, 0);
            stuck.Set();
            // (a loaded machine may take a while to schedule the worker again: wait for its turn, not a fixed time)
            Assert.True(SpinWait.SpinUntil(() => pipeline.Stall(limit) is null, TimeSpan.FromSeconds(10)), pipeline.Stall(limit));
            Assert.True(watchdog.Tick());
            pipeline.Stop();
            watchdog.Stop(clean: true);
            Assert.Equal((2L, 1L), (watchdog.Fed, watchdog.Withheld));
            Assert.Equal("\0\0V"u8.ToArray(), File.ReadAllBytes(device));
        }
        finally
        {
            stuck.Set();
            File.Delete(device);
            foreach (var s in sensors)
            {
                s.Source.Dispose();
            }
        }
    }

    private static (string Sensor, DateTimeOffset Start, long Count) Parse(string line)
    {
        // "window 2026-12-07T00:00:00.500Z env: temperature n=10 mean=..." (LiveLine)
        var parts = line.Split(' ');
        var n = parts.First(p => p.StartsWith("n=", StringComparison.Ordinal));
        return (parts[2].TrimEnd(':'), DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(n[2..], CultureInfo.InvariantCulture));
    }
}
