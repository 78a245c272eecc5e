using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Appliance.Device.Health;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance status [--state DIR] [--json]</c>: the device's state as last written into <c>STATE/status.json</c> by the
/// running device (journal sequences and bytes, retransmits, merges, drops, link, and whatever other sections add). With
/// <c>--json</c> the file's object is printed unchanged (keys include <c>seq_written</c>, <c>seq_acked</c>, <c>journal_bytes</c>,
/// <c>journal_budget_bytes</c>, <c>retransmits</c>, <c>merged</c>, <c>dropped</c>, <c>link</c>), plus <c>stale</c>: true when
/// the file is older than three write intervals (the device is not running). Exit 2 when there is no status file.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var state = new Option<DirectoryInfo>("--state") { Description = "The device's state directory", DefaultValueFactory = _ => new DirectoryInfo("/var/lib/appliance") };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("status", "Show the device's journal, uplink and health state") { state, json };
        cmd.SetAction((p, token) => Cli.Guard(() => Task.FromResult(Run(p.GetValue(state)!, p.GetValue(json)))));
        return cmd;
    }

    private static int Run(DirectoryInfo state, bool json)
    {
        var path = Path.Combine(state.FullName, StatusFile.FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no status file (expected a device run with --state {state.FullName})", path);
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected a JSON object");
        }

        long written = root.TryGetProperty("written_unix_ms", out var w) ? w.GetInt64() : 0;
        long interval = root.TryGetProperty("interval_ms", out var i) ? i.GetInt64() : 1000;
        bool stale = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - written > 3 * interval;
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout))
            {
                writer.WriteStartObject();
                foreach (var p in root.EnumerateObject())
                {
                    p.WriteTo(writer);
                }

                writer.WriteBoolean("stale", stale);
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return ExitCodes.Ok;
        }

        Console.WriteLine($"status of {state.FullName}{(stale ? " (stale: the device is not writing it)" : "")}");
        foreach (var p in root.EnumerateObject())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Name,-22} {p.Value}"));
        }

        return ExitCodes.Ok;
    }
}
