using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench stats FILE.csv --column NAME --window N [--rounds R] [--json]</c>: times, inside this process, exactly
/// what <c>appliance stats FILE --column NAME --window N --json</c> does after start-up (map and parse the file, run the fused
/// kernel per tumbling window, format the JSON lines), writing to a null stream, R times. The figure is the median, in the
/// thread's CPU time and in wall time, so it can be set beside a pandas script timed inside its interpreter
/// (<c>perf/scripts/stats_vs_pandas.py</c>): both sides then exclude their runtime's start-up (process, interpreter,
/// <c>import pandas</c>) and include reading the file. The first round is a warm-up (page cache, first-use statics) and is
/// not counted.
/// </summary>
/// <remarks>JSON (one object): <c>csv</c>, <c>column</c>, <c>window</c>, <c>rows</c>, <c>windows</c>, <c>rounds</c>,
/// <c>cpu_ms</c> and <c>wall_ms</c> (medians per run), <c>rows_per_s</c> (rows over the CPU-time median),
/// <c>clock</c> ("thread_cpu").</remarks>
internal static class BenchStatsCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV file with a header row" };
        var column = new Option<string>("--column") { Description = "Name of the column to summarise", Required = true };
        var window = new Option<int>("--window") { Description = "Rows per tumbling window", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Timed runs; the figures are their medians", DefaultValueFactory = _ => 9 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var cmd = new Command("stats", "Time `appliance stats --json` in-process (no process start-up), as a pandas script is timed inside Python");
        cmd.Arguments.Add(file);
        cmd.Options.Add(column);
        cmd.Options.Add(window);
        cmd.Options.Add(rounds);
        cmd.Options.Add(json);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(file)!, p.GetValue(column)!, p.GetValue(window), p.GetValue(rounds), p.GetValue(json)))));
        return cmd;
    }

    private static int Run(FileInfo file, string column, int window, int rounds, bool json)
    {
        if (rounds is < 1 or > 10_000)
        {
            throw new ArgumentException($"--rounds {rounds}: expected 1 to 10000");
        }

        // Warm-up, and the counts of windows and data rows.
        (int windows, int rows) = StatsCommand.Write(file, column, window, json: true, Stream.Null);
        var cpu = new double[rounds];
        var wall = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            long c0 = BenchCommand.Now();
            long w0 = Stopwatch.GetTimestamp();
            StatsCommand.Write(file, column, window, json: true, Stream.Null);
            wall[r] = Stopwatch.GetElapsedTime(w0).TotalMilliseconds;
            cpu[r] = (BenchCommand.Now() - c0) * 1e-6;
        }

        double cpuMs = BenchCommand.Median(cpu), wallMs = BenchCommand.Median(wall);
        double rowsPerS = rows / (cpuMs * 1e-3);
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("csv", file.FullName);
                w.WriteString("column", column);
                w.WriteNumber("window", window);
                w.WriteNumber("rows", rows);
                w.WriteNumber("windows", windows);
                w.WriteNumber("rounds", rounds);
                w.WriteString("clock", "thread_cpu");
                w.WriteNumber("cpu_ms", Math.Round(cpuMs, 4));
                w.WriteNumber("wall_ms", Math.Round(wallMs, 4));
                w.WriteNumber("rows_per_s", Math.Round(rowsPerS));
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"stats in-process: {file.Name}, column {column}, window {window}: {rows} rows, {windows} windows, median of {rounds} runs"));
            Console.WriteLine(string.Create(c, $"  {cpuMs:F3} ms thread CPU, {wallMs:F3} ms wall, {rowsPerS / 1e6:F1} M rows/s (read, parse, kernel, JSON; no process start-up)"));
        }

        return ExitCodes.Ok;
    }
}
