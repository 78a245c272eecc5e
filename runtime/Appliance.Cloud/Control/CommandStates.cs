namespace Appliance.Cloud.Control;

/// <summary>The states of a command in the <c>commands</c> table (<see cref="CommandRecord.State"/>).</summary>
/// <remarks>pending → sent → ok | failed, or pending/sent → expired when no result came before <see cref="CommandRecord.ExpiresNs"/>.
/// A sent command unanswered for <see cref="CommandService.ResendAfter"/> is sent again (the device answers a repeat from memory).</remarks>
public static class CommandStates
{
    /// <summary>Waiting for the device to be connected.</summary>
    public const string Pending = "pending";

    /// <summary>Sent, no result yet.</summary>
    public const string Sent = "sent";

    /// <summary>The device carried it out; <see cref="CommandRecord.Result"/> says what came of it.</summary>
    public const string Ok = "ok";

    /// <summary>The device could not carry it out; <see cref="CommandRecord.Result"/> says why.</summary>
    public const string Failed = "failed";

    /// <summary>No result before it expired (the device stayed offline, or never answered).</summary>
    public const string Expired = "expired";

    /// <summary>True for ok, failed and expired: the command will not change again.</summary>
    /// <param name="state">A state.</param>
    /// <returns>Whether it is final.</returns>
    public static bool IsFinal(string state) => state is Ok or Failed or Expired;
}
