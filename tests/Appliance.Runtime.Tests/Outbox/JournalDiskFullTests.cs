namespace Appliance.Runtime.Tests.Outbox;

/// <summary>
/// Issue "Never fabricate, never lose", defect 4: a full disk killed the pipeline thread (an unhandled ENOSPC out of
/// <see cref="JournalOutbox.Append"/>) and every restart failed writing <c>checkpoint.tmp</c>; a long outage at the budget
/// multiplied segments and open descriptors. The disk here is a seam: a capacity in bytes over the files in the journal's
/// folder, past which every write fails with ENOSPC as .NET raises it (errno 28 as the HResult).
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class JournalDiskFullTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-full-" + Guid.NewGuid().ToString("N"));
    private long _capacity = long.MaxValue;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private long Used() => Directory.Exists(_dir) ? Directory.GetFiles(_dir).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>A journal on the seam disk; <paramref name="honestFreeSpace"/> false makes the file system report plenty
    /// of room (as a stale statvfs or a quota would) so that writes hit ENOSPC itself.</summary>
    private JournalOutbox Open(bool honestFreeSpace, long reserve = 0, long budget = 1L << 20, int segment = 4096) =>
        new(new JournalOptions
        {
            Directory = _dir,
            BudgetBytes = budget,
            SegmentBytes = segment,
            MaxRecordBytes = 1024,
            CheckpointInterval = TimeSpan.Zero,
            ReserveBytes = reserve,
            DiskCheckInterval = TimeSpan.Zero, // re-measure whenever short of room, so space returning is seen at the next append
            AvailableBytes = () => honestFreeSpace ? Math.Max(0, _capacity - Used()) : 1L << 40,
            BeforeWrite = path =>
            {
                if (Used() + 4096 > _capacity) // room for the largest single write (a segment rewrite)
                {
                    throw new IOException($"{path}: No space left on device", 28);
                }
            },
        });

    private static long Pending(JournalOutbox j)
    {
        j.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        return j.ReadFrom(1, int.MaxValue, got);
    }

    [Fact]
    public void Append_OnAFullDisk_CountsNoSpaceDropsOldestKeepsAppendingAndRecoversWhenSpaceReturns()
    {
        _capacity = 24 * 1024;
        using JournalOutbox j = Open(honestFreeSpace: false);
        for (long i = 1; i <= 3000; i++)
        {
            Assert.Equal(i, j.Append(JournalGapTests.Frame(i))); // never throws: sampling goes on
        }

        JournalCounters full = j.Counters;
        Assert.True(full.NoSpace > 0);
        Assert.True(full.Dropped > 0);
        Assert.True(Used() <= _capacity);
        long pending = Pending(j);
        Assert.True(3000 == pending + full.Merged + full.Dropped, $"pending {pending} merged {full.Merged} dropped {full.Dropped} acked {full.HighestAcknowledged} nospace {full.NoSpace}"); // every sequence accounted for

        long noSpace = j.Counters.NoSpace;
        _capacity = long.MaxValue; // space returns
        for (long i = 3001; i <= 3100; i++)
        {
            j.Append(JournalGapTests.Frame(i));
        }

        Assert.Equal(noSpace, j.Counters.NoSpace);
        var got = new List<(long Seq, byte[] Record)>();
        j.Sync();
        j.ReadFrom(3001, int.MaxValue, got);
        Assert.Equal(Enumerable.Range(3001, 100).Select(i => (long)i), got.Select(g => g.Seq));
    }

    [Fact]
    public void Open_OnAFullDisk_StartsAndAppends()
    {
        _capacity = 24 * 1024;
        using (JournalOutbox j = Open(honestFreeSpace: false))
        {
            for (long i = 1; i <= 1000; i++)
            {
                j.Append(JournalGapTests.Frame(i));
            }
        }

        _capacity = Used(); // not a byte left: the checkpoint cannot be rewritten
        using JournalOutbox r = Open(honestFreeSpace: false);
        long seq = r.Append(JournalGapTests.Frame(1001)); // never throws on the full disk
        Assert.Equal(r.HighestWritten, seq);
        Assert.True(r.Counters.NoSpace > 0);
    }

    [Fact]
    public void Append_WithAReserve_KeepsItFreeByMergingAndDroppingWithoutHittingENOSPC()
    {
        _capacity = 64 * 1024;
        const long reserve = 32 * 1024;
        using JournalOutbox j = Open(honestFreeSpace: true, reserve: reserve);
        for (long i = 1; i <= 3000; i++)
        {
            j.Append(JournalGapTests.Frame(i));
        }

        JournalCounters c = j.Counters;
        Assert.Equal(0, c.NoSpace);
        Assert.True(c.Merged + c.Dropped > 0);
        Assert.True(Used() <= _capacity - reserve + 4096, $"{Used()} bytes used, capacity {_capacity}, reserve {reserve}"); // within a segment of the reserve
    }

    [Fact]
    public void LongOutageAtTheBudget_SegmentsAndDescriptorsStayBoundedAndMemoryFlat()
    {
        // Before: every merge left smaller segments behind and each segment kept its file open (64 -> 122 segments,
        // 95 -> 152 descriptors in 90 s). Now closed segments hold no descriptor and merging compacts neighbours.
        const long budget = 256 * 1024;
        const int segment = 16 * 1024;
        using JournalOutbox j = Open(honestFreeSpace: true, budget: budget, segment: segment);
        var segments = new List<int>();
        var descriptors = new List<int>();
        var heap = new List<long>();
        for (long i = 1; i <= 60_000; i++)
        {
            j.Append(JournalGapTests.Frame(i));
            if (i % 10_000 == 0)
            {
                segments.Add(j.Counters.Segments);
                descriptors.Add(JournalFiles.OpenDescriptors(_dir));
                heap.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        Assert.True(j.Counters.Merged > 0);
        Assert.All(segments, s => Assert.True(s <= (2 * budget / segment) + 2, $"segments over time: {string.Join(", ", segments)}"));
        Assert.All(descriptors, d => Assert.True(d <= 2, $"descriptors over time: {string.Join(", ", descriptors)}")); // newest + one read
        Assert.True(heap[^1] < heap[1] + (4L << 20), $"managed heap over time: {string.Join(", ", heap)}");
    }
}
