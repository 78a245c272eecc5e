namespace Appliance.Runtime.Tests.Outbox;

public sealed class JournalOutboxTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private JournalOutbox Open(long budget = 64L << 20, int segment = 1 << 20, JournalFsync fsync = JournalFsync.Batch) =>
        new(new JournalOptions { Directory = _dir, BudgetBytes = budget, SegmentBytes = segment, Fsync = fsync, CheckpointInterval = TimeSpan.Zero, MaxRecordBytes = Math.Min(256 * 1024, segment - 64) });

    private static byte[] SummaryFrame(long seq, int window, string channel = "temperature")
    {
        // Window i covers samples i*10 .. i*10+9 of the ramp x = k (k = sample index), 10 samples per window.
        var samples = Enumerable.Range(window * 10, 10).Select(k => (float)k).ToArray();
        WindowFeatures f = WindowStatistics.Compute(samples);
        return WireCodec.Encode(Envelope.Create("dev1", seq, new Summary
        {
            Sensor = "bme280-0",
            Channel = channel,
            WindowStartNs = window * 1_000_000_000L,
            WindowEndNs = (window + 1) * 1_000_000_000L,
            Features = f,
        }));
    }

    [Fact]
    public void Crc32C_CheckValue_MatchesCatalogue()
    {
        // CRC-32C (Castagnoli) check value of "123456789" is 0xE3069283: RFC 3720 appendix B.4 / the CRC catalogue (reveng.sourceforge.io).
        Assert.Equal(0xE3069283u, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Append_Reopen_ReturnsSameRecordsAndSequences()
    {
        using (JournalOutbox j = Open())
        {
            for (int i = 1; i <= 100; i++)
            {
                Assert.Equal(i, j.Append(SummaryFrame(i, i)));
            }

            j.Sync();
        }

        using JournalOutbox r = Open();
        Assert.Equal(100, r.HighestWritten);
        Assert.Equal(0, r.HighestAcknowledged);
        var got = new List<(long Seq, byte[] Record)>();
        Assert.Equal(100, r.ReadFrom(1, 1000, got));
        for (int i = 1; i <= 100; i++)
        {
            Assert.Equal(i, got[i - 1].Seq);
            Assert.Equal(SummaryFrame(i, i), got[i - 1].Record);
        }

        Assert.Equal(101, r.Append(SummaryFrame(101, 101)));
    }

    [Fact]
    public void ReadFrom_BeforeSync_ReturnsNothingUnderBatchPolicy()
    {
        using JournalOutbox j = Open();
        j.Append(SummaryFrame(1, 1));
        var got = new List<(long Seq, byte[] Record)>();
        Assert.Equal(0, j.ReadFrom(1, 10, got)); // not durable yet: never sent
        j.Sync();
        Assert.Equal(1, j.ReadFrom(1, 10, got));
    }

    [Fact]
    public void Acknowledge_OutOfOrder_AdvancesHighWaterMarkAndSurvivesReopen()
    {
        using (JournalOutbox j = Open())
        {
            for (int i = 1; i <= 10; i++)
            {
                j.Append(SummaryFrame(i, i));
            }

            j.Sync();
            Assert.True(j.Acknowledge(2));
            Assert.Equal(0, j.HighestAcknowledged);
            Assert.True(j.Acknowledge(1));
            Assert.Equal(2, j.HighestAcknowledged);
            Assert.False(j.Acknowledge(1));
            Assert.True(j.Acknowledge(3));
        }

        using JournalOutbox r = Open();
        Assert.Equal(3, r.HighestAcknowledged);
        var got = new List<(long Seq, byte[] Record)>();
        r.ReadFrom(1, 100, got);
        Assert.Equal(Enumerable.Range(4, 7).Select(i => (long)i), got.Select(g => g.Seq));
    }

    [Fact]
    public void Acknowledge_AllOfClosedSegments_DeletesThem()
    {
        using JournalOutbox j = Open(segment: 4096, budget: 1 << 20);
        for (int i = 1; i <= 200; i++)
        {
            j.Append(SummaryFrame(i, i));
        }

        j.Sync();
        Assert.True(j.Counters.Segments > 3);
        for (int i = 1; i <= 200; i++)
        {
            j.Acknowledge(i);
        }

        Assert.Equal(1, j.Counters.Segments);
        Assert.Single(Directory.GetFiles(_dir, "seg-*.log"));
    }

    [Fact]
    public void Recover_TruncatedTail_KeepsEveryIntactRecord()
    {
        using (JournalOutbox j = Open())
        {
            for (int i = 1; i <= 50; i++)
            {
                j.Append(SummaryFrame(i, i));
            }
        }

        string seg = Directory.GetFiles(_dir, "seg-*.log").Single();
        long full = new FileInfo(seg).Length;
        using (var f = new FileStream(seg, FileMode.Open))
        {
            f.SetLength(full - 7); // tear the last record
        }

        using JournalOutbox r = Open();
        Assert.Equal(49, r.HighestWritten);
        Assert.Equal(49, r.Counters.RecoveredRecords);
        Assert.True(r.Counters.TruncatedBytes > 0);
        Assert.Equal(50, r.Append(SummaryFrame(50, 50)));
    }

    [Fact]
    public void Recover_FlippedByteInMiddleRecord_KeepsRecordsAfterIt()
    {
        using (JournalOutbox j = Open())
        {
            for (int i = 1; i <= 50; i++)
            {
                j.Append(SummaryFrame(i, i));
            }
        }

        string seg = Directory.GetFiles(_dir, "seg-*.log").Single();
        byte[] bytes = File.ReadAllBytes(seg);
        int recordSize = 16 + SummaryFrame(41, 41).Length;
        int victim = 32 + Enumerable.Range(1, 40).Sum(i => 16 + SummaryFrame(i, i).Length) + 20; // inside record 41's payload
        bytes[victim] ^= 0x5A;
        File.WriteAllBytes(seg, bytes);

        using JournalOutbox r = Open();
        var got = new List<(long Seq, byte[] Record)>();
        r.ReadFrom(1, 100, got);
        Assert.Equal(Enumerable.Range(1, 50).Where(i => i != 41).Select(i => (long)i), got.Select(g => g.Seq));
        Assert.Equal(50, r.HighestWritten);
        Assert.Equal(recordSize, r.Counters.TruncatedBytes);
    }

    [Fact]
    public void Append_OverBudget_MergesThenDropsAndAccountsForEverySequence()
    {
        const int produced = 4000;
        long budget = 4 * 4096 + 1024;
        using JournalOutbox j = Open(budget: budget, segment: 4096);
        for (int i = 1; i <= produced; i++)
        {
            j.Append(SummaryFrame(i, i));
            Assert.True(j.Counters.JournalBytes <= budget, $"{j.Counters.JournalBytes} bytes after append {i}");
        }

        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        int pending = j.ReadFrom(1, int.MaxValue, got);
        JournalCounters c = j.Counters;
        Assert.True(c.Merged > 0, "nothing merged");
        Assert.True(c.Dropped > 0, "nothing dropped");
        Assert.Equal(produced, pending + c.Merged + c.Dropped);
        Assert.True(Directory.GetFiles(_dir).Sum(f => new FileInfo(f).Length) <= budget);
    }

    [Fact]
    public void ReadFrom_OneRecordPerCall_ServesManyRecordsPerFileRead()
    {
        // The sender reads a few records per call; one positioned read of the 16 KiB read-ahead must serve the records
        // after it too (before: one pread per record). 300 records of about 110 bytes = about 35 KiB: 3 fills.
        using JournalOutbox j = Open();
        for (int i = 1; i <= 300; i++)
        {
            j.Append(SummaryFrame(i, i));
        }

        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        for (int i = 1; i <= 300; i++)
        {
            Assert.Equal(1, j.ReadFrom(i, 1, got));
        }

        for (int i = 1; i <= 300; i++)
        {
            Assert.Equal(i, got[i - 1].Seq);
            Assert.Equal(SummaryFrame(i, i), got[i - 1].Record);
        }

        long bytes = Enumerable.Range(1, 300).Sum(i => 16L + SummaryFrame(i, i).Length);
        Assert.InRange(j.ReadAheadFills, 1, (bytes / (16 * 1024)) + 1);
    }

    [Fact]
    public void ReadFrom_AfterItsSegmentWasMerged_ReturnsTheRewrittenRecordNotTheReadAhead()
    {
        // Reading record 1 reads ahead the rest of the first segment; budget pressure then rewrites that segment with
        // windows 2 and 3 merged into record 2 (same sequence, same offset, same length): what is read next must be the
        // merged record (windows 2..3), not the bytes read ahead before the rewrite.
        using JournalOutbox j = Open(budget: 4 * 4096 + 1024, segment: 4096);
        int i = 1;
        for (; i <= 40; i++)
        {
            j.Append(SummaryFrame(i, i));
        }

        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        Assert.Equal(1, j.ReadFrom(1, 1, got));
        while (j.Counters.Merged == 0)
        {
            j.Append(SummaryFrame(i, i));
            i++;
        }

        j.Sync();
        got.Clear();
        Assert.Equal(2, j.ReadFrom(2, 2, got));
        Assert.Equal(2, got[0].Seq);
        Assert.True(WireCodec.TryDecode(got[0].Record, out Envelope e, out _));
        var s = (Summary)e.Body;
        Assert.Equal(2_000_000_000L, s.WindowStartNs);
        Assert.Equal(4_000_000_000L, s.WindowEndNs);
        Assert.Equal(4, got[1].Seq); // 3 was absorbed
    }

    [Fact]
    public void Merge_TwoAdjacentWindows_EqualsFeaturesOfTheConcatenation()
    {
        // Budget pressure merges windows 1 and 2 (samples 10..29) into one summary whose features must equal those
        // computed directly over the 20 samples (WindowStatistics.Merge: Chan et al. 1979, Pébay 2008).
        using JournalOutbox j = Open(budget: 4 * 4096 + 1024, segment: 4096);
        int i = 1;
        while (j.Counters.Merged == 0)
        {
            j.Append(SummaryFrame(i, i));
            i++;
        }

        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        j.ReadFrom(1, 2, got);
        Assert.True(WireCodec.TryDecode(got[0].Record, out Envelope e, out _));
        var s = (Summary)e.Body;
        Assert.Equal(1, e.Sequence);
        Assert.Equal(1_000_000_000L, s.WindowStartNs);
        Assert.Equal(3_000_000_000L, s.WindowEndNs);
        WindowFeatures direct = WindowStatistics.Compute(Enumerable.Range(10, 20).Select(k => (float)k).ToArray());
        Assert.Equal(direct.Count, s.Features.Count);
        Assert.Equal(direct.Mean, s.Features.Mean, 9);
        Assert.Equal(direct.M2, s.Features.M2, 6);
        Assert.Equal(direct.Min, s.Features.Min);
        Assert.Equal(direct.Max, s.Features.Max);
        Assert.Equal(3, got[1].Seq); // 2 was absorbed
    }

    [Fact]
    public void Reopen_AfterMergesAndDrops_KeepsCountersAndNeverReusesSequences()
    {
        long merged, dropped, written;
        using (JournalOutbox j = Open(budget: 4 * 4096 + 1024, segment: 4096))
        {
            for (int i = 1; i <= 3000; i++)
            {
                j.Append(SummaryFrame(i, i));
            }

            (merged, dropped, written) = (j.Counters.Merged, j.Counters.Dropped, j.HighestWritten);
        }

        using JournalOutbox r = Open(budget: 4 * 4096 + 1024, segment: 4096);
        Assert.Equal(merged, r.Counters.Merged);
        Assert.Equal(dropped, r.Counters.Dropped);
        Assert.Equal(written + 1, r.Append(SummaryFrame(written + 1, 1)));
    }

    [Fact]
    public async Task Sync_ConcurrentWithAppends_DurableNeverPassesWrittenAndEveryRecordReadsBack()
    {
        // Group commit runs its fsyncs outside the journal lock: appends continue meanwhile, and HighestDurable may only
        // rise to the sequence taken before the flush.
        using JournalOutbox journal = Open(segment: 64 * 1024);
        const int n = 3000;
        bool violated = false;
        var appender = Task.Run(() =>
        {
            for (int i = 1; i <= n; i++)
            {
                journal.Append(BitConverter.GetBytes(i));
            }
        });
        while (!appender.IsCompleted)
        {
            journal.Sync();
            violated |= journal.HighestDurable > journal.HighestWritten;
        }

        await appender;
        journal.Sync();

        Assert.False(violated);
        Assert.Equal(n, journal.HighestDurable);
        var records = new List<(long Seq, byte[] Record)>();
        journal.ReadFrom(1, n, records);
        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.All(records, r => Assert.Equal(r.Seq, BitConverter.ToInt32(r.Record)));
    }
}
