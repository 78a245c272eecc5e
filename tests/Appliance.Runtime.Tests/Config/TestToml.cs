namespace Appliance.Runtime.Tests.Config;

/// <summary>
/// The configuration texts the loader, alarm, outbox and reconciler tests build on, written once. Line numbers that tests
/// assert count from the first line of <see cref="EnvSensorHead"/> (8 lines), then whatever a test adds.
/// </summary>
internal static class TestToml
{
    /// <summary>Device <c>d</c> with one emulated BME280 named <c>env</c> at 10 Hz; ends with a newline.</summary>
    internal const string EnvSensorHead = """
        [device]
        id = "d"

        [[sensor]]
        name = "env"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = 10

        """;

    /// <summary>A blank line, then <c>[window]</c>, <c>[uplink]</c> and <c>[gitops]</c> (30 s polls); no final newline.</summary>
    internal const string Tail = """

        [window]
        length = "1s"

        [uplink]
        endpoint = "tcp://127.0.0.1:5556"

        [gitops]
        branch = "main"
        interval = "30s"
        """;
}
