using System.Globalization;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Uplink;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// <see cref="WireFleet"/>: wire-level simulated devices (one DEALER each, one poller thread for all) against a real collector.
/// The expected values are the fleet's own counts: every summary it created must be stored exactly once (counted from the
/// store's rows by <see cref="SummaryAudit"/>) and acknowledged, with one latency recorded per acknowledged summary.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class WireFleetTests
{
    [Fact]
    public async Task ThreeHundredDevices_EverySummaryStoredOnceAndAcknowledged()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path, SqliteSynchronous.Normal);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        string[] ids = [.. Enumerable.Range(0, 300).Select(i => string.Create(CultureInfo.InvariantCulture, $"wire-{i:D5}"))];
        var latency = new AckLatency();
        using var fleet = new WireFleet(ids, _ => $"tcp://127.0.0.1:{collector.Port}", latency);
        fleet.Start();
        Assert.True(await fleet.WaitConnectedAsync(TimeSpan.FromSeconds(60)), $"{fleet.Connected} of 300 connected");

        fleet.Rate = 600; // two summaries a second per device
        await Task.Delay(TimeSpan.FromSeconds(2));
        fleet.Rate = 0;
        Assert.True(await fleet.WaitDrainedAsync(TimeSpan.FromSeconds(60)), "not every summary was acknowledged");

        long[] produced = fleet.ProducedPerDevice;
        SummaryAuditResult audit = SummaryAudit.Count(store, ids.Zip(produced).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);
        Assert.True(fleet.Produced > 600, $"only {fleet.Produced} produced");
        Assert.All(produced, n => Assert.True(n >= 1));
        Assert.Equal(fleet.Produced, audit.Rows);
        Assert.Equal(0, audit.Lost);
        Assert.Equal(0, audit.DuplicatesStored);
        Assert.Equal(fleet.Produced, fleet.Counters.Acknowledged);
        Assert.Equal(fleet.Produced, latency.Count);
    }

    [Fact]
    public async Task CollectorStartedAfterTheDevices_PingsRepeatUntilAnsweredAndNothingIsLost()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path, SqliteSynchronous.Normal);
        int port = Appliance.Runtime.Tests.GitOps.UplinkRebuildTests.FreePort();
        string[] ids = ["late-0", "late-1", "late-2"];
        using var fleet = new WireFleet(ids, _ => $"tcp://127.0.0.1:{port}") { ResendAfter = TimeSpan.FromMilliseconds(500) };
        fleet.Start();
        fleet.Rate = 30; // summaries made while no collector listens wait unsent, then are sent by the resend scan
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, fleet.Connected);
        using var collector = new Collector($"tcp://127.0.0.1:{port}", store);
        collector.Start();
        Assert.True(await fleet.WaitConnectedAsync(TimeSpan.FromSeconds(30)), $"{fleet.Connected} of 3 connected");
        fleet.Rate = 0;
        Assert.True(await fleet.WaitDrainedAsync(TimeSpan.FromSeconds(30)), "not every summary was acknowledged");
        SummaryAuditResult audit = SummaryAudit.Count(store, ids.Zip(fleet.ProducedPerDevice).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);
        Assert.Equal(0, audit.Lost);
        Assert.Equal(0, audit.DuplicatesStored);
        Assert.Equal(fleet.Produced, audit.Rows);
    }
}
