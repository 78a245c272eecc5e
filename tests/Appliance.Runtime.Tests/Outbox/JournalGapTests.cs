namespace Appliance.Runtime.Tests.Outbox;

/// <summary>
/// Issue "Never fabricate, never lose", defect 6: sequences between one segment's last intact record and the next
/// segment's first were never marked done on recovery, so the acknowledged mark stopped there for good. Each test drives
/// one of the three ways it was seen, then acknowledges everything the journal hands out: the mark must reach the highest
/// sequence written, and lost records must be counted as gaps.
/// </summary>
public sealed class JournalGapTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-gap-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static byte[] Frame(long seq, int sensors = 8)
    {
        // Sensor seq % sensors, window seq / sensors: consecutive windows of a sensor merge (JournalOutbox.TryMergeOne).
        long window = seq / sensors;
        return WireCodec.Encode(Envelope.Create("dev1", seq, new Summary
        {
            Sensor = "s" + (seq % sensors),
            Channel = "x",
            WindowStartNs = window * 1_000_000_000L,
            WindowEndNs = (window + 1) * 1_000_000_000L,
            Features = WindowStatistics.Compute([window, window + 1, window + 2]),
        }));
    }

    private JournalOutbox Open(long budget = 4 * 4096 + 2048, int segment = 4096) =>
        new(new JournalOptions { Directory = _dir, BudgetBytes = budget, SegmentBytes = segment, CheckpointInterval = TimeSpan.Zero, MaxRecordBytes = 1024, ReserveBytes = 0 });

    /// <summary>Reads and acknowledges everything the journal hands out; returns the sequences acknowledged.</summary>
    private static List<long> AckAll(JournalOutbox j)
    {
        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        j.ReadFrom(1, int.MaxValue, got);
        foreach ((long seq, byte[] record) in got)
        {
            AckAsCollector(j, seq, record);
        }

        return got.Select(g => g.Seq).ToList();
    }

    /// <summary>Acknowledges a record as the collector does: under the incarnation its envelope carries (these frames carry
    /// none, 0, so after a reopen they are of an earlier incarnation than the journal's current one).</summary>
    internal static bool AckAsCollector(JournalOutbox j, long seq, byte[] record)
    {
        Assert.True(WireCodec.TryDecode(record, out Envelope e, out string? error), error);
        return j.Acknowledge(e.Incarnation, seq);
    }

    [Fact]
    public void Reopen_AfterOutageAtTheBudget_AcknowledgingEverythingReachesHighestWritten()
    {
        // An outage at the budget: merging absorbs segments' last records, then a restart.
        long written;
        using (JournalOutbox j = Open())
        {
            for (int i = 1; i <= 3000; i++)
            {
                j.Append(Frame(i));
            }

            Assert.True(j.Counters.Merged > 0);
            written = j.HighestWritten;
        }

        using JournalOutbox r = Open();
        AckAll(r);
        Assert.Equal(written, r.HighestAcknowledged);
        Assert.Equal(0, r.Counters.Gaps); // merged away, not lost: counted in Merged
    }

    [Fact]
    public void Restarts_WithPartialAcknowledgementsUnderLoadAtTheBudget_AcknowledgedMarkNeverStalls()
    {
        // The collector kill loop under heavy load: each round appends at the budget, the collector acknowledges some of
        // what was sent before it dies, and the device restarts.
        var rng = new Random(6);
        long written = 0;
        for (int round = 0; round < 6; round++)
        {
            using JournalOutbox j = Open();
            for (int i = 0; i < 700; i++)
            {
                j.Append(Frame(j.HighestWritten + 1));
            }

            j.Sync();
            var got = new List<(long Seq, byte[] Record)>();
            j.ReadFrom(1, int.MaxValue, got);
            foreach ((long seq, byte[] record) in got.Where(_ => rng.NextDouble() < 0.5))
            {
                AckAsCollector(j, seq, record);
            }

            written = j.HighestWritten;
        }

        using JournalOutbox r = Open();
        AckAll(r);
        Assert.Equal(written, r.HighestWritten);
        Assert.Equal(written, r.HighestAcknowledged);
        Assert.Equal(1, r.Counters.Segments);
    }

    [Fact]
    public void Reopen_AfterTornNonFinalSegments_SkipsAndCountsTheLostRecordsAndReachesHighestWritten()
    {
        // Torn-segment rounds: each round tears the last two records off a segment that is not the newest.
        long lost = 0;
        var expectedAcked = new List<long>();
        for (int round = 0; round < 3; round++)
        {
            using (JournalOutbox j = Open(budget: 64L << 20))
            {
                for (int i = 0; i < 200; i++)
                {
                    j.Append(Frame(j.HighestWritten + 1));
                }
            }

            string victim = Directory.GetFiles(_dir, "seg-*.log").Order().ToArray()[^2];
            List<(long Seq, int Offset)> records = JournalFiles.Records(victim);
            using (var f = new FileStream(victim, FileMode.Open))
            {
                f.SetLength(records[^2].Offset + 5); // tear the second-last record; the last is gone
            }

            lost += 2;
            using JournalOutbox r = Open(budget: 64L << 20);
            Assert.Equal(2, r.Counters.Gaps);
            List<long> acked = AckAll(r);
            Assert.DoesNotContain(records[^1].Seq, acked);
            Assert.DoesNotContain(records[^2].Seq, acked);
            Assert.Equal(r.HighestWritten, r.HighestAcknowledged);
            expectedAcked.Add(r.HighestWritten);
        }

        Assert.Equal(6, lost);
        Assert.Equal(600, expectedAcked[^1]);
    }
}

/// <summary>Reads segment files as laid out in JournalSegment: 32-byte header, then [u32 n][u32 crc][u64 seq][n bytes].</summary>
internal static class JournalFiles
{
    public static List<(long Seq, int Offset)> Records(string segment)
    {
        byte[] b = File.ReadAllBytes(segment);
        var list = new List<(long, int)>();
        for (int pos = 32; pos + 16 <= b.Length;)
        {
            int n = BitConverter.ToInt32(b, pos);
            if (n <= 0 || pos + 16 + n > b.Length)
            {
                break;
            }

            list.Add((BitConverter.ToInt64(b, pos + 8), pos));
            pos += 16 + n;
        }

        return list;
    }

    /// <summary>Open descriptors of this process on files in <paramref name="dir"/> (Linux /proc/self/fd).</summary>
    public static int OpenDescriptors(string dir)
    {
        string full = Path.GetFullPath(dir) + "/";
        int n = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(full, StringComparison.Ordinal))
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }

        return n;
    }
}
