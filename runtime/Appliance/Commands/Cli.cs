using Appliance.Runtime.Config;
using Appliance.Runtime.GitOps;
using Appliance.Runtime.Inference;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>What every verb shares: the log, the bad-input guard and process-stop handling.</summary>
internal static class Cli
{
    private static System.Runtime.InteropServices.PosixSignalRegistration? s_sigterm;

    /// <summary>A console log on standard error (standard output is kept for results and live lines).</summary>
    public static ILoggerFactory CreateLogging(LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            })
            .AddFilter("Microsoft", LogLevel.Warning));

    /// <summary>
    /// Runs <paramref name="body"/>, turning bad input (configuration, repository, file and format errors) into one line
    /// on standard error and <see cref="ExitCodes.BadInput"/>.
    /// </summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is ConfigException or GitOpsException or FormatException or FileNotFoundException or DirectoryNotFoundException or InferenceException or ArgumentException)
        {
            Console.Error.WriteLine($"appliance: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>A token cancelled by Ctrl-C or SIGTERM, so that a verb can shut down cleanly (flush, acknowledge, close).</summary>
    public static CancellationTokenSource StopOnSignal()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        s_sigterm ??= System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        return cts;
    }
}
