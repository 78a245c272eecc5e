using System.CommandLine;
using System.Globalization;
using Appliance.Cloud.Rollups;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud rollup --db PATH|URL --sensor NAME --every 1m|1h --by device|label:KEY --since T [--until T] [--json]</c>:
/// a sensor's stored windows merged exactly per time bucket and per device or label value (<see cref="RollupAccumulator"/>);
/// one line per bucket, group and channel (with <c>--json</c> one JSON object per line, <see cref="RollupJson"/>).
/// </summary>
internal static class CloudRollupCommand
{
    /// <summary>The verb.</summary>
    public static Command Create()
    {
        var db = CloudCommand.DbOption();
        var json = CloudCommand.JsonOption();
        var sensor = new Option<string>("--sensor") { Description = "The sensor, as the devices name it", Required = true };
        var every = new Option<string>("--every") { Description = "Bucket length: 1m or 1h", DefaultValueFactory = _ => "1m" };
        var by = new Option<string>("--by") { Description = "Group per device, or per value of a device label (label:site)", DefaultValueFactory = _ => "device" };
        var since = new Option<string>("--since") { Description = "Windows starting at or after this: an ISO 8601 UTC time, or a duration ago (2h)", Required = true };
        var until = new Option<string?>("--until") { Description = "Windows starting before this (ISO 8601 UTC, or a duration ago); default now" };
        var cmd = new Command("rollup", "Merge a sensor's windows per 1m or 1h bucket and per device or label (exact moments, p50/p95/p99 from the windows' quantile sketches)") { db, sensor, every, by, since, until, json };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            var query = Parse(p.GetValue(sensor)!, p.GetValue(every)!, p.GetValue(by)!, p.GetValue(since)!, p.GetValue(until), now);
            using var store = CloudCommand.OpenExisting(p.GetValue(db)!);
            var rows = ((IFleetReader)store).QueryRollups(query);
            foreach (var row in rows)
            {
                if (p.GetValue(json))
                {
                    CloudCommand.WriteJson(w => RollupJson.Write(w, query, row));
                }
                else
                {
                    Console.WriteLine(RollupJson.Line(query, row));
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    /// <summary>The query of the verb's options.</summary>
    /// <exception cref="ArgumentException">An option's value is not what it expects (named).</exception>
    internal static RollupQuery Parse(string sensor, string every, string by, string since, string? until, long nowNs)
    {
        long from = Time("--since", since, nowNs);
        long to = until is null ? nowNs : Time("--until", until, nowNs);
        try
        {
            return RollupQuery.Parse(sensor, every, by, from, to);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException("--" + ex.Message.Split(" (Parameter")[0], ex);
        }
    }

    private static long Time(string option, string text, long nowNs)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
        {
            return (when.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        }

        return Duration.TryParse(text, out var ago, out _) ? nowNs - (long)(ago.TotalMilliseconds * 1_000_000)
            : throw new ArgumentException($"{option} {text}: expected an ISO 8601 UTC time such as 2026-01-01T00:00:00Z, or a duration ago such as 2h");
    }
}
