namespace Appliance.Faults.Tests;

/// <summary>
/// The journal on a real 2 MiB tmpfs (issue "Never fabricate, never lose", defect 4: ENOSPC killed the pipeline thread
/// and every restart). Needs root to mount, as CI runs; a failed mount fails the test, saying so.
/// </summary>
public sealed class JournalTmpfsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-tmpfs-" + Guid.NewGuid().ToString("N"));
    private bool _mounted;

    public JournalTmpfsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _dir);
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim());
    }

    private JournalOutbox Open() =>
        new(new JournalOptions { Directory = Path.Combine(_dir, "outbox"), SegmentBytes = 64 * 1024, MaxRecordBytes = 1024, ReserveBytes = 0 });

    [Fact]
    public void Journal_OnAFull2MiBTmpfs_NeverThrowsStaysWithinTheDiskAndStartsAgainOnAFullDisk()
    {
        (int code, string output) = Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", _dir);
        Assert.True(code == 0, $"mount -t tmpfs -o size=2m failed ({code}: {output}); this test needs root");
        _mounted = true;

        long written;
        using (JournalOutbox j = Open())
        {
            for (long seq = 1; seq <= 40_000; seq++) // about 5 MB of summaries, collector down
            {
                j.Append(WireCodec.Encode(Envelope.Create("fault-dev", seq, FaultDriver.MakeSummary(seq))));
            }

            JournalCounters c = j.Counters;
            written = c.HighestWritten;
            Assert.Equal(40_000, written);
            Assert.True(c.Merged + c.Dropped > 0);
        }

        // Fill what is left of the file system, then start again on the full disk.
        using (var filler = new FileStream(Path.Combine(_dir, "filler"), FileMode.Create))
        {
            byte[] block = new byte[4096];
            try
            {
                while (true)
                {
                    filler.Write(block);
                    filler.Flush();
                }
            }
            catch (IOException)
            {
                // ENOSPC: full
            }
        }

        using JournalOutbox r = Open();
        Assert.Equal(written, r.HighestWritten); // the last records were journaled (older ones merged or dropped)
        for (long seq = written + 1; seq <= written + 200; seq++)
        {
            Assert.Equal(seq, r.Append(WireCodec.Encode(Envelope.Create("fault-dev", seq, FaultDriver.MakeSummary(seq)))));
        }

        Assert.True(r.Counters.NoSpace > 0);
        File.Delete(Path.Combine(_dir, "filler")); // space returns: appends are journaled again
        r.Append(WireCodec.Encode(Envelope.Create("fault-dev", written + 201, FaultDriver.MakeSummary(written + 201))));
        r.Sync();
        var got = new List<(long Seq, byte[] Record)>();
        r.ReadFrom(written + 201, 10, got);
        Assert.Single(got);
    }
}
