using System.Net;
using System.Net.Http.Headers;
using Appliance.Cloud.Control;
using Appliance.Cloud.Http.Api;
using NetMQ;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Commands through the JSON API (issue 16 item 4, docs/api.md): <c>POST /api/devices/{id}/commands</c> records the
/// command in the collector store (<see cref="CommandService"/>), the running collector delivers it, and the device's result is
/// read back through <c>GET /api/commands</c>; bad input is a 4xx problem naming the field, never a 500.</summary>
public sealed class CommandApiTests
{
    private static void Seen(SqliteStore store, string id) => store.Store([Envelope.Create(id, 1, WireSamples.SampleHeartbeat)], 0, WireSamples.StartNs);

    private static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(FleetApiHost host, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage r = await host.Client.PostAsync(path, content);
        string text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), r);
    }

    [Fact]
    public async Task Post_Command_RecordedInStoreAndReadBackLatestFirst()
    {
        await using var host = await FleetApiHost.StartAsync();
        Seen(host.Writer, "dev-a");
        Seen(host.Writer, "dev-b");

        var (status, first, response) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"identify","args":["30"],"ttl_s":120,"by":"ops"}""");
        using (response)
        {
            Assert.True(status == 202, first.ToString());
            long id = first.GetProperty("id").GetInt64();
            Assert.Equal($"/api/commands/{id}", response.Headers.Location?.OriginalString);

            // The store holds what was asked, with the ttl from the body (120 s = 120e9 ns).
            var stored = new CommandService(host.Writer).Get(id)!;
            Assert.Equal(("dev-a", "identify", "ops", CommandStates.Pending), (stored.DeviceId, stored.Verb, stored.RequestedBy, stored.State));
            Assert.Equal(["30"], stored.Arguments);
            Assert.Equal(120_000_000_000L, stored.ExpiresNs - stored.CreatedNs);

            // The answer is the stored record as the API shows it.
            Assert.Equal("dev-a", first.GetProperty("device_id").GetString());
            Assert.Equal("identify", first.GetProperty("verb").GetString());
            Assert.Equal(["30"], first.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(("pending", false, "ops", ""), (first.GetProperty("state").GetString(), first.GetProperty("final").GetBoolean(),
                first.GetProperty("by").GetString(), first.GetProperty("result").GetString()));
            Assert.Equal(ApiTime.Iso(stored.CreatedNs), first.GetProperty("created").GetString());
            Assert.Equal(ApiTime.Iso(stored.ExpiresNs), first.GetProperty("expires").GetString());
            Assert.Equal(JsonValueKind.Null, first.GetProperty("completed").ValueKind);
            Assert.Equal(first.ToString(), (await host.GetJsonAsync($"/api/commands/{id}")).ToString());
        }

        // No ttl, no by: the defaults (10 min, "api"); no args on pull-config.
        var (status2, second, r2) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"pull-config"}""");
        r2.Dispose();
        Assert.Equal(202, status2);
        var defaults = new CommandService(host.Writer).Get(second.GetProperty("id").GetInt64())!;
        Assert.Equal(("api", CommandService.DefaultTtl.Ticks * 100), (defaults.RequestedBy, defaults.ExpiresNs - defaults.CreatedNs));
        Assert.Empty(defaults.Arguments);
        (await PostAsync(host, "/api/devices/dev-b/commands", """{"verb":"set-log-level","args":["debug"]}""")).Response.Dispose();

        JsonElement list = await host.GetJsonAsync("/api/commands?device=dev-a");
        Assert.Equal([second.GetProperty("id").GetInt64(), first.GetProperty("id").GetInt64()], list.EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        Assert.Equal(3, (await host.GetJsonAsync("/api/commands")).GetArrayLength());
        Assert.Equal(1, (await host.GetJsonAsync("/api/commands?limit=1")).GetArrayLength());
    }

    [Fact]
    public async Task Post_PullConfig_CollectorUnderMetricsAndConnectedDevice_ResultReadBack()
    {
        await using var host = await FleetApiHost.StartAsync();

        // As `appliance cloud --http` runs it: the collector writes through the metrics' measuring wrapper.
        using var metrics = new CollectorMetrics();
        using var collector = new Collector("tcp://127.0.0.1:0", metrics.Measure(host.Writer));
        collector.Start();
        using var device = new UplinkClient(new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = "dev-a", ResendAfter = TimeSpan.FromMilliseconds(300),
            PingInterval = TimeSpan.FromMilliseconds(200),
        }, new MemoryOutbox(64, TimeSpan.Zero));
        device.CommandReceived += c => device.SendResult(new CommandResult { Id = c.Id, Succeeded = true, Text = "rev=4f2a state=applied" });
        device.Start();
        device.Enqueue(WireSamples.SampleSummary());
        Assert.True(await device.FlushAsync(TimeSpan.FromSeconds(10)));

        var (status, posted, response) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"pull-config","by":"ops"}""");
        response.Dispose();
        Assert.Equal(202, status);
        long id = posted.GetProperty("id").GetInt64();
        var done = await new CommandService(host.Writer).WaitAsync(id, TimeSpan.FromSeconds(15));
        Assert.Equal(CommandStates.Ok, done.State);

        JsonElement read = await host.GetJsonAsync($"/api/commands/{id}");
        Assert.Equal(("ok", true, "rev=4f2a state=applied", 1L), (read.GetProperty("state").GetString(), read.GetProperty("final").GetBoolean(),
            read.GetProperty("result").GetString(), read.GetProperty("attempts").GetInt64()));
        Assert.Equal(ApiTime.Iso(done.CompletedNs), read.GetProperty("completed").GetString());
    }

    [Theory]
    [InlineData("/api/devices/nope/commands", """{"verb":"pull-config"}""", 404, "id")]
    [InlineData("/api/devices/a%20b/commands", """{"verb":"pull-config"}""", 400, "id")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"reboot"}""", 400, "verb")]
    [InlineData("/api/devices/dev-a/commands", """{"args":[]}""", 400, "verb")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","args":["now"]}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"identify","args":["0"]}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"identify"}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"set-log-level","args":["loud"]}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"identify","args":[10]}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"identify","args":[null]}""", 400, "args")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","ttl_s":0}""", 400, "ttl_s")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","ttl_s":604801}""", 400, "ttl_s")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","ttl_s":1.5}""", 400, "ttl_s")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","ttl_s":"60"}""", 400, "ttl_s")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","by":" "}""", 400, "by")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":"pull-config","by":7}""", 400, "by")]
    [InlineData("/api/devices/dev-a/commands", """{"verb":""", 400, "verb")]
    [InlineData("/api/devices/dev-a/commands", "{", 400, "body")]
    [InlineData("/api/devices/dev-a/commands", "[]", 400, "body")]
    [InlineData("/api/devices/dev-a/commands", "", 400, "body")]
    public async Task Post_BadInput_ProblemNamingTheFieldAndNothingRecorded(string path, string body, int status, string field)
    {
        await using var host = await FleetApiHost.StartAsync();
        Seen(host.Writer, "dev-a");

        var (code, problem, response) = await PostAsync(host, path, body);
        using (response)
        {
            Assert.True(code == status, problem.ToString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal((status, field), (problem.GetProperty("status").GetInt32(), problem.GetProperty("field").GetString()));
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }

        Assert.Empty(new CommandService(host.Writer).List());
    }

    [Fact]
    public async Task Post_RevokedDevice_409NamingTheDeviceAndNothingRecorded()
    {
        await using var host = await FleetApiHost.StartAsync();
        Seen(host.Writer, "dev-a");
        var registry = new DeviceRegistry(host.Writer);
        registry.Add("dev-a", new NetMQCertificate().PublicKeyZ85);
        registry.Revoke("dev-a");

        var (code, problem, response) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"pull-config"}""");
        response.Dispose();

        Assert.Equal((409, "id"), (code, problem.GetProperty("field").GetString()));
        Assert.Contains("revoked", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(new CommandService(host.Writer).List());
    }

    [Theory]
    [InlineData("/api/commands/abc", 400, "id")]
    [InlineData("/api/commands/0", 400, "id")]
    [InlineData("/api/commands/99", 404, "id")]
    [InlineData("/api/commands?limit=0", 400, "limit")]
    [InlineData("/api/commands?device=nope", 404, "device")]
    [InlineData("/api/commands?device=a%20b", 400, "device")]
    public async Task Get_BadInput_ProblemNamingTheField(string path, int status, string field)
    {
        await using var host = await FleetApiHost.StartAsync();
        Seen(host.Writer, "dev-a");

        JsonElement problem = await host.GetJsonAsync(path, new HttpStatusCodeExpectation(status));

        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Post_WithoutToken_401AndNothingRecorded()
    {
        await using var host = await FleetApiHost.StartAsync(token: "s3cret-token-for-tests");
        Seen(host.Writer, "dev-a");
        host.Client.DefaultRequestHeaders.Authorization = null;

        var (code, problem, response) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"pull-config"}""");
        response.Dispose();

        Assert.Equal((401, "Authorization"), (code, problem.GetProperty("field").GetString()));
        Assert.Empty(new CommandService(host.Writer).List());
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token-for-tests");
        var (ok, _, r2) = await PostAsync(host, "/api/devices/dev-a/commands", """{"verb":"pull-config"}""");
        r2.Dispose();
        Assert.Equal(202, ok);
    }
}
