using System.Net;
using System.Net.Sockets;
using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Metrics;

/// <summary>
/// The device's <c>[metrics] listen</c> endpoint (issue 16 item 6) on a running <see cref="DeviceRuntime"/> with the
/// emulated BME280 of <see cref="DefaultConfig.Toml"/> (no collector: the link stays down, the journal holds every record):
/// the exposition passes <c>promtool check metrics</c> and its values are the device's own counters (status.json's
/// sources); other paths are 404; a revision that changes or removes <c>[metrics]</c> rebinds or stops it in place.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class DeviceMetricsEndpointTests
{
    private static readonly ApplianceConfig s_config = ConfigLoader.Parse(DefaultConfig.Toml, ConfigRepository.ConfigFile);

    private static ConfigBundle Bundle(char rev, IPEndPoint? listen) =>
        new(new string(rev, 40), s_config with { Metrics = listen is null ? null : new MetricsSettings(listen) }, [], "test");

    [Fact]
    public async Task RunningDevice_ExpositionPassesPromtoolAndCarriesTheDevicesCounters()
    {
        var state = Directory.CreateTempSubdirectory("appliance-metrics-").FullName;
        try
        {
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);
            await device.ApplyAsync(Bundle('a', new IPEndPoint(IPAddress.Loopback, 0)), CancellationToken.None);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while ((device.Counters.WindowsSummarised < 8 || device.Counters.InferenceRuns < 2) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await device.StopAsync(TimeSpan.Zero); // the pipeline's counters stop; the uplink's and journal's are bracketed below
            var c = device.Counters;
            Assert.True(c.InferenceRuns >= 2, $"no ONNX runs to show: {c}");
            var before = (device.Uplink!.Counters, device.JournalCounters);
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri($"http://{device.MetricsEndPoint}/metrics"));
            var text = await response.Content.ReadAsStringAsync();
            var after = (device.Uplink!.Counters, device.JournalCounters);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Promtool.CheckMetrics(text);
            var m = Samples(text);
            Assert.Equal(c.SamplesRead, m["appliance_device_samples_total"]);
            Assert.Equal(c.SampleFaults, m["appliance_device_sample_faults_total"]);
            Assert.Equal(c.WindowsSummarised, m["appliance_device_windows_total"]);
            Assert.Equal(c.Alerts, m["appliance_device_alerts_total"]);
            Assert.Equal(c.InferenceRuns, m["appliance_device_onnx_runs_total"]);
            Assert.Equal(c.InferenceRuns, m["appliance_device_onnx_run_seconds_count"]); // every successful run is timed
            Assert.Equal(c.InferenceRuns, m["appliance_device_onnx_run_seconds_bucket{le=\"+Inf\"}"]);
            Assert.True(m["appliance_device_onnx_run_seconds_sum"] > 0);
            Assert.Equal(0, m["appliance_device_link_up"]); // nothing listens on the configured collector endpoint
            Assert.InRange(m["appliance_device_retransmits_total"], before.Item1.Retransmits, after.Item1.Retransmits);
            Assert.InRange(m["appliance_device_journal_backlog_records"], Backlog(before.Item2), Backlog(after.Item2));
            Assert.True(m["appliance_device_journal_backlog_records"] >= c.WindowsSummarised, "no summary was acknowledged: each is in the backlog");
            Assert.InRange(m["appliance_device_journal_bytes"], before.Item2.JournalBytes, after.Item2.JournalBytes);
            var sensor = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "status.json"))).RootElement.GetProperty("sensors")[0];
            Assert.Equal(("env", "ok"), (sensor.GetProperty("name").GetString(), sensor.GetProperty("health").GetString()));
            Assert.Equal(1, m["appliance_device_sensor_healthy{sensor=\"env\"}"]);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }

        static long Backlog(JournalCounters j) => j.HighestWritten - j.HighestAcknowledged; // status.json: seq_written - seq_acked
    }

    [Fact]
    public async Task Endpoint_OtherPathsAndMethodsRefused_RevisionRebindsAndStopsIt()
    {
        var state = Directory.CreateTempSubdirectory("appliance-metrics-").FullName;
        try
        {
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);
            Assert.Null(device.MetricsEndPoint);
            await device.ApplyAsync(Bundle('a', null), CancellationToken.None);
            Assert.Null(device.MetricsEndPoint); // off by default
            var pipeline = device.Pipeline;

            await device.ApplyAsync(Bundle('b', new IPEndPoint(IPAddress.Loopback, 0)), CancellationToken.None);
            var first = device.MetricsEndPoint!;
            Assert.Same(pipeline, device.Pipeline); // [metrics] alone does not rebuild the pipeline
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://{first}/"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://{first}/metrics/x"))).StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync(new Uri($"http://{first}/metrics"), new StringContent("x"))).StatusCode);
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, await StatusOfAsync(first, "GET /metrics HTTP/1.1\r\nX-Pad: " + new string('a', 9000) + "\r\n\r\n"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://{first}/metrics"))).StatusCode);

            // Another port: the old one is closed, the new one serves.
            using (var other = new TcpListener(IPAddress.Loopback, 0))
            {
                other.Start();
                var free = (IPEndPoint)other.LocalEndpoint;
                other.Stop();
                await device.ApplyAsync(Bundle('c', free), CancellationToken.None);
            }

            var second = device.MetricsEndPoint!;
            Assert.NotEqual(first.Port, second.Port);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://{second}/metrics"))).StatusCode);
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://{first}/metrics")));

            await device.ApplyAsync(Bundle('d', null), CancellationToken.None);
            Assert.Null(device.MetricsEndPoint);
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://{second}/metrics")));
            Assert.Same(pipeline, device.Pipeline);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<HttpStatusCode> StatusOfAsync(IPEndPoint at, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(at);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        }
        catch (IOException)
        {
            // the server answers after its first 8 KiB and closes; the rest of a long request may be refused
        }

        var line = await new StreamReader(stream, Encoding.ASCII).ReadLineAsync();
        return (HttpStatusCode)int.Parse(line!.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Each sample line's name with its labels, and its value.</summary>
    private static Dictionary<string, double> Samples(string exposition) =>
        exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
