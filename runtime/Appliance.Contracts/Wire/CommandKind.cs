namespace Appliance.Contracts.Wire;

/// <summary>
/// What a <see cref="Command"/> asks the device to do; written as a MessagePack unsigned integer.
/// A device receiving a value it does not know (from a newer cloud) decodes it unchanged and answers it as failed
/// ("unknown command"), or ignores it when the command carries no id.
/// </summary>
public enum CommandKind : ushort
{
    /// <summary>Run the GitOps reconciler now instead of waiting for its timer (<c>pull-config</c>). Arguments: none.
    /// Result text: <c>rev=REVISION state=STATE</c> after the pull's fetch and apply.</summary>
    PullConfig = 1,

    /// <summary>Send a heartbeat now. Arguments: none.</summary>
    SendHeartbeat = 2,

    /// <summary>Raise every configured alarm line (<c>[[alarm]]</c>) for N seconds, so that someone at the site can find the
    /// device (<c>identify</c>). Arguments: the seconds, 1 to 3600.</summary>
    Identify = 3,

    /// <summary>Stop the running pipeline and build it again from the applied revision (<c>restart-pipeline</c>): sensors
    /// reopened, windows and detector state started afresh. Arguments: none.</summary>
    RestartPipeline = 4,

    /// <summary>Change the device's minimum log level until it restarts (<c>set-log-level</c>). Arguments: one of trace,
    /// debug, information, warning, error, critical.</summary>
    SetLogLevel = 5,
}
