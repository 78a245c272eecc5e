using System.Device.I2c;
using System.Globalization;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Emulation;
using Appliance.Drivers.Sources;
using Appliance.Contracts.Config;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>
/// The parts <see cref="DeviceRuntime"/> builds a device from, one configuration section each: a sensor's source (bus sensor
/// under the sampling policy, or a replayed recording), the uplink's settings, and how often alarm holds are checked.
/// </summary>
internal static class DeviceParts
{
    /// <summary>
    /// The uplink settings of <paramref name="config"/>: endpoint, device id, heartbeats every 10 s, and CURVE keys when
    /// configured (the secret key is read from the device's own file, named by <c>[uplink] curve_secret_key_file</c>).
    /// </summary>
    /// <exception cref="ConfigException">The secret key file cannot be read or does not hold a 40-character Z85 key.</exception>
    internal static UplinkOptions UplinkOptionsFor(ApplianceConfig config, Func<Contracts.Wire.Heartbeat> heartbeat)
    {
        string? secret = null;
        if (config.Uplink.CurveSecretKeyFile is { } file)
        {
            try
            {
                secret = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException(ConfigRepositoryFile, 0, $"[uplink] curve_secret_key_file: '{file}' cannot be read: {e.Message}");
            }

            if (secret.Length != 40)
            {
                throw new ConfigException(ConfigRepositoryFile, 0, $"[uplink] curve_secret_key_file: '{file}' does not hold a CURVE secret key (expected 40 Z85 characters)");
            }
        }

        return new UplinkOptions
        {
            Endpoint = config.Uplink.Endpoint,
            FailoverEndpoints = config.Uplink.FailoverEndpoints,
            DeviceId = config.Device.Id,
            HeartbeatInterval = TimeSpan.FromSeconds(10),
            HeartbeatSource = heartbeat,
            CurveServerPublicKey = config.Uplink.CurveServerKey,
            CurveSecretKey = secret,
            AllowPlaintext = config.Uplink.AllowPlaintext,
        };
    }

    /// <summary>
    /// Why a link acknowledged nothing, told apart by one TCP connection to its endpoint (at most <paramref name="timeout"/>):
    /// a collector that accepts the connection but never completes the CURVE handshake (wrong <c>curve_server_key</c>, or this
    /// device's key not on its allow-list: ZeroMQ drops such a connection without a word) is named as such, distinct from a
    /// collector that does not answer at all. NetMQ 4 has no handshake-failure monitor event, hence the probe.
    /// </summary>
    /// <returns>One sentence starting "the uplink acknowledged nothing".</returns>
    internal static async Task<string> WhyNoAcknowledgementAsync(UplinkOptions options, TimeSpan timeout)
    {
        const string nothing = "the uplink acknowledged nothing";
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "tcp" || uri.Port <= 0)
        {
            return nothing;
        }

