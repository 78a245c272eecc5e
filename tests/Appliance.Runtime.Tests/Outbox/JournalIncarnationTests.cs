namespace Appliance.Runtime.Tests.Outbox;

/// <summary>
/// Issue "Never fabricate, never lose", defect 2: the journal's incarnation (docs/uplink.md, "Journal incarnation") is made
/// with the journal, kept across a clean restart, made anew when recovery discards records, given to journals written
/// before incarnations on their first open, and an acknowledgement counts only for a record of its incarnation.
/// </summary>
public sealed class JournalIncarnationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-incarnation-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private JournalOutbox Open() => new(new JournalOptions { Directory = _dir, CheckpointInterval = TimeSpan.Zero, ReserveBytes = 0 });

    private static byte[] Frame(JournalOutbox j, long incarnation) =>
        WireCodec.Encode(Envelope.Create("dev1", j.HighestWritten + 1, WireSamples.SampleSummary(WireSamples.StartNs + j.HighestWritten), incarnation));

    [Fact]
    public void CleanRestart_KeepsTheIncarnationAndSequencesContinue()
    {
        long first;
        using (JournalOutbox j = Open())
        {
            first = j.Incarnation;
            Assert.True(first > 0);
            j.Append(Frame(j, first));
            j.Append(Frame(j, first));
        }

        using JournalOutbox r = Open();
        Assert.Equal(first, r.Incarnation);
        Assert.Equal(3, r.Append(Frame(r, r.Incarnation)));
        Assert.Equal(first, r.Counters.Incarnation);
    }

    [Fact]
    public void TornTail_NewIncarnationOldRecordsKeepTheirsAndAcksMatchOnlyTheirOwn()
    {
        long x;
        using (JournalOutbox j = Open())
        {
            x = j.Incarnation;
            for (int i = 0; i < 10; i++)
            {
                j.Append(Frame(j, x));
            }
        }

        string segment = Directory.GetFiles(_dir, "seg-*.log").Single();
        List<(long Seq, int Offset)> records = JournalFiles.Records(segment);
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(records[7].Offset + 3); // sequences 8..10 torn away
        }

        using JournalOutbox r = Open();
        long y = r.Incarnation;
        Assert.NotEqual(x, y);
        Assert.Equal(7, r.HighestWritten);
        Assert.Equal(8, r.Append(Frame(r, y)));

        Assert.False(r.Acknowledge(y, 1)); // an acknowledgement of the new incarnation never reaches an old record
        Assert.True(r.Acknowledge(x, 1));
        Assert.False(r.Acknowledge(x, 8)); // nor an old incarnation's a new record: X's 8 was the torn one
        Assert.True(r.Acknowledge(y, 8));
        for (long s = 2; s <= 7; s++)
        {
            Assert.True(r.Acknowledge(x, s));
        }

        Assert.Equal(8, r.HighestAcknowledged);
    }

    [Fact]
    public void TornTail_NewIncarnationNotYetInTheCheckpoint_TailNotCutSoTheNextOpenMakesANewOneToo()
    {
        // A crash after recovery cut the tail but before the checkpoint held the new incarnation left a journal that looked
        // intact under the old one, which then handed the cut sequences out again under it. The cut now waits for the
        // checkpoint: here the disk is full for the checkpoint until the process stops.
        long x;
        using (JournalOutbox j = Open())
        {
            x = j.Incarnation;
            for (int i = 0; i < 10; i++)
            {
                j.Append(Frame(j, x));
            }
        }

        string segment = Directory.GetFiles(_dir, "seg-*.log").Single();
        long torn = JournalFiles.Records(segment)[7].Offset + 3;
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(torn);
        }

        var crashed = new JournalOutbox(new JournalOptions
        {
            Directory = _dir, CheckpointInterval = TimeSpan.Zero, ReserveBytes = 0,
            BeforeWrite = path => throw new IOException($"{path}: No space left on device", 28),
        });
        Assert.NotEqual(x, crashed.Incarnation);
        Assert.Equal(torn, new FileInfo(segment).Length); // not cut: the checkpoint does not hold the new incarnation
        crashed.Dispose(); // its checkpoint still fails: as after a crash, the file holds the old incarnation

        using JournalOutbox r = Open();
        Assert.NotEqual(x, r.Incarnation);
        Assert.Equal(7, r.HighestWritten);
        Assert.True(new FileInfo(segment).Length < torn); // cut once the checkpoint was written
    }

    [Fact]
    public void JournalWrittenBeforeIncarnations_GetsOneOnFirstOpenAndItsRecordsAreIncarnationZero()
    {
        using (JournalOutbox j = Open())
        {
            for (int i = 0; i < 3; i++)
            {
                j.Append(Frame(j, 0)); // envelopes of a build before incarnations: five items
            }
        }

        // The checkpoint as that build wrote it: version 1, 56 bytes, acked 1, CRC-32C over bytes 0..51.
        byte[] v1 = new byte[56];
        BitConverter.GetBytes(0x504B4341u).CopyTo(v1, 0);
        BitConverter.GetBytes(1u).CopyTo(v1, 4);
        BitConverter.GetBytes(1L).CopyTo(v1, 8);
        BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, v1.AsSpan(0, 52))).CopyTo(v1, 52);
        File.WriteAllBytes(Path.Combine(_dir, "checkpoint"), v1);

        using JournalOutbox r = Open();
        Assert.True(r.Incarnation > 0);
        Assert.Equal(1, r.HighestAcknowledged);
        Assert.False(r.Acknowledge(r.Incarnation, 2));
        Assert.True(r.Acknowledge(0, 2));
        Assert.True(r.Acknowledge(0, 3));
        Assert.Equal(4, r.Append(Frame(r, r.Incarnation)));
        Assert.False(r.Acknowledge(0, 4));
        Assert.True(r.Acknowledge(r.Incarnation, 4));
        Assert.Equal(4, r.HighestAcknowledged);
    }

    [Fact]
    public void MemoryOutbox_AcknowledgementOfAnotherIncarnation_Ignored()
    {
        var a = new MemoryOutbox(8, TimeSpan.Zero);
        var b = new MemoryOutbox(8, TimeSpan.Zero);
        Assert.NotEqual(a.Incarnation, b.Incarnation);
        a.Append([1]);
        Assert.False(a.Acknowledge(b.Incarnation, 1));
        Assert.Equal(0, a.HighestAcknowledged);
        Assert.True(a.Acknowledge(a.Incarnation, 1));
    }
}
