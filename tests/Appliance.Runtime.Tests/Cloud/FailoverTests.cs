using System.Globalization;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;
using Xunit.Abstractions;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// Issue 17 item 3: devices given two collectors (<c>[uplink] endpoints</c>) on one store; the first is disposed abruptly under
/// load, in the middle of its batches (its store is throttled below the offered load, so batches are queued and committing
/// when it goes: committed and never acknowledged, or received and never committed). Every device must move to the second,
/// resend there what the first left unacknowledged, and the rows must hold every produced window exactly once
/// (<see cref="SummaryAudit"/>: counted from the rows, not from counters).
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FirstCollectorKilledMidBatch_DevicesFailOverNothingLostNothingStoredTwice()
    {
        using var db = new TempDatabase();
        using var storeA = new ThrottledStore(new SqliteStore(db.Path, SqliteSynchronous.Normal), 1500);
        using var storeB = new SqliteStore(db.Path, SqliteSynchronous.Normal);
        var a = new Collector("tcp://127.0.0.1:0", storeA);
        a.Start();
        using var b = new Collector("tcp://127.0.0.1:0", storeB);
        b.Start();
        string endpointA = $"tcp://127.0.0.1:{a.Port}", endpointB = $"tcp://127.0.0.1:{b.Port}";
        using var fleet = SimulatedFleet.Create(8, endpointA, _ => new MemoryOutbox(1 << 16, TimeSpan.Zero), o => o with
        {
            FailoverEndpoints = [endpointB],
            PingInterval = TimeSpan.FromMilliseconds(250),
            ResendAfter = TimeSpan.FromSeconds(1),
            ReconnectBackoffMax = TimeSpan.FromSeconds(1),
        });
        try
        {
            fleet.Start();
            fleet.Rate = 3000; // twice what the first collector's store takes: its queue holds work when it is killed
            await Task.Delay(TimeSpan.FromSeconds(3));
            CollectorCounters beforeKill = a.Counters;
            Assert.True(beforeKill.Stored > 0, "the first collector stored nothing before it was killed");
            a.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(3));
            fleet.Rate = 0;
            Assert.True(await fleet.WaitDrainedAsync(TimeSpan.FromSeconds(60)), "not every device's outbox was acknowledged after the failover");

            var produced = fleet.Devices.ToDictionary(d => d.DeviceId, d => d.Produced, StringComparer.Ordinal);
            SummaryAuditResult audit = SummaryAudit.Count(storeB, produced, SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);
            CollectorCounters cb = b.Counters;
            UplinkCounters u = fleet.Counters;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"produced {produced.Values.Sum()}, rows {audit.Rows}, stored by the first {a.Counters.Stored}, by the second {cb.Stored}, duplicates rejected by the second {cb.Duplicates}, retransmits {u.Retransmits}, dead peers {u.DeadPeers}"));
            Assert.All(fleet.Devices, d => Assert.Equal(endpointB, d.Client.CurrentEndpoint));
            Assert.True(cb.Stored > 0, "the second collector stored nothing");
            Assert.Equal(0, fleet.OutboxFull);
            Assert.Equal(0, audit.Lost);
            Assert.Equal(0, audit.DuplicatesStored);
            Assert.Equal(produced.Values.Sum(), audit.Rows);
        }
        finally
        {
            a.Dispose();
        }
    }
}
