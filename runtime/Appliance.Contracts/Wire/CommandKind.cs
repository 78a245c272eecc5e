namespace Appliance.Contracts.Wire;

/// <summary>
/// What a <see cref="Command"/> asks the device to do; written as a MessagePack unsigned integer.
/// A device receiving a value it does not know (from a newer cloud) decodes it unchanged and ignores it.
/// </summary>
public enum CommandKind : ushort
{
    /// <summary>Run the GitOps reconciler now instead of waiting for its timer. Arguments: none, or the revision to pull.</summary>
    PullConfig = 1,

    /// <summary>Send a heartbeat now. Arguments: none.</summary>
    SendHeartbeat = 2,
}
