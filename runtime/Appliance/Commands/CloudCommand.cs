using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Http;
using Appliance.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud [--listen ENDPOINT] --db PATH|URL [--curve-secret-file FILE --curve-allow FILE] [--allow-unauthenticated]</c>:
/// the collector, on loopback (<c>tcp://127.0.0.1:5556</c>) unless told otherwise; a non-loopback address needs CURVE
/// (whose allow-list is the store's device registry plus <c>--curve-allow</c>) or <c>--allow-unauthenticated</c>. Binds a ROUTER socket,
/// stores what devices send in the SQLite file at PATH (or the PostgreSQL database at a <c>postgresql://</c> URL) and
/// acknowledges after each commit. Runs until SIGTERM or Ctrl-C. Query verbs on the same store:
/// <c>cloud devices [--json]</c>, <c>cloud summaries [--device ID] [--since T] [--limit N] [--json]</c>,
/// <c>cloud alerts [--device ID] [--since T] [--limit N] [--json]</c> (latest first), <c>cloud stats [--json]</c> (keys <c>devices</c>, <c>summaries</c>, <c>alerts</c>, <c>duplicates_rejected</c>, <c>malformed_dropped</c>);
/// with <c>--http HOST:PORT</c> the collector also serves the JSON API, dashboard and <c>/metrics</c> (<see cref="CloudHttp"/>, docs/api.md).
/// </summary>
internal static class CloudCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "The ZeroMQ endpoint to bind (default loopback only; another address needs CURVE with --curve-allow, or --allow-unauthenticated)", DefaultValueFactory = _ => "tcp://127.0.0.1:5556" };
        var unauthenticated = new Option<bool>("--allow-unauthenticated") { Description = "Listen on a non-loopback address without a CURVE allow-list: any peer can send as any device id (logged)" };
        var db = new Option<string>("--db") { Description = "The SQLite database file, or a postgresql://user:password@host:port/database URL" };
        var curve = new Option<FileInfo?>("--curve-secret-file") { Description = "File holding the collector's CURVE secret key (Z85, 40 characters); plaintext without it" };
        var allow = new Option<FileInfo?>("--curve-allow") { Description = "More allowed device keys beside the store's registry (cloud devices add): lines 'Z85_PUBLIC_KEY DEVICE_ID' (DEVICE_ID * for any); needs --curve-secret-file" };
        var synchronous = new Option<string>("--synchronous")
        {
            Description = "SQLite commit durability: full (fsync per commit, survives power loss; default) or normal (survives a collector crash, not a power loss)",
            DefaultValueFactory = _ => "full",
        };
        var http = new Option<string?>("--http") { Description = "Serve the JSON API, dashboard and /metrics on HOST:PORT (e.g. 127.0.0.1:8080; a non-loopback address needs --http-token-file)" };
        var httpToken = new Option<FileInfo?>("--http-token-file") { Description = "File whose first line is the bearer token every API call, page and /metrics must carry (at least 16 characters)" };
        var heartbeatTimeout = new Option<string>("--heartbeat-timeout") { Description = "A device is online while its latest message is younger than this (default 25s: 2.5 heartbeat periods)", DefaultValueFactory = _ => "25s" };
        var clipsDir = CloudClipsCommand.ClipsDirOption();
        var logFormat = Cli.LogFormatOption();
        var logLevel = Cli.LogLevelOption();
        var retention = CloudRetention.Option();
        var (rolloutsRepo, signingKey) = CloudRolloutCommand.ControllerOptions();
        var cmd = new Command("cloud", "Run the collector: receive, store and acknowledge summaries and alerts; or query its store") { listen, db, curve, allow, synchronous, unauthenticated, http, httpToken, heartbeatTimeout, clipsDir, logFormat, logLevel, retention, rolloutsRepo, signingKey };
        cmd.SetAction((p, token) => Cli.Guard(() => RunAsync(p.GetValue(listen)!, Required(p.GetValue(db)), p.GetValue(curve), p.GetValue(allow), Synchronous(p.GetValue(synchronous)), p.GetValue(unauthenticated),
            CloudHttp.Options(p.GetValue(http), p.GetValue(httpToken), p.GetValue(heartbeatTimeout)!), p.GetValue(clipsDir), Cli.LogSettings(p.GetValue(logFormat)!, p.GetValue(logLevel)!), CloudRetention.Parse(p.GetValue(retention)), (p.GetValue(rolloutsRepo), p.GetValue(signingKey)), token)));
        cmd.Subcommands.Add(Devices());
        cmd.Subcommands.Add(Summaries());
        cmd.Subcommands.Add(Alerts());
        cmd.Subcommands.Add(Stats());
        cmd.Subcommands.Add(CloudRollupCommand.Create());
        cmd.Subcommands.Add(CloudTrainCommand.Create());
        cmd.Subcommands.Add(CloudClipsCommand.Create());
        cmd.Subcommands.Add(CloudControlCommands.CommandVerb());
        cmd.Subcommands.Add(CloudControlCommands.PullConfigVerb());
        cmd.Subcommands.Add(CloudRolloutCommand.Create());
        return cmd;
    }

    /// <summary>Opens the store named by <paramref name="db"/>: PostgreSQL for a URL, SQLite otherwise.</summary>
    public static ICollectorStore OpenStore(string db) => PostgresStore.IsUrl(db) ? new PostgresStore(db) : new SqliteStore(RequireSqlite(db));

    /// <summary>Opens the store named by <paramref name="db"/>; a SQLite file with the given commit durability.</summary>
    public static ICollectorStore OpenStore(string db, SqliteSynchronous synchronous) =>
        PostgresStore.IsUrl(db) ? new PostgresStore(db) : new SqliteStore(RequireSqlite(db), synchronous);

    /// <summary><paramref name="db"/>, once SQLite's native library loads (<see cref="NativeLibraries.Sqlite"/>).</summary>
    /// <exception cref="DllNotFoundException">It does not: the library and where it was looked for named (exit 1).</exception>
    private static string RequireSqlite(string db) => NativeLibraries.Sqlite() is { } missing ? throw new DllNotFoundException(missing) : db;

    private static SqliteSynchronous Synchronous(string? value) => value switch
    {
        "full" => SqliteSynchronous.Full,
        "normal" => SqliteSynchronous.Normal,
        _ => throw new ArgumentException($"--synchronous {value}: expected full or normal"),
    };

    private static string Required(string? db) =>
        string.IsNullOrWhiteSpace(db) ? throw new ArgumentException("--db: missing (expected a SQLite file or a postgresql:// URL)") : db;

    internal static Option<string> DbOption() => new("--db") { Description = "The SQLite database file, or a postgresql:// URL", Required = true };

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print JSON" };

    /// <summary>Opens a store for the query verbs: a SQLite file read-only (nothing created or written).</summary>
    internal static ICollectorStore OpenExisting(string db)
    {
        if (PostgresStore.IsUrl(db))
        {
            return new PostgresStore(db);
        }

        if (!File.Exists(db))
        {
            throw new FileNotFoundException($"--db {db}: no such collector store", db);
        }

        return SqliteStore.OpenReadOnly(RequireSqlite(db));
    }

    private static Command Stats()
    {
        var db = DbOption();
        var json = JsonOption();
        var cmd = new Command("stats", "Totals of the collector store") { db, json };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = OpenExisting(p.GetValue(db)!);
            var s = store.GetStats();
            if (p.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("devices", s.Devices);
                    w.WriteNumber("summaries", s.Summaries);
                    w.WriteNumber("alerts", s.Alerts);
                    w.WriteNumber("duplicates_rejected", s.DuplicatesRejected);
                    w.WriteNumber("malformed_dropped", s.MalformedDropped);
                    w.WriteBoolean("identities_unauthenticated", s.IdentitiesUnauthenticated);
                    w.WriteEndObject();
                });
            }
            else
            {
                Console.WriteLine($"devices {s.Devices}, summaries {s.Summaries}, alerts {s.Alerts}, duplicates rejected {s.DuplicatesRejected}, malformed dropped {s.MalformedDropped}"
                    + (s.IdentitiesUnauthenticated ? "; device identities unauthenticated (no CURVE allow-list: any peer can send as any device)" : ""));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    private static Command Devices()
    {
        var db = DbOption();
        var json = JsonOption();
        var cmd = new Command("devices", "The fleet: each device's last message, last heartbeat, configuration revision and state, health (degraded sensors, rates, jitter, counters) and counts; add, revoke and keys manage the device registry") { db, json };
        foreach (var sub in CloudControlCommands.DeviceSubcommands())
        {
            cmd.Subcommands.Add(sub);
        }

        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = OpenExisting(p.GetValue(db)!);
            var devices = store.GetDevices();
            if (p.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var d in devices)
                    {
                        w.WriteStartObject();
                        w.WriteString("device", d.DeviceId);
                        w.WriteNumber("last_seen_ns", d.LastSeenNs);
                        w.WriteNumber("last_sequence", d.LastSequence);
                        w.WriteNumber("heartbeat_ns", d.HeartbeatNs);
                        w.WriteNumber("uptime_ms", d.UptimeMs);
                        w.WriteString("execution_provider", d.ExecutionProvider);
                        w.WriteString("config_revision", d.ConfigRevision);
                        w.WriteNumber("summaries", d.Summaries);
                        w.WriteNumber("alerts", d.Alerts);
                        w.WriteString("config_state", d.ConfigState);

                        // The latest heartbeat's health as the collector stored it (keys on DeviceRecord.Health); {} when none.
                        w.WritePropertyName("health");
                        w.WriteRawValue(d.Health.Length == 0 ? "{}" : d.Health, skipInputValidation: false);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var d in devices)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{d.DeviceId}  last seen {Time(d.LastSeenNs)}  seq {d.LastSequence}  summaries {d.Summaries}  alerts {d.Alerts}  config {d.ConfigRevision}{(d.ConfigState.Length == 0 ? "" : " (" + d.ConfigState + ")")}  provider {d.ExecutionProvider}  heartbeat {(d.HeartbeatNs == 0 ? "never" : Time(d.HeartbeatNs))}"));
                    if (d.Health.Length > 0)
                    {
                        Console.WriteLine("  health " + d.Health);
                    }
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    private static Command Summaries()
    {
        var db = DbOption();
        var json = JsonOption();
        var device = new Option<string?>("--device") { Description = "Only this device" };
        var since = new Option<string?>("--since") { Description = "Only windows starting at or after this UTC time (ISO 8601, e.g. 2026-01-01T00:00:00Z)" };
        var limit = new Option<int>("--limit") { Description = "Most rows", DefaultValueFactory = _ => 1000 };
        var cmd = new Command("summaries", "Stored summaries, oldest window first") { db, device, since, limit, json };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            var (sinceNs, max) = Range(p.GetValue(since), p.GetValue(limit));
            using var store = OpenExisting(p.GetValue(db)!);
            var rows = store.GetSummaries(p.GetValue(device), sinceNs, max);
            if (p.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("device", r.DeviceId);
                        w.WriteNumber("seq", r.Sequence);
                        w.WriteString("sensor", r.Sensor);
                        w.WriteString("channel", r.Channel);
                        w.WriteNumber("window_start_ns", r.WindowStartNs);
                        w.WriteNumber("window_end_ns", r.WindowEndNs);
                        w.WriteNumber("count", r.Features.Count);
                        Number(w, "mean", r.Features.Mean);
                        Number(w, "min", r.Features.Min);
                        Number(w, "max", r.Features.Max);
                        if (r.Spectral is { } spectral)
                        {
                            w.WritePropertyName("spectral");
                            w.WriteRawValue(spectral);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var r in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.DeviceId} #{r.Sequence} {r.Sensor}/{r.Channel} {Time(r.WindowStartNs)} .. {Time(r.WindowEndNs)} n={r.Features.Count} mean={r.Features.Mean:G6} min={r.Features.Min:G6} max={r.Features.Max:G6}{SpectralText(r.Spectral)}"));
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    /// <summary>The table's spectral columns: <c> dominant_hz=F centroid_hz=F band_rms=A,B</c> from the stored JSON, or nothing.</summary>
    private static string SpectralText(string? json)
    {
        if (json is null)
        {
            return string.Empty;
        }

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        static string Value(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble().ToString("G6", CultureInfo.InvariantCulture) : "null";
        var bands = string.Join(",", root.GetProperty("band_rms").EnumerateArray().Select(Value));
        return $" dominant_hz={Value(root.GetProperty("dominant_hz"))} centroid_hz={Value(root.GetProperty("centroid_hz"))} band_rms={bands}";
    }

    /// <summary><c>cloud alerts [--device ID] [--since T] [--limit N] [--json]</c>: stored alerts, latest first.</summary>
    private static Command Alerts()
    {
        var db = DbOption();
        var json = JsonOption();
        var device = new Option<string?>("--device") { Description = "Only this device" };
        var since = new Option<string?>("--since") { Description = "Only alerts at or after this UTC time (ISO 8601, e.g. 2026-01-01T00:00:00Z)" };
        var limit = new Option<int>("--limit") { Description = "Most rows", DefaultValueFactory = _ => 100 };
        var cmd = new Command("alerts", "Stored alerts, latest first") { db, device, since, limit, json };
        cmd.Subcommands.Add(CloudAlertLabelCommand.Create());
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            var (sinceNs, max) = Range(p.GetValue(since), p.GetValue(limit));
            using var store = OpenExisting(p.GetValue(db)!);
            var rows = ((IFleetReader)store).QueryAlerts(new AlertQuery(p.GetValue(device), sinceNs, long.MaxValue, Detector: null, Acknowledged: null, max));
            if (p.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var a in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("device", a.DeviceId);
                        w.WriteNumber("seq", a.Sequence);
                        w.WriteString("sensor", a.Sensor);
                        w.WriteString("channel", a.Channel);
                        w.WriteNumber("time_ns", a.TimeNs);
                        w.WriteString("detector", a.Detector);
                        Number(w, "score", a.Score);
                        Number(w, "threshold", a.Threshold);
                        w.WriteNumber("severity", a.Severity);
                        if (a.Label is { } l)
                        {
                            w.WriteBoolean("label", l);
                        }
                        else
                        {
                            w.WriteNull("label");
                        }
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var a in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{Time(a.TimeNs)} {a.DeviceId} #{a.Sequence} {a.Sensor}/{a.Channel} {a.Detector} score={a.Score:G6} threshold={a.Threshold:G6} severity={a.Severity}{(a.Label is { } l ? (l ? " label=true" : " label=false") : "")}"));
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    /// <summary>The <c>--since</c> time (UTC Unix ns; 0 when absent) and the <c>--limit</c> of a query verb.</summary>
    /// <exception cref="FormatException">--since is not an ISO 8601 time.</exception>
    /// <exception cref="ArgumentException">--limit is below 1.</exception>
    private static (long SinceNs, int Limit) Range(string? since, int limit)
    {
        long sinceNs = 0;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                throw new FormatException($"--since {Appliance.Kernels.Text.QuotedText.Quote(since)}: expected an ISO 8601 time such as 2026-01-01T00:00:00Z");
            }

            sinceNs = (when.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        }

        return limit >= 1 ? (sinceNs, limit) : throw new ArgumentException($"--limit {limit}: expected at least 1");
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name); // JSON has no NaN (RFC 8259 §6)
        }
    }

    internal static string Time(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    internal static void WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            body(w);
        }

        stdout.WriteByte((byte)'\n');
    }

    private static Dictionary<string, string>? ReadAllowList(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        var allowed = new Dictionary<string, string>(StringComparer.Ordinal);
        int line = 0;
        foreach (var raw in File.ReadLines(file.FullName))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[0].Length != 40)
            {
                throw new FormatException($"{file.FullName}:{line}: expected 'Z85_PUBLIC_KEY DEVICE_ID' (a 40-character key, then an id or *)");
            }

            allowed[parts[0]] = parts[1];
        }

        return allowed;
    }

    private static async Task<int> RunAsync(
        string listen, string db, FileInfo? curveSecretFile, FileInfo? allowFile, SqliteSynchronous synchronous, bool allowUnauthenticated, FleetHttpOptions? http,
        string? clipsDir, (Appliance.Device.Hosting.LogLevelSwitch Levels, string Format) logSettings, TimeSpan? retention, (string? Repo, FileInfo? Key) rollouts, CancellationToken token)
    {
        // Every argument is checked before anything is created (a bad --listen leaves no database file behind).
        try
        {
            CollectorEndpoint.Parse(listen);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"--listen {listen}: expected tcp://host:port (e.g. tcp://127.0.0.1:5556)");
        }

        bool loopback = CollectorEndpoint.IsLoopback(listen);
        if (!loopback && curveSecretFile is null && !allowUnauthenticated)
        {
            throw new ArgumentException($"--listen {listen}: not a loopback address, so device identities must be authenticated: give --curve-secret-file (devices allowed with cloud devices add, or --curve-allow), or --allow-unauthenticated to accept any peer as any device");
        }

        if (!PostgresStore.IsUrl(db) && Path.GetDirectoryName(Path.GetFullPath(db)) is { } dbDir && !Directory.Exists(dbDir))
        {
            throw new DirectoryNotFoundException($"--db {db}: directory '{dbDir}' does not exist (expected an existing directory for the database file)");
        }

        var allowed = ReadAllowList(allowFile);
        if (allowed is not null && curveSecretFile is null)
        {
            throw new ArgumentException("--curve-allow needs --curve-secret-file (the allow-list is checked inside CURVE sessions)");
        }

        string? curveSecret = null;
        if (curveSecretFile is not null)
        {
            curveSecret = File.ReadAllText(curveSecretFile.FullName).Trim();
            if (curveSecret.Length != 40)
            {
                throw new FormatException($"{curveSecretFile.FullName}: expected a 40-character Z85 CURVE secret key (ZeroMQ RFC 32)");
            }
        }

        using var logging = Cli.CreateLogging(logSettings.Levels, logSettings.Format);
        var log = logging.CreateLogger("cloud");
        using var stop = Cli.StopOnSignal();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, stop.Token);
        var store = OpenStore(db, synchronous);
        CloudClipsCommand.SetClipsDirectory(store, clipsDir);
        using var metrics = new CollectorMetrics();
        try
        {
            var controller = CloudRolloutCommand.Controller(store, rollouts.Repo, rollouts.Key);
            ICollectorStore ingest = controller is null ? store : new Appliance.Cloud.Rollouts.ShadowReportingStore(store, controller);
            // Under CURVE the allow-list is always on: --curve-allow's keys plus the store's device registry, read again every second.
            using var collector = new Collector(listen, http is null ? ingest : metrics.Measure(ingest), logging.CreateLogger<Collector>(), curveSecret, allowed, useDeviceRegistry: curveSecret is not null);
            try
            {
                collector.Start();
            }
            catch (NetMQ.NetMQException ex)
            {
                // A port in use (AddressAlreadyInUseException) or an address not on this machine: one line, a failed job.
                Console.Error.WriteLine($"appliance: failed: --listen {listen}: {(ex is NetMQ.AddressAlreadyInUseException ? "address already in use (another collector?)" : ex.Message)}");
                return ExitCodes.Failed;
            }

            log.LogInformation("Collector listening on {Endpoint} (port {Port}, {Security}), storing into {Db}", listen, collector.Port, curveSecret is null ? "plaintext" : "CURVE", store);
            store.RecordIdentities(authenticated: curveSecret is not null);
            if (curveSecret is null)
            {
                log.LogWarning("Device identities are unauthenticated ({Security}{Where}): any peer that reaches {Endpoint} can send as any device id; give --curve-secret-file and allow device keys (cloud devices add) to bind each connection to one device",
                    "plaintext", loopback ? ", loopback only" : ", NOT loopback: --allow-unauthenticated", listen);
            }

            metrics.Observe(() => collector.Counters);
            Task retaining = CloudRetention.Run(store, retention, log, linked.Token);
            Task controlling = CloudRolloutCommand.RunAsync(controller, log, linked.Token);
            await using (var server = http is null ? null : await CloudHttp.StartAsync(http, db, () => collector.Counters, logging, log, controller))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, linked.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await retaining;
            await controlling;
            var s = store.GetStats();
            var c = collector.Counters;
            log.LogInformation("Stopped: {Devices} devices, {Summaries} summaries, {Alerts} alerts, {Duplicates} duplicates rejected, {Malformed} malformed dropped ({OutOfBounds} out of bounds); {StoreFaults} store faults, {Quarantined} quarantined, {Faults} input faults, {Routes} routes held, write-ahead log {WalBytes} bytes",
                s.Devices, s.Summaries, s.Alerts, s.DuplicatesRejected, s.MalformedDropped, c.OutOfBounds, c.StoreFaults, c.Quarantined, c.Faults, c.Routes, c.WalBytes);
            return ExitCodes.Ok;
        }
        finally
        {
            store.Dispose();
        }
    }
}
