using System.Runtime.CompilerServices;
using NetMQ;

namespace Appliance.Runtime.Tests;

/// <summary>Raises NetMQ's socket limit (1,024 by default, fixed when the process creates its first socket) before any test runs:
/// the reconnect-storm test holds 1,000 simulated devices of three sockets each (DEALER, and the wake queue's pair).</summary>
internal static class NetMQSockets
{
#pragma warning disable CA2255 // A test assembly's process-wide setting: it must run before the first socket of any test.
    [ModuleInitializer]
    internal static void RaiseLimit() => NetMQConfig.MaxSockets = 16_384;
#pragma warning restore CA2255
}
