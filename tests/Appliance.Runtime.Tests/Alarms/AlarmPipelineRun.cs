namespace Appliance.Runtime.Tests.Alarms;

/// <summary>
/// One run of the device pipeline, shared by the tests of <see cref="AlarmPipelineTests"/>: an emulated BME280 at 20 Hz with the
/// physical model's heater fault (+15 °C, BST-BME280-DS002 has no such thing: it stands for a failing heater next to the sensor)
/// from 3.5 s for 1.5 s, 0.5 s windows, the EWMA z-score detector, and three alarms on emulated GPIO chips: <c>relay</c>
/// (active high, line 4), <c>lamp</c> (active low, line 5) and <c>siren</c> (line 6, held 3 s, whose chip NACKs every write until 1 s
/// after the first alert, so that the retry comes while it is still raised). A watcher samples every line every 5 ms, so the tests see the order of events, not just the end state.
/// </summary>
public sealed class AlarmPipelineRun : IAsyncLifetime
{
    public const string Toml = """
        [device]
        id = "alarm-test"

        [[sensor]]
        name = "env"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = 20

        [[alarm]]
        name = "relay"
        bus = "emulated:gpio"
        line = 4
        sensors = ["env"]
        hold = "1s"

        [[alarm]]
        name = "lamp"
        bus = "emulated:gpio"
        line = 5
        active = "low"
        hold = "1s"

        [[alarm]]
        name = "siren"
        bus = "emulated:gpio"
        line = 6
        hold = "3s"

        [window]
        length = "500ms"

        [detector]
        kind = "ewma-z"
        alpha = 0.1
        threshold = 4.0
        warmup = 4
        cooldown = 2

        [inference]
        enabled = false

        [uplink]
        endpoint = "tcp://127.0.0.1:9"

        [gitops]
        branch = "main"
        interval = "30s"
        """;

    private readonly List<Event> _events = [];

    /// <summary>What the watcher saw, in time order: a line's level change, or the pipeline's alert count growing.</summary>
    public IReadOnlyList<Event> Events => _events;

    public IReadOnlyList<AlarmStatus> Final { get; private set; } = [];

    public IReadOnlyList<AlarmStatus>? WhileSirenFailing { get; private set; }

    public long SamplesAtFirstAlert { get; private set; }

    public long SamplesAtEnd { get; private set; }

    public long SamplesWhileSirenFailing { get; private set; }

    public string StatusJson { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var config = ConfigLoader.Parse(Toml, "appliance.toml");
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(emulated: emulated);
        var model = new Bme280PhysicalModel();
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        model.InjectFault(Bme280Fault.HeaterStep, now + 3_500_000_000, now + 5_000_000_000);
        var s = config.Sensors[0];
        emulated.UseSignal(s.Name, model);
        var sensor = factory.Create(s.ToDescriptor());
        using var supervised = new SensorSupervisor(sensor, s.RateHz);
        using var panel = AlarmSettings.OpenPanel(config.Alarms, factory);
        var siren = emulated.AlarmChips["siren"];
        siren.Faults.Set(BusFaultKind.Nack, true);
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = config.Uplink.Endpoint, DeviceId = config.Device.Id }, new MemoryOutbox(1 << 14, TimeSpan.FromSeconds(5)));
        using var pipeline = new DevicePipeline(config, [new SensorBinding(supervised, s.RateHz, IsReplay: false)], uplink, new PipelineOptions(), NullLogger.Instance, panel);
        var section = new Appliance.Device.Health.AlarmStatusSection(() => panel);

        panel.Start(TimeSpan.FromMilliseconds(20));
        pipeline.Start();
        var clock = Stopwatch.StartNew();
        var lines = new[] { ("relay", emulated.AlarmChips["relay"], 4), ("lamp", emulated.AlarmChips["lamp"], 5), ("siren", siren, 6) };
        var last = new PinValue?[3];
        long alerts = 0;
        DateTime? firstAlert = null;
        TimeSpan? sirenRecoveredAt = null;
        TimeSpan? stoppedAt = null;
        // Normally done about 8 s in (the break below); the bound only stops a broken run, and is generous because a loaded
        // 2-core machine can stretch the heater fault's after-effects (a second incident as the step ends) past 20 s.
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var c = pipeline.Counters;
            if (c.Alerts > alerts)
            {
                alerts = c.Alerts;
                _events.Add(new Event(clock.Elapsed, "alert", null));
                if (firstAlert is null)
                {
                    firstAlert = DateTime.UtcNow;
                    SamplesAtFirstAlert = c.SamplesRead;
                }
            }

            for (var i = 0; i < lines.Length; i++)
            {
                var level = lines[i].Item2.OutputLevel(lines[i].Item3);
                if (last[i] != level)
                {
                    last[i] = level;
                    _events.Add(new Event(clock.Elapsed, lines[i].Item1, level));
                }
            }

            if (firstAlert is { } f && WhileSirenFailing is null && DateTime.UtcNow - f > TimeSpan.FromSeconds(1))
            {
                WhileSirenFailing = panel.Snapshot();
                SamplesWhileSirenFailing = pipeline.Counters.SamplesRead;
                StatusJson = Json(section);
                siren.Faults.Set(BusFaultKind.Nack, false);
                sirenRecoveredAt = clock.Elapsed;
            }

            // The pipeline is stopped well after the heater fault (3.5 s to 5 s) and the siren's recovery, so that no alert can
            // come later (the EWMA settling after the step can raise a second incident a few windows on); the watch then goes
            // on until every alarm has cleared after its hold and the lines have been quiet for a while.
            if (stoppedAt is null && sirenRecoveredAt is { } r && clock.Elapsed > TimeSpan.FromSeconds(8) && clock.Elapsed > r + TimeSpan.FromSeconds(2))
            {
                pipeline.Stop();
                stoppedAt = clock.Elapsed;
                SamplesAtEnd = pipeline.Counters.SamplesRead;
            }

            if (stoppedAt is not null && panel.Snapshot().All(a => !a.Raised && a.InSync) && _events[^1].At < clock.Elapsed - TimeSpan.FromSeconds(0.5))
            {
                break;
            }

            await Task.Delay(5);
        }

        if (stoppedAt is null)
        {
            pipeline.Stop();
            SamplesAtEnd = pipeline.Counters.SamplesRead;
        }

        Final = panel.Snapshot();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The properties <paramref name="section"/> writes, as one JSON object (what status.json holds of it).</summary>
    internal static string Json(Appliance.Device.Health.IStatusSection section)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            section.Write(w);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One observation: <paramref name="What"/> is <c>alert</c> or an alarm's name, with the line's new level.</summary>
    public sealed record Event(TimeSpan At, string What, PinValue? Level);
}
