using Appliance.Cloud.Control;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>The fleet-scale HTTP calls of issue 17: <c>GET /api/rollups</c> (the CLI's rows as JSON) and <c>POST /hooks/git</c>
/// (a pull-config fanned out to a label selector), and the selector itself on <see cref="CommandService"/>.</summary>
public sealed class FleetSelectorApiTests
{
    [Fact]
    public async Task Rollups_Api_ReturnsTheMergedRowsPerSite()
    {
        await using var host = await FleetApiHost.StartAsync();
        long t0 = WireSamples.StartNs / 60_000_000_000L * 60_000_000_000L;
        RollupChecks.Seed(host.Writer, t0);
        string since = t0.ToString(CultureInfo.InvariantCulture);
        string until = (t0 + 3_600_000_000_000L).ToString(CultureInfo.InvariantCulture);
        var rows = await host.GetJsonAsync($"/api/rollups?sensor=vib&every=1m&by=label:site&since={since}&until={until}");
        Assert.Equal(9, rows.GetArrayLength()); // 150 s from a minute's start: 3 buckets × sites a, b, (none)
        var first = rows[0];
        Assert.Equal(("site", "(none)", "1m"), (first.GetProperty("label").GetString(), first.GetProperty("value").GetString(), first.GetProperty("every").GetString()));
        Assert.Equal(60 * 100, first.GetProperty("count").GetInt64());
        Assert.Equal(RollupChecks.Alpha, first.GetProperty("alpha").GetDouble());
        Assert.True(first.GetProperty("p99").GetDouble() >= first.GetProperty("p50").GetDouble());

        var problem = await host.GetJsonAsync($"/api/rollups?sensor=vib&every=5m&since={since}&until={until}", new HttpStatusCodeExpectation(400));
        Assert.Contains("every", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHook_FansPullConfigOutToTheDevicesTheSelectorMatches()
    {
        await using var host = await FleetApiHost.StartAsync();
        RollupChecks.Seed(host.Writer, WireSamples.StartNs); // d1, d2 at site a, d3 at site b, d4 unlabelled
        using var content = new StringContent("""{"ref":"refs/heads/main"}""", Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/hooks/git?selector=label:site=a", content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, body);
        var commands = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["d1", "d2"], commands.EnumerateArray().Select(c => c.GetProperty("device_id").GetString()));
        Assert.All(commands.EnumerateArray(), c => Assert.Equal("pull-config", c.GetProperty("verb").GetString()));

        using var bad = await host.Client.PostAsync("/hooks/git?selector=site", null);
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("label:KEY=VALUE", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var service = new CommandService(host.Writer);
        Assert.Equal(["d3"], service.EnqueueSelected("label:site=b", "pull-config", [], "test").Select(r => r.DeviceId));
        Assert.Empty(service.EnqueueSelected("label:site=nowhere", "pull-config", [], "test"));
    }
}
