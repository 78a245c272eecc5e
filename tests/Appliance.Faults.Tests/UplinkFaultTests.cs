namespace Appliance.Faults.Tests;

/// <summary>Device and collector as separate processes on 127.0.0.1, killed with SIGKILL; every test asserts exact accounting.</summary>
public sealed class UplinkFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-faults-" + Guid.NewGuid().ToString("N"));

    public UplinkFaultTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "collector.db");

    private string State => Path.Combine(_dir, "device");

    private static (long Written, long Acked, long Merged, long Dropped, long MaxBytes) Done(string line)
    {
        long[] v = line.Split(' ').Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (v[0], v[1], v[2], v[3], v[4]);
    }

    private FaultProcess Device(int port, params string[] extra) =>
        FaultProcess.Start(["device", "--state", State, "--endpoint", $"tcp://127.0.0.1:{port}", .. extra]);

    /// <summary>Sequences stored for the device, ascending, and their window starts per sensor.</summary>
    private List<(long Seq, string Sensor, long Start)> Stored()
    {
        using var c = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using SqliteCommand q = c.CreateCommand();
        q.CommandText = "SELECT seq, sensor, window_start_ns FROM summaries WHERE device_id = 'fault-dev' ORDER BY seq";
        using SqliteDataReader r = q.ExecuteReader();
        var rows = new List<(long, string, long)>();
        while (r.Read())
        {
            rows.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2)));
        }

        return rows;
    }

    [Fact]
    public void Device_KilledNineTimesDuringHighRateRun_EveryDurableSequenceStoredExactlyOnce()
    {
        int port = FaultProcess.FreePort();
        using FaultProcess collector = FaultProcess.StartCollector(Db, port);
        var rng = new Random(6);
        for (int i = 0; i < 9; i++)
        {
            using FaultProcess device = Device(port);
            device.WaitForLine("started", TimeSpan.FromSeconds(60));
            Thread.Sleep(rng.Next(50, 800)); // a random stretch of appends, fsyncs, sends and acks
            device.KillHard();
        }

        using FaultProcess drain = Device(port, "--count", "1", "--drain"); // produces nothing new: the journal is past 1
        (long written, long acked, long merged, long dropped, _) = Done(drain.WaitForLine("done", TimeSpan.FromSeconds(90)));
        Assert.Equal(0, drain.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.True(written > 100, $"only {written} records written across 9 runs");
        Assert.Equal(written, acked);
        Assert.Equal(0, merged + dropped);

        // Every sequence 1..written (all durable: the journal never re-uses one) is in the store once (PRIMARY KEY (device_id, seq)).
        List<(long Seq, string Sensor, long Start)> stored = Stored();
        Assert.Equal(written, stored.Count);
        Assert.Equal(1, stored[0].Seq);
        Assert.Equal(written, stored[^1].Seq);
    }

    [Fact]
    public void Collector_KilledAndRestartedWithItsDatabase_NoLossNoDuplicatesInOrderPerSensor()
    {
        int port = FaultProcess.FreePort();
        FaultProcess collector = FaultProcess.StartCollector(Db, port);
        using FaultProcess device = Device(port, "--count", "20000", "--drain");
        Thread.Sleep(1500);
        collector.KillHard();
        collector.Dispose();
        Thread.Sleep(2000); // outage: the device keeps journaling and declares the collector dead
        using FaultProcess restarted = FaultProcess.StartCollector(Db, port);
        (long written, long acked, long merged, long dropped, _) = Done(device.WaitForLine("done", TimeSpan.FromSeconds(120)));
        Assert.Equal(0, device.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(20000, written);
        Assert.Equal(written, acked);
        Assert.Equal(0, merged + dropped);

        List<(long Seq, string Sensor, long Start)> stored = Stored();
        Assert.Equal(Enumerable.Range(1, 20000).Select(i => (long)i), stored.Select(s => s.Seq));
        foreach (IGrouping<string, (long Seq, string Sensor, long Start)> sensor in stored.GroupBy(s => s.Sensor))
        {
            long[] starts = sensor.Select(s => s.Start).ToArray();
            Assert.Equal(starts.Order(), starts); // backlog drained in window order per sensor
        }
    }

    [Fact]
    public void Journal_BudgetReachedDuringOutage_StaysWithinBudgetAndProducedEqualsStoredMergedDropped()
    {
        int port = FaultProcess.FreePort();
        const long budget = 256 * 1024;
        using FaultProcess device = Device(port, "--count", "30000", "--drain", "--budget", budget.ToString(CultureInfo.InvariantCulture), "--segment", "16384");
        device.WaitForLine("produced", TimeSpan.FromSeconds(120)); // outage: no collector while the device produces ~10x its budget
        using FaultProcess collector = FaultProcess.StartCollector(Db, port);
        (long written, long acked, long merged, long dropped, long maxBytes) = Done(device.WaitForLine("done", TimeSpan.FromSeconds(120)));
        Assert.Equal(0, device.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(30000, written);
        Assert.Equal(written, acked);
        Assert.True(maxBytes <= budget, $"journal reached {maxBytes} bytes, budget {budget}");
        Assert.True(merged > 0, "nothing merged");
        List<(long Seq, string Sensor, long Start)> stored = Stored();
        Assert.Equal(written, stored.Count + merged + dropped);
    }

    [Fact]
    public void Journal_TornAndCorruptTail_RecoveryKeepsEveryIntactRecord()
    {
        int port = FaultProcess.FreePort();
        using (FaultProcess produce = Device(port, "--count", "2000"))
        {
            // No collector: produce, then SIGKILL once everything is journaled.
            produce.WaitForLine("produced", TimeSpan.FromSeconds(60));
            produce.KillHard();
        }

        // Flip a byte inside record 1990's payload and tear record 2000 (drop its last 5 bytes).
        List<(long Seq, int Offset, int Length)> records = Records(out string segment);
        byte[] bytes = File.ReadAllBytes(segment);
        (long _, int offset, int length) = records.Single(r => r.Seq == 1990);
        bytes[offset + 16 + (length / 2)] ^= 0x40;
        File.WriteAllBytes(segment, bytes[..^5]);

        using FaultProcess collector = FaultProcess.StartCollector(Db, port);
        using FaultProcess drain = Device(port, "--count", "1", "--drain");
        (long written, long acked, _, _, _) = Done(drain.WaitForLine("done", TimeSpan.FromSeconds(90)));
        Assert.Equal(0, drain.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(1999, written); // the torn last record is gone; its sequence was never sent (not durable)
        Assert.Equal(written, acked);
        Assert.Equal(Enumerable.Range(1, 1999).Where(i => i != 1990).Select(i => (long)i), Stored().Select(s => s.Seq));
    }

    /// <summary>Parses the newest segment (layout: JournalSegment): 32-byte header, then [u32 n][u32 crc][u64 seq][n bytes].</summary>
    private List<(long Seq, int Offset, int Length)> Records(out string segment)
    {
        segment = Directory.GetFiles(State, "seg-*.log").Order().Last();
        byte[] b;
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            b = new byte[f.Length];
            f.ReadExactly(b);
        }

        var list = new List<(long, int, int)>();
        for (int pos = 32; pos + 16 <= b.Length;)
        {
            int n = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos));
            if (n <= 0 || pos + 16 + n > b.Length)
            {
                break;
            }

            list.Add((BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(pos + 8)), pos, n));
            pos += 16 + n;
        }

        return list;
    }
}
