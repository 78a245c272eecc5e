namespace Appliance.Faults.Tests;

/// <summary>
/// The hostile-frame flood of <c>tests/faults/campaign.sh</c> (<c>dotnet exec Appliance.Faults.Tests.dll flood ...</c>):
/// <c>flood --endpoint E --frames N --peers P --appliance BIN --db DB [--seed S]</c> sends about N frames of every
/// <see cref="HostileFrames.Classes"/> class (shares in <see cref="Shares"/>), class after class, each class spread over P
/// DEALER peers at once (<see cref="HostileFrames.ManyIdentities"/>: every frame from a new socket with its own ZeroMQ
/// identity, 9 to 255 bytes, on 127.0.0.1). After a class every peer sends one valid summary as device <c>flood-peer-P</c> and waits
/// for its acknowledgement (the collector has then taken every frame the peer sent before it), then the collector's
/// <c>malformed_dropped</c> is read with <c>BIN cloud stats --db DB --json</c> (after the many-identity class, once it
/// has stopped changing: those frames come on connections without a marker). One line per class:
/// <c>class NAME frames F bytes B seconds S dropped D</c>, then <c>total frames F bytes B seconds S dropped D</c>.
/// Exit 1 when an acknowledgement does not come within 120 s (the collector stopped taking frames).
/// </summary>
public static class FloodDriver
{
    /// <summary>Each class's share of the frames, per million (issue 15's flood: mostly small malformed frames, some
    /// thousands of 100-300 KB ones).</summary>
    private static readonly Dictionary<string, int> Shares = new(StringComparer.Ordinal)
    {
        ["random bytes"] = 310_000,
        ["truncated"] = 250_000,
        ["bit-flipped"] = 250_000,
        ["huge length headers"] = 80_000,
        ["100,000-deep nesting"] = 3_000,
        ["wrong versions"] = 74_000,
        ["300 KiB frames"] = 2_000,
        ["absurd but valid summaries"] = 10_000,
        [HostileFrames.MaxSizePings] = 1_000,
        [HostileFrames.ManyIdentities] = 30_000,
    };

    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs the flood; see the type's summary for the arguments and output.</summary>
    public static int Run(Dictionary<string, string> a)
    {
        string endpoint = a["endpoint"];
        long frames = long.Parse(a["frames"], CultureInfo.InvariantCulture);
        int peers = int.Parse(a.GetValueOrDefault("peers", "4"), CultureInfo.InvariantCulture);
        int seed = int.Parse(a.GetValueOrDefault("seed", "20261206"), CultureInfo.InvariantCulture);
        long dropped0 = MalformedDropped(a["appliance"], a["db"]);
        long totalFrames = 0, totalBytes = 0, dropped = dropped0;
        var all = Stopwatch.StartNew();
        for (int c = 0; c < HostileFrames.Classes.Length; c++)
        {
            string kind = HostileFrames.Classes[c];
            long n = Math.Max(1, frames * Shares[kind] / 1_000_000);
            var clock = Stopwatch.StartNew();
            long[] bytes = new long[peers];
            bool[] acked = new bool[peers];
            Parallel.For(0, peers, new ParallelOptions { MaxDegreeOfParallelism = peers }, p =>
            {
                var rng = new Random(seed + (c * 1000) + p);
                (bytes[p], acked[p]) = Peer(endpoint, kind, rng, p, n * p / peers, n * (p + 1) / peers, c + 1);
            });
            long d = kind == HostileFrames.ManyIdentities ? Settled(a["appliance"], a["db"]) : MalformedDropped(a["appliance"], a["db"]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"class {kind.Replace(' ', '_')} frames {n} bytes {bytes.Sum()} seconds {clock.Elapsed.TotalSeconds:F1} dropped {d - dropped}"));
            totalFrames += n;
            totalBytes += bytes.Sum();
            dropped = d;
            if (acked.Contains(false))
            {
                Console.WriteLine($"no acknowledgement within {AckTimeout.TotalSeconds} s after class {kind}: the collector stopped taking frames");
                return 1;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total frames {totalFrames} bytes {totalBytes} seconds {all.Elapsed.TotalSeconds:F1} dropped {dropped - dropped0}"));
        return 0;
    }

    /// <summary>One peer's share [from, to) of a class, then its marker summary; the bytes sent and whether it was acked.</summary>
    private static (long Bytes, bool Acked) Peer(string endpoint, string kind, Random rng, int peer, long from, long to, long markerSeq)
    {
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.FromSeconds(5);
        dealer.Options.ReceiveHighWatermark = 0;
        dealer.Connect(endpoint);
        long bytes = 0;
        var target = new IPEndPoint(IPAddress.Loopback, int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
        for (long i = from; i < to; i++)
        {
            byte[] frame = HostileFrames.Next(kind, rng, i);
            bytes += frame.Length;
            if (kind == HostileFrames.ManyIdentities)
            {
                SendFromNewIdentity(target, frame, rng, i);
            }
            else if (!dealer.TrySendFrame(AckTimeout, frame))
            {
                return (bytes, false);
            }

            while (dealer.TryReceiveFrameBytes(TimeSpan.Zero, out _))
            {
                // replies to pings: read and dropped, so that they never hold the socket
            }
        }

        string device = "flood-peer-" + peer.ToString(CultureInfo.InvariantCulture);
        dealer.SendFrame(WireCodec.Encode(Envelope.Create(device, markerSeq, FaultDriver.MakeSummary(markerSeq))));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < AckTimeout && dealer.TryReceiveFrameBytes(AckTimeout - clock.Elapsed, out byte[]? reply))
        {
            if (WireCodec.TryDecode(reply, out Envelope e, out _) && e.DeviceId == device && e.Body is Ack ack && ack.Sequences.Contains(markerSeq))
            {
                return (bytes, true);
            }
        }

        return (bytes, false);
    }

    /// <summary>
    /// Sends one frame as a new ZeroMQ peer whose identity is unique (every seventh 255 bytes, the ZMTP maximum), spoken
    /// directly over TCP (ZMTP 3.0, rfc.zeromq.org/spec/23: greeting with the NULL mechanism, a READY command with the
    /// Socket-Type and Identity properties, one message frame), then closes the connection: a NetMQ socket per identity
    /// would hit NetMQ's 1,024 sockets per process long before the flood's tens of thousands of identities.
    /// </summary>
    private static void SendFromNewIdentity(EndPoint endpoint, byte[] frame, Random rng, long i)
    {
        byte[] identity = new byte[i % 7 == 6 ? 255 : rng.Next(9, 64)];
        rng.NextBytes(identity);
        identity[0] = 1; // a first byte of 0 is reserved for ZeroMQ's own generated identities
        BinaryPrimitives.WriteInt64LittleEndian(identity.AsSpan(1), i);
        var wire = new List<byte>(128 + identity.Length + frame.Length);
        byte[] greeting = new byte[64];
        greeting[0] = 0xff;
        greeting[9] = 0x7f;
        greeting[10] = 3; // version 3.0
        "NULL"u8.CopyTo(greeting.AsSpan(12));
        wire.AddRange(greeting);
        var ready = new List<byte> { 5 };
        ready.AddRange("READY"u8.ToArray());
        AddProperty(ready, "Socket-Type", "DEALER"u8.ToArray());
        AddProperty(ready, "Identity", identity);
        AddFrame(wire, 0x04, ready.ToArray()); // command
        AddFrame(wire, 0x00, frame); // the last (only) part of a message
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(endpoint);
        s.Send(wire.ToArray());
        // Read the collector's greeting and READY, and its reply when one comes within 50 ms: a socket closed with unread
        // bytes sends a reset, and the collector would throw the frame away with the connection.
        s.ReceiveTimeout = 5000;
        byte[] buffer = new byte[4096];
        int have = 0;
        while (have < 66 || have < 66 + buffer[65])
        {
            int n = s.Receive(buffer, have, buffer.Length - have, SocketFlags.None);
            if (n == 0)
            {
                return;
            }

            have += n;
        }

        if (s.Poll(50_000, SelectMode.SelectRead))
        {
            s.Receive(buffer); // the reply to a ping, read and dropped
        }

        s.Shutdown(SocketShutdown.Both);
    }

    private static void AddProperty(List<byte> to, string name, byte[] value)
    {
        to.Add((byte)name.Length);
        to.AddRange(System.Text.Encoding.ASCII.GetBytes(name));
        byte[] n = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(n, value.Length);
        to.AddRange(n);
        to.AddRange(value);
    }

    private static void AddFrame(List<byte> to, byte flags, byte[] body)
    {
        if (body.Length <= 255)
        {
            to.Add(flags);
            to.Add((byte)body.Length);
        }
        else
        {
            to.Add((byte)(flags | 0x02)); // long frame: 8-byte size
            byte[] n = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(n, body.Length);
            to.AddRange(n);
        }

        to.AddRange(body);
    }

    /// <summary>The count once it has not changed for a second (at most 30 s): frames from the many-identity sockets have no
    /// marker behind them on their connection.</summary>
    private static long Settled(string appliance, string db)
    {
        long last = MalformedDropped(appliance, db);
        for (int i = 0; i < 30; i++)
        {
            Thread.Sleep(1000);
            long now = MalformedDropped(appliance, db);
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    private static long MalformedDropped(string appliance, string db)
    {
        var psi = new ProcessStartInfo(appliance) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "cloud", "stats", "--db", db, "--json" })
        {
            psi.ArgumentList.Add(arg);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"{appliance} did not start");
        string json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("malformed_dropped").GetInt64();
    }
}
