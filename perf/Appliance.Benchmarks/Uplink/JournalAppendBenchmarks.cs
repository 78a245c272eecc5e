using Appliance.Device.Outbox;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Uplink;

/// <summary>
/// Appending a 91-byte record (one schema 2 summary frame) to the outbox journal under each fsync policy, on the disk of the
/// temporary folder. EveryRecord pays one fsync per append; Batch appends 64 records, then one <see cref="JournalOutbox.Sync"/>
/// (group commit, as the uplink does before each send); Interval leaves fsync to a 50 ms background timer. Time and
/// allocation are per record (OperationsPerInvoke = 64). Records are acknowledged as they go so acknowledged segments are
/// deleted and the journal stays small.
/// </summary>
[MemoryDiagnoser]
public class JournalAppendBenchmarks
{
    private const int Batch = 64;
    private readonly byte[] _record = new byte[91];
    private string _dir = "";
    private JournalOutbox _journal = null!;

    /// <summary>The fsync policy under test.</summary>
    [Params(JournalFsync.EveryRecord, JournalFsync.Batch, JournalFsync.Interval)]
    public JournalFsync Fsync { get; set; }

    /// <summary>Opens a fresh journal in a new temporary folder.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(_record);
        _dir = Path.Combine(Path.GetTempPath(), "appliance-bench-journal-" + Guid.NewGuid().ToString("N"));
        _journal = new JournalOutbox(new JournalOptions { Directory = _dir, Fsync = Fsync });
    }

    /// <summary>Closes the journal and deletes its folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>64 appends (and, under Batch, one group commit), then their acknowledgements.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long Append()
    {
        long last = 0;
        for (int i = 0; i < Batch; i++)
        {
            last = _journal.Append(_record);
        }

        if (Fsync == JournalFsync.Batch)
        {
            _journal.Sync();
        }

        for (long s = last - Batch + 1; s <= last; s++)
        {
            _journal.Acknowledge(s);
        }

        return last;
    }
}
