namespace Appliance.Faults.Tests;

/// <summary>
/// The program the fault tests start as separate processes:
/// <c>collector --db PATH --endpoint tcp://127.0.0.1:P [--curve-secret Z85]</c> prints <c>ready</c> and serves until killed or
/// stdin closes; <c>device --state DIR --endpoint E [--count N] [--drain] [--budget B] [--segment S] [--curve-server Z85
/// --curve-secret Z85]</c> appends summaries (8 sensors, 1 s windows, sequence s = window s/8 of sensor s%8) to its
/// journal at full speed and sends them; with <c>--count</c> it stops producing after N records in total; with
/// <c>--drain</c> it then waits for every record to be acknowledged and prints
/// <c>done written acked merged dropped max_journal_bytes</c>; <c>flood ...</c> is the hostile-frame flood of
/// <c>tests/faults/campaign.sh</c> (<see cref="FloodDriver"/>); <c>camera ...</c> a device with a file camera (<see cref="CameraDriver"/>).
/// </summary>
public static class FaultDriver
{
    public static int Main(string[] args)
    {
        var a = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                a[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            }
        }

        return args.Length == 0 ? 2 : args[0] switch
        {
            "collector" => Collector(a),
            "lock" => HoldStateLock(a),
            "flood" => FloodDriver.Run(a),
            "camera" => CameraDriver.Run(a).GetAwaiter().GetResult(),
            _ => Device(a).GetAwaiter().GetResult(),
        };
    }

    /// <summary>Window times start here: 2026-01-01T00:00:00Z in UTC Unix ns (the collector refuses times before 2000).</summary>
    public const long Epoch = 1_767_225_600_000_000_000;

    public static Summary MakeSummary(long seq)
    {
        long window = (seq - 1) / 8;
        float[] samples = [window, window + 1, window + 2, window + 3];
        return new Summary
        {
            Sensor = "s" + ((seq - 1) % 8).ToString(CultureInfo.InvariantCulture),
            Channel = "x",
            WindowStartNs = Epoch + (window * 1_000_000_000L),
            WindowEndNs = Epoch + ((window + 1) * 1_000_000_000L),
            Features = WindowStatistics.Compute(samples),
        };
    }

    private static int Collector(Dictionary<string, string> a)
    {
        using var store = new SqliteStore(a["db"]);
        using var collector = new Collector(a["endpoint"], store, null, a.GetValueOrDefault("curve-secret"));
        collector.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        Console.In.ReadToEnd(); // until the test closes stdin (or kills us)
        return 0;
    }

    /// <summary><c>lock --state DIR</c>: takes the state directory lock, prints <c>locked</c>, holds it until stdin closes or SIGKILL.</summary>
    private static int HoldStateLock(Dictionary<string, string> a)
    {
        using var held = StateDirectoryLock.Acquire(a["state"]);
        Console.WriteLine("locked");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        return 0;
    }

    private static async Task<int> Device(Dictionary<string, string> a)
    {
        var journal = new JournalOutbox(new JournalOptions
        {
            Directory = a["state"],
            BudgetBytes = long.Parse(a.GetValueOrDefault("budget", (64L << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            SegmentBytes = int.Parse(a.GetValueOrDefault("segment", (1 << 20).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            MaxRecordBytes = 1024,
            Fsync = JournalFsync.Batch,
        });
        using var client = new UplinkClient(new UplinkOptions
        {
            Endpoint = a["endpoint"],
            DeviceId = "fault-dev",
            ResendAfter = TimeSpan.FromMilliseconds(300),
            PingInterval = TimeSpan.FromMilliseconds(200),
            ReconnectBackoffMax = TimeSpan.FromSeconds(1),
            CurveServerPublicKey = a.GetValueOrDefault("curve-server"),
            CurveSecretKey = a.GetValueOrDefault("curve-secret"),
        }, journal);
        client.Start();
        Console.WriteLine("started");
        long count = long.Parse(a.GetValueOrDefault("count", "0"), CultureInfo.InvariantCulture);
        long maxBytes = 0;
        while (count == 0 || journal.HighestWritten < count)
        {
            long seq = journal.HighestWritten + 1;
            client.Enqueue(MakeSummary(seq));
            if (seq % 8 == 0)
            {
                journal.Sync(); // fsync per batch: one batch = the 8 sensors' windows
            }

            maxBytes = Math.Max(maxBytes, journal.Counters.JournalBytes);
        }

        journal.Sync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"produced {journal.HighestWritten}"));
        if (a.ContainsKey("drain"))
        {
            bool ok = await client.FlushAsync(TimeSpan.FromSeconds(60));
            JournalCounters c = journal.Counters;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {c.HighestWritten} {c.HighestAcknowledged} {c.Merged} {c.Dropped} {maxBytes} {client.Counters.Retransmits}"));
            client.Dispose();
            journal.Dispose();
            return ok ? 0 : 1;
        }

        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
