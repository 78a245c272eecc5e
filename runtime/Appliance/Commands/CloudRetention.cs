using System.CommandLine;
using System.Data.Common;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud --retention 30d</c>: summaries and alerts older than the retention are removed when the collector
/// starts and then hourly (<see cref="IRetainingStore"/>: PostgreSQL drops whole day partitions, SQLite deletes by time in
/// batches of <see cref="SqliteStore.RetentionBatchRows"/>). A failed pass is logged and counted (<see cref="Faults"/>) and
/// tried again at the next hour; ingest goes on. Without the option nothing is removed.
/// </summary>
internal static class CloudRetention
{
    private static long s_faults;

    /// <summary>Retention passes that failed since the process started.</summary>
    public static long Faults => Interlocked.Read(ref s_faults);

    /// <summary>How often a pass runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>The <c>--retention</c> option.</summary>
    public static Option<string?> Option() => new("--retention")
    {
        Description = "Remove summaries and alerts older than this (e.g. 30d; PostgreSQL drops whole day partitions), at start and hourly; default: keep everything",
    };

    /// <summary>Parses the option's value.</summary>
    /// <exception cref="ArgumentException">Not a positive duration (the message names the option and what was expected).</exception>
    public static TimeSpan? Parse(string? text) =>
        text is null ? null : Duration.TryParse(text, out TimeSpan value, out string error) ? value : throw new ArgumentException($"--retention {text}: {error}");

    /// <summary>Runs passes until <paramref name="token"/> is cancelled; nothing when <paramref name="retention"/> is null.</summary>
    public static Task Run(ICollectorStore store, TimeSpan? retention, ILogger log, CancellationToken token)
    {
        if (retention is not { } keep || store is not IRetainingStore retaining)
        {
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                long cutoff = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks - keep.Ticks) * 100;
                try
                {
                    long removed = retaining.DeleteBefore(cutoff);
                    log.LogInformation("Retention {Retention}: removed {Rows} rows older than {Cutoff:o}", keep, removed, DateTime.UnixEpoch.AddTicks(cutoff / 100));
                }
                catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException)
                {
                    Interlocked.Increment(ref s_faults);
                    log.LogError(ex, "Retention pass failed ({Faults} so far); next try in {Interval}", Faults, Interval);
                }

                try
                {
                    await Task.Delay(Interval, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None);
    }
}
