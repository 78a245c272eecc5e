using System.Text.RegularExpressions;
using Appliance.Cloud.Control;
using Appliance.Cloud.Http.Api;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>The dashboard pages, the acknowledgement table's migration and the collector's /metrics (issue 16).</summary>
public sealed class FleetDashboardTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void FleetReader_Sqlite_QueriesAndAcknowledgement()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        FleetReaderChecks.QueriesAndAcknowledgement(store);
    }

    [Fact]
    public void Open_StoreWrittenBeforeAcknowledgements_GainsTheTableAndKeepsItsAlerts()
    {
        using var db = new TempDatabase();
        using (var old = new SqliteStore(db.Path))
        {
            old.Store([Envelope.Create("d1", 1, WireSamples.SampleAlert)], 0, 1);
        }

        using (var c = new SqliteConnection($"Data Source={db.Path};Pooling=False"))
        {
            c.Open();
            using var drop = c.CreateCommand();
            drop.CommandText = "DROP TABLE alert_acks;" + StoreMigrationTests.BeforeVersionsSql; // the schema before issue 16 (and so before schema_version)
            drop.ExecuteNonQuery();
        }

        using var store = new SqliteStore(db.Path);
        Assert.True(store.AcknowledgeAlert("d1", 1, 5, "ops")!.Acknowledged);
    }

    [Fact]
    public async Task Pages_FleetDeviceAndAlerts_CarryIdsOnePointPerWindowAndCommandsSection()
    {
        await using var host = await FleetApiHost.StartAsync();
        long now = ApiTime.NowNs();
        long start = now - (600 * Second);
        var batch = new List<Envelope>();
        for (int i = 0; i < 7; i++)
        {
            batch.Add(Envelope.Create("pump-7", i + 1, WireSamples.SummaryOf("env", start + (i * Second))));
        }

        batch.Add(Envelope.Create("pump-7", 8, WireSamples.AlertOf("env", start + (3 * Second))));
        batch.Add(Envelope.Create("pump-7", 9, WireSamples.SummaryOf("env", now - (2 * 3600 * Second)))); // outside the hour
        host.Writer.Store(batch, 0, now);

        string fleet = await host.Client.GetStringAsync("/");
        Assert.Matches("<tr data-device=\"pump-7\"><td><a href=\"/devices/pump-7\">pump-7</a></td><td class=\"online\">online</td>", fleet);

        string device = await host.Client.GetStringAsync("/devices/pump-7");
        Assert.Equal(7, Regex.Count(device, "<circle class=\"window\""));
        Assert.Contains("data-windows=\"7\"", device, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(device, "<line class=\"alert\"[^>]*data-alert=\"pump-7:8\""));
        Assert.Contains("<section id=\"commands\"><h2>Commands</h2>", device, StringComparison.Ordinal);
        foreach (string verb in CommandService.Verbs)
        {
            Assert.Contains($"<button type=\"button\" data-verb=\"{verb}\">", device, StringComparison.Ordinal);
        }

        Assert.Contains("<table id=\"command-list\">", device, StringComparison.Ordinal);
        Assert.Contains("const commandDevice = 'pump-7';", device, StringComparison.Ordinal);
        Assert.DoesNotContain("not available in this build", device, StringComparison.Ordinal);

        string alerts = await host.Client.GetStringAsync("/alerts");
        Assert.Contains("<button type=\"button\" data-id=\"pump-7:8\">Acknowledge</button>", alerts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterAMeasuredBatch_ExposesCountersAndCommitHistogramThatPromtoolAccepts()
    {
        using var metrics = new CollectorMetrics();
        metrics.Observe(() => new CollectorCounters(Received: 3, Stored: 3, Duplicates: 1, Malformed: 2, AcksSent: 3, StoreFaults: 0, Undeliverable: 0, CommandsSent: 0, Routes: 2));
        await using var host = await FleetApiHost.StartAsync();
        ICollectorStore measured = metrics.Measure(host.Writer);
        measured.Store([Envelope.Create("d1", 1, WireSamples.SampleSummary()), Envelope.Create("d1", 2, WireSamples.SampleSummary(WireSamples.StartNs + Second))], 0, 1);

        string text = await host.Client.GetStringAsync("/metrics");

        Assert.Matches(@"(?m)^appliance_collector_summaries_stored_total(\{[^}]*\})? 2(\s|$)", text);
        Assert.Matches(@"(?m)^appliance_collector_store_commit_seconds_count(\{[^}]*\})? 1(\s|$)", text);
        Assert.Matches(@"(?m)^appliance_collector_store_commit_seconds_bucket\{[^}]*le=""0.0005""", text);
        Assert.Matches(@"(?m)^appliance_collector_connected_devices(\{[^}]*\})? 2(\s|$)", text);
        Assert.Matches(@"(?m)^appliance_collector_malformed_total(\{[^}]*\})? 2(\s|$)", text);
        Promtool.CheckMetrics(text);
    }
}