        using var tcp = new System.Net.Sockets.TcpClient();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await tcp.ConnectAsync(uri.IdnHost, uri.Port, cts.Token);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return $"{nothing}: the collector at {options.Endpoint} does not answer ({(e is OperationCanceledException ? "connection timed out" : e.Message)})";
        }

        return options.CurveServerPublicKey is not null
            ? $"{nothing}: the CURVE handshake with {options.Endpoint} never completed (the collector accepts connections but not this link's keys: check [uplink] curve_server_key against the collector's public key, and this device's public key on its allow-list)"
            : $"{nothing}: {options.Endpoint} accepts connections but acknowledged nothing in plaintext (a collector that requires CURVE, or not a collector)";
    }

    /// <summary>Whether two uplink settings describe the same link: endpoint, device id, both CURVE keys and the plaintext allowance.</summary>
    internal static bool SameLink(UplinkOptions a, UplinkOptions b) =>
        a.Endpoint == b.Endpoint && (a.FailoverEndpoints ?? []).SequenceEqual(b.FailoverEndpoints ?? []) && a.DeviceId == b.DeviceId && a.CurveServerPublicKey == b.CurveServerPublicKey
        && a.CurveSecretKey == b.CurveSecretKey && a.AllowPlaintext == b.AllowPlaintext;

    /// <summary>
    /// The source of one configured sensor: a replayed CSV (<c>chip = "replay"</c>, <c>bus = "replay:PATH"</c>), or a bus sensor
    /// (real or emulated, with its configured fault) under the sampling policy, whose statistics are added to <paramref name="stats"/>.
    /// </summary>
    /// <exception cref="ConfigException">The drivers refuse the sensor (unknown chip, bad address).</exception>
    internal static SensorBinding CreateSensor(SensorSettings s, List<Appliance.Drivers.Sampling.SamplingStats> stats, ILogger logger)
    {
        if (s.Chip is null)
        {
            return new SensorBinding(new CsvReplaySource(s.Name, s.Bus.Target), s.RateHz, IsReplay: true);
        }

        // Bus sensors (real or emulated) through the drivers' factory, each under the sampling policy (retries with bounded
        // backoff, degraded marking, recovery) whose statistics SensorStats exposes.
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(Appliance.Drivers.Sampling.SteadyClock.Shared, emulated); // stamps that a wall-clock step cannot send back unseen
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (s.Fault is { Kind: FaultKind.Heater } heater)
        {
            // The loader allows a heater fault on an emulated BME280 only: its physical model is heated.
            var model = new Bme280PhysicalModel();
            model.InjectFault(Bme280Fault.HeaterStep, now + (heater.Start.Ticks * 100), now + ((heater.Start + heater.Length).Ticks * 100));
            emulated.UseSignal(s.Name, model);
        }
        else if (s.Fault is { Kind: FaultKind.Bearing } bearing)
        {
            // The loader allows a bearing fault on an emulated ADXL345 only: an outer-race defect from START, grown over LENGTH.
            emulated.UseSignal(s.Name, new BearingVibrationSignal(now + (bearing.Start.Ticks * 100), bearing.Length));
        }
        else if (s.Fault is { } fault && fault.Kind.TryGetBusFault(out var kind))
        {
            emulated.ScheduleFault(s.Name, kind.Value, fault.Start, fault.Length);
        }

        IBusSensor sensor;
        try
        {
            sensor = factory.Create(s.ToDescriptor());
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(ConfigRepositoryFile, 0, e.Message);
        }

        // Not opened here: the sampling loop opens it as it starts, one period before the first read (chip id check; a pulse
        // counter's first gate), and a read opens it again after a failed open; a chip that is missing, wrong or failing is counted,
        // logged, marked degraded and probed by the supervisor, so one bad sensor never stops the device or the other sensors.
        var policy = new Appliance.Drivers.Sampling.RetryPolicy(StuckAfter: s.StuckAfter);
        var supervised = new Appliance.Drivers.Sampling.SensorSupervisor(sensor, s.RateHz, policy, Appliance.Drivers.Sampling.SteadyClock.Shared, logger);
        stats.Add(supervised.Stats);
        return new SensorBinding(supervised, s.RateHz, IsReplay: false);
    }

    /// <summary>How often alarm holds are checked (a hold ends within this of its time) and failed alarm writes retried.</summary>
    internal static readonly TimeSpan AlarmTick = TimeSpan.FromMilliseconds(50);

    private const string ConfigRepositoryFile = "appliance.toml";

    /// <summary>
    /// The window boundary a configuration swap happens at, once the new pipeline is built: <paramref name="planned"/> while it
    /// is still more than <paramref name="stopMargin"/> ahead; otherwise the next boundary after now
    /// (<see cref="DeviceRuntime.NextBoundary"/>). Building (sensors opened, an ONNX session created) can outlast the planned
    /// boundary on a loaded machine; the old pipeline has then run past it, and stopping it there would emit a window starting
    /// at the boundary as the new pipeline's first one does: one window stored twice and the one after it missing. The new
    /// pipeline starts sampling only after the boundary returned, so its not-before instant (the planned boundary) still holds.
    /// </summary>
    /// <param name="planned">The boundary planned before the build; null for the first revision (nothing to swap).</param>
    /// <param name="stopMargin">How long before the boundary the old pipeline is stopped.</param>
    /// <param name="oldLength">The running configuration's window length.</param>
    /// <param name="newLength">The new configuration's window length.</param>
    /// <param name="logger">Where a re-planned swap is logged (a warning).</param>
    internal static DateTimeOffset? Replan(DateTimeOffset? planned, TimeSpan stopMargin, TimeSpan oldLength, TimeSpan newLength, ILogger logger)
    {
        var now = DateTimeOffset.UtcNow;
        if (planned is not { } p || p - stopMargin > now)
        {
            return planned;
        }

        var next = DeviceRuntime.NextBoundary(now, oldLength, newLength);
        DeviceRuntimeLog.SwapReplanned(logger, (long)(now - p).TotalMilliseconds, p, next);
        return next;
    }
}
