using Microsoft.Extensions.Logging;

namespace Appliance.Device.GitOps;

/// <summary>Source-generated log messages of the GitOps reconciler (event ids 7000-7099).</summary>
internal static partial class ReconcilerLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Config revision {Revision} applied (signed by {Signer}); health: {Health}")]
    public static partial void Applied(ILogger logger, string revision, string signer, string health);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Config revision {Revision} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string revision, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Config revision {Revision} failed ({Reason}); rolled back to {Previous}")]
    public static partial void RolledBack(ILogger logger, string revision, string reason, string previous);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Fetch from {Url} failed ({Failure}, {Failures} in a row): {Reason}; next try in {Delay}")]
    public static partial void FetchFailed(ILogger logger, string url, GitOpsFailure failure, int failures, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Signature verification is OFF (--insecure-skip-verify): revision {Revision} from {Url} is not verified")]
    public static partial void VerificationSkipped(ILogger logger, string revision, string url);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Starting offline from {Revision}: {Reason}")]
    public static partial void Offline(ILogger logger, string revision, string reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "Pull requested by the cloud")]
    public static partial void PullRequested(ILogger logger);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Branch {Branch} was rewritten (force-push): following {Revision}")]
    public static partial void HistoryRewritten(ILogger logger, string branch, string revision);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Error, Message = "Could not write {Path}: {Reason}")]
    public static partial void StatusWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Error, Message = "No configuration: the device runs nothing and sends nothing ({Reason}); attempt {Attempt}, next try in {Delay}")]
    public static partial void NoConfiguration(ILogger logger, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Branch {Branch} is back at the running revision {Revision}: the earlier refusal is cleared")]
    public static partial void TipIsRunning(ILogger logger, string branch, string revision);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "Could not pin {Revision} as last known good ({Failures} failures so far): {Reason}; the device keeps running it")]
    public static partial void PinFailed(ILogger logger, string revision, int failures, string reason);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "Removed the stale lock file {Path} from the configuration clone (left by a killed process)")]
    public static partial void StaleLockCleared(ILogger logger, string path);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Stale lock files in {StateDirectory} not cleared: {Reason}")]
    public static partial void StaleLockCheckFailed(ILogger logger, string stateDirectory, string reason);
}
