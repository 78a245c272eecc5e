namespace Appliance.Contracts.Config;

/// <summary>
/// The configuration baked into the binary: the embedded demo's <c>appliance.toml</c>, and what
/// <c>appliance init-config DIR</c> writes as a starting repository.
/// </summary>
public static class DefaultConfig
{
    /// <summary>The placeholder in <see cref="Toml"/> that the demo replaces with the collector's endpoint.</summary>
    public const string EndpointPlaceholder = "tcp://127.0.0.1:5556";

    /// <summary>
    /// The default <c>appliance.toml</c>: one emulated BME280 sampled at 10 Hz, 1 s tumbling windows, an EWMA z-score
    /// detector, ONNX scoring on the CPU, an injected heater fault (+15 °C from 8 s for 4 s) so that an alert appears, and an
    /// alarm lamp on an emulated GPIO line that the alert raises (cleared 3 s after the latest alert).
    /// </summary>
    public const string Toml = """
        # Appliance configuration (https://toml.io/en/v1.0.0). The device reads this file from its git repository.

        [device]
        # 1 to 64 letters, digits, '-', '_' or '.'.
        id = "demo-1"

        [[sensor]]
        name = "env"
        chip = "bme280"
        # emulated:bme280 = a register-level BME280 emulator on an in-process I2C bus; i2c:1 = /dev/i2c-1 on a board.
        bus = "emulated:bme280"
        address = 0x76
        # Samples per second, 0.1 to 10000.
        rate_hz = 10
        # Emulated chips only: a heater fault of +15 °C starting 8 s after start, lasting 4 s.
        fault = "heater:8s+4s"

        [[alarm]]
        # A GPIO output that the device raises itself when an alert fires (a relay or a lamp), without the cloud.
        # emulated:gpio = an in-process emulated GPIO chip; gpio:0 = /dev/gpiochip0 on a board.
        name = "lamp"
        bus = "emulated:gpio"
        line = 17
        # Alerts from these sensors raise it (absent or empty: any sensor).
        sensors = ["env"]
        # "high", or "low" for active-low relay boards.
        active = "high"
        # Stays raised this long after the latest alert, then clears.
        hold = "3s"

        [window]
        # Tumbling windows by time.
        length = "1s"

        [detector]
        # EWMA z-score of each channel's window mean (Hunter 1986; NIST/SEMATECH e-Handbook 6.3.2.4).
        kind = "ewma-z"
        alpha = 0.1
        threshold = 4.0
        warmup = 5
        cooldown = 5

        [inference]
        enabled = true
        # auto = CUDA when present, else CPU; off = CPU; required = refuse to start without CUDA.
        gpu = "auto"

        [uplink]
        endpoint = "tcp://127.0.0.1:5556"

        [gitops]
        branch = "main"
        interval = "30s"

        """;

    /// <summary>
    /// The demo's configuration for replaying a recorded <c>timestamp,value</c> CSV: one replay sensor, tumbling windows of
    /// <paramref name="window"/>, and the EWMA z-score detector set for slowly varying machine telemetry (a long memory,
    /// alpha 0.01, about 100 windows, and |z| &gt; 3). These values were chosen on NAB's machine_temperature_system_failure
    /// series with 3 h windows; they are a demonstration setting, not a NAB result.
    /// </summary>
    /// <param name="endpoint">The collector's endpoint.</param>
    /// <param name="csvPath">The CSV's absolute path.</param>
    /// <param name="window">The window length.</param>
    public static string ReplayToml(string endpoint, string csvPath, TimeSpan window) => $$"""
        [device]
        id = "demo-replay"

        [[sensor]]
        name = "replay"
        chip = "replay"
        bus = 'replay:{{csvPath}}'
        rate_hz = 1

        [window]
        length = "{{(long)Math.Round(window.TotalMilliseconds)}}ms"

        [detector]
        kind = "ewma-z"
        alpha = 0.01
        threshold = 3.0
        warmup = 24
        cooldown = 6

        [inference]
        enabled = true
        gpu = "auto"

        [uplink]
        endpoint = "{{endpoint}}"

        [gitops]
        branch = "main"
        interval = "30s"

        """;
}
