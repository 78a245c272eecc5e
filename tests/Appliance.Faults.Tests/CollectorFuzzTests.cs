namespace Appliance.Faults.Tests;

/// <summary>100,000 hostile frames to a collector process; it must keep serving and count every malformed one.</summary>
public sealed class CollectorFuzzTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-fuzz-" + Guid.NewGuid().ToString("N"));

    public CollectorFuzzTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Frame(Random rng, int i)
    {
        byte[] valid = WireCodec.Encode(Envelope.Create("fuzz", 1 + (i % 5000), FaultDriver.MakeSummary(1 + (i % 5000))));
        switch (i % 9)
        {
            case 0: // random bytes
                byte[] r = new byte[rng.Next(0, 64)];
                rng.NextBytes(r);
                return r;
            case 1: // one to three flipped bytes in a valid frame
            case 2:
                byte[] m = (byte[])valid.Clone();
                for (int k = rng.Next(1, 4); k > 0; k--)
                {
                    m[rng.Next(m.Length)] = (byte)rng.Next(256);
                }

                return m;
            case 3: // truncated
                return valid[..rng.Next(0, valid.Length)];
            case 4: // wrong schema version (MessagePack spec: positive fixint at byte 1)
                byte[] v = (byte[])valid.Clone();
                v[1] = (byte)rng.Next(2, 128);
                return v;
            case 5: // deeply nested arrays: 0x91 = fixarray of one item, 200 deep
                return [.. Enumerable.Repeat((byte)0x91, 200), 0x00];
            case 6: // huge length claims: array32 / str32 / bin32 of 2^32-1 items or bytes
                return [0x95, 0x01, 0x01, (byte)(0xdb + rng.Next(0, 2)), 0xff, 0xff, 0xff, 0xff];
            case 7: // oversized (over WireCodec.MaxFrameBytes) now and then, else a command (devices may not send one)
                return i % 900 == 7
                    ? new byte[WireCodec.MaxFrameBytes + 1]
                    : WireCodec.Encode(Envelope.Create("fuzz", 1, new Command { Kind = CommandKind.PullConfig }));
            default: // valid (stored once, then duplicates)
                return valid;
        }
    }

    [Fact]
    public void Collector_HundredThousandHostileFrames_KeepsServingAndCountsEveryMalformedOne()
    {
        string db = Path.Combine(_dir, "fuzz.db");
        int port = FaultProcess.FreePort();
        using FaultProcess collector = FaultProcess.StartCollector(db, port);
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Options.SendHighWatermark = 10000;
        dealer.Connect($"tcp://127.0.0.1:{port}");

        var rng = new Random(20260101);
        long nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        long malformed = 0, valid = 0;
        for (int i = 0; i < 100_000; i++)
        {
            byte[] frame = Frame(rng, i);

            // Expected class by the wire contract (Envelope, WireCodec, WireLimits): undecodable, out of bounds (a flipped
            // bit in a time or a feature), an ack with sequences, or a command, is malformed; an empty ack is a ping; a
            // summary, alert or heartbeat is device data.
            if (!WireCodec.TryDecode(frame, out Envelope e, out _) || !WireLimits.TryValidate(e, nowNs, out _)
                || e.Body is Command || e.Body is Ack { Sequences.Count: > 0 })
            {
                malformed++;
            }
            else if (e.Body is not Ack)
            {
                valid++;
            }

            Assert.True(dealer.TrySendFrame(TimeSpan.FromSeconds(30), frame), $"collector stopped taking frames at input {i}");
        }

        // Still serving: a last valid summary is stored and acknowledged after everything above.
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("fuzz-final", 1, FaultDriver.MakeSummary(1))));
        bool acked = false;
        while (!acked && dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(60), out byte[]? reply))
        {
            acked = WireCodec.TryDecode(reply, out Envelope a, out _) && a.DeviceId == "fuzz-final" && a.Body is Ack { Sequences: [1] };
        }

        Assert.True(acked, "no acknowledgement for the final valid frame");
        CollectorStats stats = SqliteStore.ReadStats(db);
        Assert.Equal(malformed, stats.MalformedDropped);
        Assert.True(valid > 10_000);
        Assert.Equal(valid + 1, stats.Summaries + stats.DuplicatesRejected + Heartbeats(db) + stats.Alerts);
    }

    private static long Heartbeats(string db)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = "SELECT count(*) FROM heartbeats";
        return (long)q.ExecuteScalar()!;
    }
}
