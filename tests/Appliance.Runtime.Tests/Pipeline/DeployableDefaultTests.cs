using System.Globalization;
using System.Text;

namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// Issue 19 item 2: the detector <c>appliance eval nab</c> scores by default (<see cref="DetectorSpec.Default"/>) is a
/// device configuration as written: <c>[[sensor]] detector = "..."</c> without <c>detector_range</c> is accepted, and the
/// device runs it over its windows (learning for <c>learn=N</c> windows, then alerting on a step far outside the range it learnt).
/// </summary>
public sealed class DeployableDefaultTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-deployable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Before this the default was "artime+spatial-range|holdfrac=0.2,level=0.2", refused here: ARTime needed learn=N and
    // detector_range, and holdfrac the file's probationary length.
    [Fact]
    public void Parse_DefaultSpecOnSensor_AcceptedAsWritten()
    {
        var config = ConfigLoader.Parse(Toml("'replay:x.csv'", "1h"), "appliance.toml");

        var sensor = config.Sensors[0].Detector!;
        Assert.Equal(DetectorSpec.Default, sensor.Spec);
        Assert.Equal(DetectorKind.Streaming, sensor.Kind);
        Assert.Equal("artime+spatial-range", WindowDetectors.Create(sensor, config.Detector).Name);
    }

    // 1,000 five-minute rows of 50 ± 0.5, one window each; rows 800–811 step to 70. The device learns for 500 windows
    // and then alerts in the window where the step starts (2024-01-03 18:40 UTC); every window is summarised.
    [Fact]
    public async Task Replay_DefaultSpec_DeviceRunsItAndAlertsOnTheStep()
    {
        var path = Path.Combine(_dir, "a.csv");
        var rng = new Random(7);
        var sb = new StringBuilder("timestamp,value\n");
        for (var i = 0; i < 1000; i++)
        {
            var v = 50 + (rng.NextDouble() - 0.5) + (i is >= 800 and < 812 ? 20 : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{T0.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{v:F3}\n");
        }

        File.WriteAllText(path, sb.ToString());
        var config = ConfigLoader.Parse(Toml($"'replay:{path}'", "5m"), "appliance.toml");
        var lines = new List<string>();
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", DeviceId = "t" }, new MemoryOutbox(1 << 16, TimeSpan.FromSeconds(5)));
        using var pipeline = new DevicePipeline(config, [new(new CsvReplaySource("a", path), 1, IsReplay: true)], uplink, new PipelineOptions { LiveLine = l => { lock (lines) { lines.Add(l); } } }, NullLogger.Instance);
        pipeline.Start();
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1000, pipeline.Counters.WindowsSummarised);
        Assert.Contains(lines, l => l.StartsWith("window 2024-01-03T18:40:00.000Z", StringComparison.Ordinal) && l.Contains("ALERT(", StringComparison.Ordinal));
    }

    private static string Toml(string bus, string window) =>
        $"[device]\nid = \"t\"\n[[sensor]]\nname = \"a\"\nchip = \"replay\"\nbus = {bus}\nrate_hz = 1\ndetector = \"{DetectorSpec.Default}\"\n"
        + $"[window]\nlength = \"{window}\"\n[uplink]\nendpoint = \"tcp://127.0.0.1:5556\"\n[gitops]\nbranch = \"main\"\ninterval = \"30s\"\n";
}
