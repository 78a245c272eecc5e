using System.Net;
using Appliance.Cloud.Http;
using Appliance.Cloud.Http.Api;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>The JSON API of issue 16 (docs/api.md) against a real SQLite store and Kestrel on loopback.</summary>
public sealed class FleetApiTests
{
    private const long Second = 1_000_000_000;

    private static Envelope Heartbeat(string device, long seq, string revision) => Envelope.Create(device, seq, new Heartbeat
    {
        UptimeMs = 5000, ExecutionProvider = "CPU", ConfigRevision = revision, ConfigState = "applied",
        Sensors = [new SensorReport { Name = "env", Health = "ok", RateHz = 10, JitterP50Us = 12, JitterP99Us = 80 }],
        Counters = new Dictionary<int, long> { [(int)HeartbeatCounter.SeqWritten] = 40, [(int)HeartbeatCounter.SeqAcked] = 35, [(int)HeartbeatCounter.JournalBytes] = 4096 },
    });

    private static Envelope Summary(string device, long seq, string sensor, long startNs, double mean) => Envelope.Create(device, seq, new Summary
    {
        Sensor = sensor, Channel = "temperature", WindowStartNs = startNs, WindowEndNs = startNs + Second,
        Features = WireSamples.Features with { Mean = mean },
    });

    private static Envelope Alert(string device, long seq, long timeNs, string detector) =>
        Envelope.Create(device, seq, WireSamples.AlertOf("env", timeNs, detector: detector));

