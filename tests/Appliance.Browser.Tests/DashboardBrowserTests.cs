using Appliance.Aot.Tests;
using Microsoft.Playwright;

namespace Appliance.Browser.Tests;

/// <summary>
/// Issue 16's browser check: the published collector with <c>--http</c> and three live devices on emulated sensors (the
/// embedded default configuration: an emulated BME280 at 10 Hz, 1 s windows, a heater fault from 8 s to 12 s that fires
/// the EWMA z-score detector), looked at through Debian's headless chromium; a pull-config sent from the device page's
/// commands panel comes back with the device's result. Screenshots go to <c>out/test-artifacts/</c>.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const int HeartbeatTimeoutSeconds = 12;
    private static readonly string Artifacts = Path.Combine(PublishedBinary.RepositoryRoot, "out", "test-artifacts");

    [Fact]
    public async Task Dashboard_ThreeLiveDevices_OnlineThenOfflineChartPerWindowAlertAcknowledgedAndPullConfigRoundTrips()
    {
        string root = Path.Combine(Path.GetTempPath(), "appliance-browser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Artifacts);
        int zmq = FreePort(), http = FreePort();
        using var collector = new RunningProcess("cloud", "--listen", $"tcp://127.0.0.1:{zmq}", "--db", Path.Combine(root, "cloud.db"),
            "--http", $"127.0.0.1:{http}", "--heartbeat-timeout", $"{HeartbeatTimeoutSeconds}s");
        string repo = ConfigRepository(root, zmq);
        var devices = new List<RunningProcess>();
        try
        {
            foreach (string id in (string[])["dev-1", "dev-2", "dev-3"])
            {
                devices.Add(new RunningProcess("run", "--repo", repo, "--state", Path.Combine(root, id), "--insecure-skip-verify", "--device", id));
            }

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            string baseUrl = $"http://127.0.0.1:{http}";

            // The fleet table lists the three devices online (rows carry the id as text).
            await page.GotoAsync(baseUrl + "/");
            foreach (string id in (string[])["dev-1", "dev-2", "dev-3"])
            {
                await Assertions.Expect(page.Locator($"#fleet tr[data-device='{id}'] td.online")).ToBeVisibleAsync(new() { Timeout = 90_000 });
                await Assertions.Expect(page.Locator($"#fleet tr[data-device='{id}'] a")).ToHaveTextAsync(id);
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-fleet-online.png"), FullPage = true });

            // One device stopped turns offline within the heartbeat timeout (plus the table's 1 s poll), without a reload.
            Assert.Equal(0, devices[2].Terminate(TimeSpan.FromSeconds(30)));
            var stopped = Stopwatch.StartNew();
            await Assertions.Expect(page.Locator("#fleet tr[data-device='dev-3'] td.offline")).ToBeVisibleAsync(new() { Timeout = (HeartbeatTimeoutSeconds + 10) * 1000 });
            output.WriteLine($"dev-3 offline {stopped.Elapsed.TotalSeconds:F1} s after it stopped (timeout {HeartbeatTimeoutSeconds} s)");
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(HeartbeatTimeoutSeconds + 2), $"offline after {stopped.Elapsed}");
            await Assertions.Expect(page.Locator("#fleet tr[data-device='dev-1'] td.online")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-fleet-offline.png"), FullPage = true });

            // The device page: each chart has one point per window the API holds in the chart's range. The stopped device's
            // windows are all stored (it drained its journal before exiting), so page and API see the same rows; a live
            // device's next window may be stored between the two reads.
            await page.GotoAsync(baseUrl + "/devices/dev-3");
            var charts = page.Locator("svg[data-windows]");
            Assert.True(await charts.CountAsync() >= 3, "expected a chart per BME280 channel");
            using var api = new HttpClient { BaseAddress = new Uri(baseUrl) };
            for (int i = 0; i < await charts.CountAsync(); i++)
            {
                ILocator chart = charts.Nth(i);
                string sensor = (await chart.GetAttributeAsync("data-sensor"))!, channel = (await chart.GetAttributeAsync("data-channel"))!;
                string from = (await chart.GetAttributeAsync("data-from-ns"))!, to = (await chart.GetAttributeAsync("data-to-ns"))!;
                int points = await chart.Locator("circle.window").CountAsync();
                using var rows = JsonDocument.Parse(await api.GetStringAsync($"/api/summaries?device=dev-3&sensor={sensor}&from={from}&to={to}&limit=10000"));
                int windows = rows.RootElement.EnumerateArray().Count(r => r.GetProperty("channel").GetString() == channel);
                Assert.True(windows > 0, $"{sensor}/{channel}: no windows");
                Assert.Equal(windows, points);
                Assert.Equal(windows.ToString(CultureInfo.InvariantCulture), await chart.GetAttributeAsync("data-windows"));
            }

            await Assertions.Expect(page.Locator("#commands h2")).ToHaveTextAsync("Commands");

            // An alert (the heater fault) appears on the alerts page, is marked on its chart, and can be acknowledged.
            ILocator button = page.Locator("#alerts button[data-id]").First;
            var deadline = Stopwatch.StartNew();
            do
            {
                await page.GotoAsync(baseUrl + "/alerts");
                if (await button.CountAsync() > 0)
                {
                    break;
                }

                await Task.Delay(1000);
            }
            while (deadline.Elapsed < TimeSpan.FromSeconds(60));

            string alertId = (await button.GetAttributeAsync("data-id"))!;
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-alerts.png"), FullPage = true });
            await button.ClickAsync();
            ILocator cell = page.Locator($"#alerts tr[data-alert='{alertId}'] td.ack");
            await Assertions.Expect(cell).ToContainTextAsync("acknowledged by dashboard");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-alert-acknowledged.png"), FullPage = true });
            using var acked = JsonDocument.Parse(await api.GetStringAsync("/api/alerts?acknowledged=true"));
            Assert.Contains(alertId, acked.RootElement.EnumerateArray().Select(a => a.GetProperty("id").GetString()));

            string device = alertId[..alertId.LastIndexOf(':')];
            await page.GotoAsync(baseUrl + "/devices/" + device);
            if (await page.Locator($"line.alert[data-alert='{alertId}']").CountAsync() > 0)
            {
                await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-device-alert.png"), FullPage = true });
            }

            await page.GotoAsync(baseUrl + "/devices/dev-1");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-device.png"), FullPage = true });

            // A pull-config sent from the commands panel round-trips with the live device: the panel's table shows the device's
            // result (DeviceCommands: "rev=R state=S") without a reload, and the store holds the same record.
            await page.Locator("#commands button[data-verb='pull-config']").ClickAsync();
            await Assertions.Expect(page.Locator("#command-status")).ToContainTextAsync("(pull-config)");
            ILocator sent = page.Locator("#command-list tr[data-verb='pull-config']").First;
            await Assertions.Expect(sent.Locator("td.state")).ToHaveTextAsync("ok", new() { Timeout = 30_000 });
            await Assertions.Expect(sent.Locator("td.result")).ToHaveTextAsync(new Regex("^rev=[0-9a-f]{40} state=applied$"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "dashboard-command-pull-config.png"), FullPage = true });
            string commandId = (await sent.GetAttributeAsync("data-command"))!;
            using var command = JsonDocument.Parse(await api.GetStringAsync("/api/commands/" + commandId));
            Assert.Equal(("dev-1", "pull-config", "dashboard", "ok"), (command.RootElement.GetProperty("device_id").GetString(),
                command.RootElement.GetProperty("verb").GetString(), command.RootElement.GetProperty("by").GetString(), command.RootElement.GetProperty("state").GetString()));
            Assert.Equal(await sent.Locator("td.result").TextContentAsync(), command.RootElement.GetProperty("result").GetString());
        }
        catch
        {
            output.WriteLine("collector stderr:\n" + collector.Stderr);
            foreach (var d in devices)
            {
                output.WriteLine("device stderr:\n" + d.Stderr);
            }

            throw;
        }
        finally
        {
            foreach (var d in devices)
            {
                d.Dispose();
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary><c>appliance init-config</c>'s repository, sending to the collector's port, committed (unsigned: the devices
    /// run with <c>--insecure-skip-verify</c>).</summary>
    private static string ConfigRepository(string root, int port)
    {
        string repo = Path.Combine(root, "repo");
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "init-config", repo);
        Assert.True(code == 0, stderr);
        string toml = Path.Combine(repo, "appliance.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("tcp://127.0.0.1:5556", $"tcp://127.0.0.1:{port}", StringComparison.Ordinal));
        PublishedBinary.Git(repo, "add", "-A");
        PublishedBinary.Git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "config");
        return repo;
    }
}
