using System.Data.Common;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Issue 17 "Bad input and faults": a database that fails under load (restart, broken connection, disk full) has
/// nothing acknowledged that it did not commit.</summary>
public sealed class StoreFaultTests
{
    /// <summary>What Npgsql throws while the server restarts (57P01 admin_shutdown, a broken socket) or its disk is full (53100):
    /// a <see cref="DbException"/> with <see cref="DbException.IsTransient"/> set.</summary>
    private sealed class TransientDbException() : DbException("server restarting (simulated)")
    {
        public override bool IsTransient => true;
    }

    /// <summary>Fails its first <paramref name="failures"/> Store calls with a transient fault, then stores everything.</summary>
    private sealed class RestartingStore(int failures) : ICollectorStore
    {
        public int Calls { get; private set; }

        public List<Envelope> Stored { get; } = [];

        public StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
        {
            if (++Calls <= failures)
            {
                throw new TransientDbException();
            }

            Stored.AddRange(batch);
            return new StoreBatchResult(batch.Count, 0);
        }

        public CollectorStats GetStats() => new(0, Stored.Count, 0, 0, 0);

        public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit) => [];

        public IReadOnlyList<DeviceRecord> GetDevices() => [];

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Write_DatabaseRestartingDuringTheBatch_NothingQuarantinedOrMarkedCommittedThatWasNotStored()
    {
        // Before the fix the failed batch was bisected: the first message failed alone (3rd call), the 4th call found the
        // server back and committed message 2, so message 1 was quarantined, and the collector acknowledged it unstored.
        var store = new RestartingStore(failures: 3);
        List<Envelope> batch = [.. Enumerable.Range(1, 4).Select(i => Envelope.Create("dev1", i, WireSamples.SampleSummary(WireSamples.StartNs + i)))];

        var result = BisectingWriter.Write(store, batch, 0, 1, (_, _) => Assert.Fail("quarantined during a database restart"));

        Assert.Equal(0, result.Quarantined);
        Assert.Equal(1, store.Calls); // not bisected against a failing database
        Assert.IsType<TransientDbException>(result.Fault);
        for (int i = 0; i < batch.Count; i++)
        {
            Assert.Equal(store.Stored.Contains(batch[i]), result.Committed[i] || result.QuarantinedAt[i]);
        }
    }

    [Fact]
    public void Write_DiskFullSqliteStore_FailsWithoutQuarantine()
    {
        var full = new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13);
        Assert.True(BisectingWriter.IsTransient(full));
        Assert.False(BisectingWriter.IsTransient(new ArgumentException("a row the store refuses")));
    }
}