    [Fact]
    public async Task GetDevices_OneDeviceSilentPastTheTimeout_ListsItOfflineAndTheOtherOnline()
    {
        await using var host = await FleetApiHost.StartAsync(timeout: TimeSpan.FromSeconds(25));
        long now = ApiTime.NowNs();
        host.Writer.Store([Heartbeat("dev-a", 1, "rev-a")], 0, now);
        host.Writer.Store([Heartbeat("dev-b", 1, "rev-b")], 0, now - (60 * Second));

        JsonElement devices = await host.GetJsonAsync("/api/devices");

        Assert.Equal(2, devices.GetArrayLength());
        JsonElement a = devices[0], b = devices[1];
        Assert.Equal("dev-a", a.GetProperty("device_id").GetString());
        Assert.True(a.GetProperty("online").GetBoolean());
        Assert.Equal(ApiTime.Iso(now), a.GetProperty("last_seen").GetString());
        Assert.EndsWith("Z", a.GetProperty("last_seen").GetString(), StringComparison.Ordinal);
        Assert.Equal("rev-a", a.GetProperty("config_revision").GetString());
        Assert.Equal("applied", a.GetProperty("config_state").GetString());
        Assert.Equal(5, a.GetProperty("journal").GetProperty("backlog").GetInt64()); // seq_written 40 - seq_acked 35
        Assert.Equal("env", a.GetProperty("sensors")[0].GetProperty("name").GetString());
        Assert.Equal("dev-b", b.GetProperty("device_id").GetString());
        Assert.False(b.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task GetSummaries_SensorAndRange_LatestWindowFirstWithinRange()
    {
        await using var host = await FleetApiHost.StartAsync();
        long t0 = WireSamples.StartNs;
        host.Writer.Store(
        [
            Summary("dev-a", 1, "env", t0, 1), Summary("dev-a", 2, "env", t0 + Second, 2), Summary("dev-a", 3, "env", t0 + (2 * Second), 3),
            Summary("dev-a", 4, "other", t0 + Second, 9), Summary("dev-b", 1, "env", t0 + Second, 7),
        ], 0, ApiTime.NowNs());

        JsonElement rows = await host.GetJsonAsync($"/api/summaries?device=dev-a&sensor=env&from={t0 + Second}&to={ApiTime.Iso(t0 + (10 * Second))}");

        Assert.Equal([3.0, 2.0], rows.EnumerateArray().Select(r => r.GetProperty("mean").GetDouble()));
        Assert.Equal("2023-11-14T22:13:22.000Z", rows[0].GetProperty("window_start").GetString()); // StartNs + 2 s
    }

    [Fact]
    public async Task Acknowledge_AnAlert_IsStoredAndFiltersApply()
    {
        await using var host = await FleetApiHost.StartAsync();
        long t0 = WireSamples.StartNs;
        host.Writer.Store([Alert("dev-a", 1, t0, "ewma-z"), Alert("dev-a", 2, t0 + Second, "cusum"), Alert("dev-b", 1, t0 + (2 * Second), "ewma-z")], 0, ApiTime.NowNs());

        JsonElement all = await host.GetJsonAsync($"/api/alerts?device=dev-a&since={ApiTime.Iso(t0)}");
        Assert.Equal(["dev-a:2", "dev-a:1"], all.EnumerateArray().Select(a => a.GetProperty("id").GetString()));

        using var ack = await host.Client.PostAsync("/api/alerts/dev-a:1/ack", new StringContent("{\"by\":\"ops\"}"));
        JsonElement acked = JsonDocument.Parse(await ack.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.True(acked.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("ops", acked.GetProperty("acknowledged_by").GetString());

        JsonElement open = await host.GetJsonAsync("/api/alerts?acknowledged=false");
        Assert.Equal(["dev-b:1", "dev-a:2"], open.EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        JsonElement ewma = await host.GetJsonAsync("/api/alerts?detector=ewma-z&acknowledged=true");
        Assert.Equal(["dev-a:1"], ewma.EnumerateArray().Select(a => a.GetProperty("id").GetString()));

        // A second acknowledgement keeps the first one's name.
        using var again = await host.Client.PostAsync("/api/alerts/dev-a:1/ack", null);
        Assert.Contains("\"acknowledged_by\":\"ops\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_AnAlert_IsStoredListedAndReplacedByALaterLabel()
    {
        await using var host = await FleetApiHost.StartAsync();
        host.Writer.Store([Alert("dev-a", 1, WireSamples.StartNs, "ewma-z"), Alert("dev-a", 2, WireSamples.StartNs + Second, "ewma-z")], 0, ApiTime.NowNs());

        using var post = await host.Client.PostAsync("/api/alerts/dev-a:1/label", new StringContent("{\"label\":true}"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.True(JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("label").GetBoolean());
        using var again = await host.Client.PostAsync("/api/alerts/dev-a:1/label", new StringContent("{\"label\":false}"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        JsonElement all = await host.GetJsonAsync("/api/alerts?device=dev-a");
        Assert.Equal(JsonValueKind.Null, all[0].GetProperty("label").ValueKind); // dev-a:2, never labelled
        Assert.False(all[1].GetProperty("label").GetBoolean());
        Assert.NotNull(all[1].GetProperty("labelled_at").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/devices/nope", "", 404, "id")]
    [InlineData("GET", "/api/summaries?device=nope", "", 404, "device")]
    [InlineData("GET", "/api/alerts?device=nope", "", 404, "device")]
    [InlineData("GET", "/api/summaries?limit=0", "", 400, "limit")]
    [InlineData("GET", "/api/summaries?limit=abc", "", 400, "limit")]
    [InlineData("GET", "/api/summaries?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z", "", 400, "to")]
    [InlineData("GET", "/api/summaries?from=yesterday", "", 400, "from")]
    [InlineData("GET", "/api/alerts?acknowledged=maybe", "", 400, "acknowledged")]
    [InlineData("GET", "/api/alerts?since=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "", 400, "since")]
    [InlineData("POST", "/api/alerts/dev-a:1/ack", "{not json", 400, "body")]
    [InlineData("POST", "/api/alerts/dev-a:1/ack", "{\"by\": 42}", 400, "by")]
    [InlineData("POST", "/api/alerts/no-sequence/ack", "", 400, "id")]
    [InlineData("POST", "/api/alerts/dev-a:99/ack", "", 404, "id")]
    [InlineData("POST", "/api/alerts/dev-a:99/label", "{\"label\":true}", 404, "id")]
    [InlineData("POST", "/api/alerts/dev-a:1/label", "{}", 400, "label")]
    [InlineData("POST", "/api/alerts/dev-a:1/label", "", 400, "body")]
    [InlineData("POST", "/api/alerts/dev-a:1/label", "{\"label\":\"yes\"}", 400, "label")]
    [InlineData("GET", "/api/nothing", "", 404, "path")]
    public async Task BadInput_Answers4xxProblemNamingTheField(string method, string path, string body, int status, string field)
    {
        await using var host = await FleetApiHost.StartAsync();
        host.Writer.Store([Alert("dev-a", 1, WireSamples.StartNs, "ewma-z")], 0, ApiTime.NowNs());
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body.Length == 0 ? null : new StringContent(body) };

        using HttpResponseMessage r = await host.Client.SendAsync(request);

        string text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"{method} {path}: {(int)r.StatusCode} {text}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task OversizedBody_Answers413NamingTheBody()
    {
        await using var host = await FleetApiHost.StartAsync();
        host.Writer.Store([Alert("dev-a", 1, WireSamples.StartNs, "ewma-z")], 0, ApiTime.NowNs());

        using HttpResponseMessage r = await host.Client.PostAsync("/api/alerts/dev-a:1/ack", new StringContent(new string(' ', 64 * 1024)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal("body", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Token_MissingOrWrong_Answers401AndTheRightOneIsServed()
    {
        const string token = "0123456789abcdef0123";
        await using var host = await FleetApiHost.StartAsync(token);
        using var anonymous = new HttpClient { BaseAddress = host.Server.Address };

        foreach (string path in (string[])["/api/devices", "/", "/metrics", "/alerts"])
        {
            using HttpResponseMessage missing = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("Authorization", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/devices") { Headers = { { "Authorization", "Bearer 0123456789abcdef0124" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        Assert.Equal(0, (await host.GetJsonAsync("/api/devices")).GetArrayLength());

        // A browser opens /?token=... once: the cookie is set and the page served without the token in its address.
        using var cookies = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Server.Address };
        using HttpResponseMessage page = await cookies.GetAsync("/?token=" + token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("/", page.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await cookies.GetAsync("/api/devices")).StatusCode);
    }

    [Fact]
    public async Task StartAsync_NonLoopbackWithoutToken_Refused()
    {
        var options = new FleetHttpOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0), null, TimeSpan.FromSeconds(25));
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => FleetHttpServer.StartAsync(options, new FleetApi(store, options, null), null));
        Assert.Contains("--http-token-file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("localhost:9", "127.0.0.1", 9)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("http://0.0.0.0:80/", "0.0.0.0", 80)]
    public void ParseEndpoint_HostPort_Parsed(string text, string address, int port)
    {
        var e = FleetHttpOptions.ParseEndpoint(text);
        Assert.Equal((address, port), (e.Address.ToString(), e.Port));
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("host.example:8080")]
    [InlineData("127.0.0.1:99999")]
    public void ParseEndpoint_NotHostPort_NamesTheOption(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => FleetHttpOptions.ParseEndpoint(text));
        Assert.StartsWith("--http " + text, ex.Message, StringComparison.Ordinal);
    }
}
