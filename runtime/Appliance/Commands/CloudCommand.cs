using System.CommandLine;
using Appliance.Runtime.Cloud;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud --listen ENDPOINT --db PATH</c>: the collector. Binds a ROUTER socket, stores what devices send in
/// the SQLite file at PATH and acknowledges after each commit. Runs until SIGTERM or Ctrl-C.
/// (<c>postgresql://</c> URLs and the query verbs come with the uplink issue.)
/// </summary>
internal static class CloudCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "The ZeroMQ endpoint to bind, e.g. tcp://0.0.0.0:5556", DefaultValueFactory = _ => "tcp://0.0.0.0:5556" };
        var db = new Option<string>("--db") { Description = "The SQLite database file", Required = true };
        var cmd = new Command("cloud", "Run the collector: receive, store and acknowledge summaries and alerts") { listen, db };
        cmd.SetAction((p, token) => Cli.Guard(() => RunAsync(p.GetValue(listen)!, p.GetValue(db)!, token)));
        return cmd;
    }

    private static async Task<int> RunAsync(string listen, string db, CancellationToken token)
    {
        if (db.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--db {db}: PostgreSQL storage is not built yet (use a SQLite file path)");
        }

        using var logging = Cli.CreateLogging();
        var log = logging.CreateLogger("cloud");
        using var stop = Cli.StopOnSignal();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, stop.Token);
        using var store = new SqliteStore(db);
        using var collector = new Collector(listen, store, logging.CreateLogger<Collector>());
        collector.Start();
        log.LogInformation("Collector listening on {Endpoint} (port {Port}), storing into {Db}", listen, collector.Port, db);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException)
        {
        }

        var s = store.GetStats();
        log.LogInformation("Stopped: {Devices} devices, {Summaries} summaries, {Alerts} alerts, {Duplicates} duplicates rejected, {Malformed} malformed dropped", s.Devices, s.Summaries, s.Alerts, s.DuplicatesRejected, s.MalformedDropped);
        return ExitCodes.Ok;
    }
}
