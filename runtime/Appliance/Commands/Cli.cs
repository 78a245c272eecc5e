using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Contracts.Inference;
using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>What every verb shares: the log, the bad-input guard and process-stop handling.</summary>
internal static class Cli
{
    private static System.Runtime.InteropServices.PosixSignalRegistration? s_sigterm;

    /// <summary>A console log on standard error (standard output is kept for results and live lines), text with UTC dates.</summary>
    public static ILoggerFactory CreateLogging(LogLevel level = LogLevel.Information) => CreateLogging(new Appliance.Device.Hosting.LogLevelSwitch(level), "text");

    /// <summary><c>--log-format</c> of the long-running verbs (run, cloud).</summary>
    public static Option<string> LogFormatOption() => new("--log-format")
    {
        Description = "text (one line, UTC date and time), json (one JSON object a line) or systemd (journald priority prefixes, no time)",
        DefaultValueFactory = _ => "text",
    };

    /// <summary><c>--log-level</c> of the long-running verbs (run, cloud).</summary>
    public static Option<string> LogLevelOption() => new("--log-level")
    {
        Description = "The least severe level logged: trace, debug, information, warning, error or critical (a device's can be changed by the cloud's set-log-level)",
        DefaultValueFactory = _ => "information",
    };

    /// <summary>Checks <c>--log-format</c> and <c>--log-level</c> before anything is created.</summary>
    /// <exception cref="ArgumentException">A value not listed (the line names the option).</exception>
    public static (Appliance.Device.Hosting.LogLevelSwitch Levels, string Format) LogSettings(string format, string level)
    {
        if (format is not ("text" or "json" or "systemd"))
        {
            throw new ArgumentException($"--log-format {format}: expected text, json or systemd");
        }

        return Appliance.Device.Hosting.LogLevelSwitch.TryParse(level, out var min)
            ? (new Appliance.Device.Hosting.LogLevelSwitch(min), format)
            : throw new ArgumentException($"--log-level {level}: expected trace, debug, information, warning, error or critical");
    }

    /// <summary>The console log on standard error in <paramref name="format"/> (text, json, systemd), its minimum level following
    /// <paramref name="levels"/> while it runs (the cloud's <c>set-log-level</c> command). Timestamps are UTC (ISO 8601 in text and json).</summary>
    public static ILoggerFactory CreateLogging(Appliance.Device.Hosting.LogLevelSwitch levels, string format) =>
        LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace)
                .AddFilter((_, _, level) => level >= levels.Minimum) // the default rule; the "Microsoft" rule below still wins there
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            _ = format switch
            {
                "json" => b.AddJsonConsole(o =>
                {
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.UseUtcTimestamp = true;
                }),
                "systemd" => b.AddSystemdConsole(o => o.UseUtcTimestamp = true),
                _ => b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                }),
            };
        });

    /// <summary>
    /// Runs <paramref name="body"/>, turning bad input (configuration, repository, file, JSON and format errors) into one line
    /// on standard error and <see cref="ExitCodes.BadInput"/>, and a failing database or file system (a collector store that
    /// does not answer, a file that is not a database) into one line and <see cref="ExitCodes.Failed"/>. Anything else is a
    /// defect and keeps its stack trace. A single exception wrapped in an <see cref="AggregateException"/> (parallel work) is
    /// judged by what it wraps.
    /// </summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (Classify(e) is { } code)
        {
            // What the input held is quoted back escaped and capped (a binary file cannot drive the terminal), and without
            // the "(Parameter 'x')" of an ArgumentException: QuotedText.MessageOf.
            var message = Appliance.Kernels.Text.QuotedText.MessageOf(Unwrap(e));
            Console.Error.WriteLine(code == ExitCodes.BadInput ? $"appliance: {message}" : $"appliance: failed: {message}");
            return code;
        }
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;

    private static int? Classify(Exception e) => Unwrap(e) switch
    {
        ConfigException or GitOpsException or FormatException or InferenceException or ArgumentException
            or IOException or UnauthorizedAccessException or System.Text.Json.JsonException => ExitCodes.BadInput,
        System.Data.Common.DbException or DllNotFoundException => ExitCodes.Failed,
        _ => null,
    };

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
