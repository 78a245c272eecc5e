using System.Globalization;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Runtime.Config;

/// <summary>
/// Reads <c>appliance.toml</c> (TOML 1.0, https://toml.io/en/v1.0.0) into a validated <see cref="ApplianceConfig"/>.
/// Unknown tables and keys, wrong types and out-of-range values are errors that name the file, line and key.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>Largest configuration file accepted, in bytes.</summary>
    public const int MaxBytes = 1 << 20;

    private static readonly string[] s_tables = ["device", "sensor", "window", "detector", "inference", "uplink", "gitops"];

    /// <summary>Parses and validates <paramref name="text"/>, read from <paramref name="source"/> (a path used in errors).</summary>
    /// <exception cref="ConfigException">The text is not valid TOML, or a key is missing, unknown, of the wrong type or out of range.</exception>
    public static ApplianceConfig Parse(string text, string source)
    {
        if (text.Length > MaxBytes)
        {
            throw new ConfigException(source, 0, $"file is {text.Length} bytes: larger than the {MaxBytes} bytes a configuration may have");
        }

        var metadata = new TomlMetadataStore();
        TomlTable root;
        try
        {
            var options = new TomlSerializerOptions { SourceName = source, MetadataStore = metadata, MaxDepth = 16 };
            root = TomlSerializer.Deserialize(text, TomlModelTypes.Table(options))
                ?? throw new ConfigException(source, 0, "empty document");
        }
        catch (TomlException e)
        {
            // Tomlyn's message starts with "source(line,column) : error : ..."; keep it whole after our prefix.
            var m = TomlPosition().Match(e.Message);
            var line = m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var reason = m.Success ? e.Message[(m.Index + m.Length)..].Trim() : e.Message;
            throw new ConfigException(source, line, "invalid TOML: " + reason);
        }

        var r = new TableReader(source, root, metadata, string.Empty);
        r.RejectUnknown(s_tables);

        var device = r.Table("device");
        device.RejectUnknown(["id"]);
        var id = device.String("id", required: true)!;
        if (!DeviceId().IsMatch(id))
        {
            throw device.Error("id", $"'{id}' is not a device id (expected 1 to 64 letters, digits, '-', '_' or '.')");
        }

        var sensors = new List<SensorSettings>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in r.TableArray("sensor"))
        {
            s.RejectUnknown(["name", "chip", "bus", "address", "rate_hz", "fault", "line", "channels"]);
            var name = s.String("name", required: true)!;
            if (!names.Add(name))
            {
                throw s.Error("name", $"sensor '{name}' is defined twice (sensor names must be unique)");
            }

            var chip = s.String("chip", required: true)!;
            if (chip is not ("bme280" or "replay" or "ads1115" or "mcp3008" or "adxl345" or "pulse"))
            {
                throw s.Error("chip", $"sensor '{name}' chip = '{chip}': unknown chip (expected bme280, ads1115, mcp3008, adxl345, pulse or replay)");
            }

            var bus = s.String("bus", required: true)!;
            if (!Appliance.Drivers.Buses.BusSpec.TryParse(bus, out var busSpec, out var busError))
            {
                throw s.Error("bus", $"sensor '{name}' {busError}");
            }

            SensorBusRules.Check(s, name, chip, busSpec);
            var address = (int)s.Integer("address", chip == "ads1115" ? 0x48 : 0x76, 0x03, 0x77);
            var rate = s.Number("rate_hz", null, 0.1, 10000, $"sensor '{name}' ");
            SensorBusRules.CheckRate(s, name, chip, rate);
            var line = (int)s.Integer("line", -1, 0, 1023);
            var channels = SensorBusRules.Channels(s, name, chip, s.String("channels", required: false));
            SensorBusRules.CheckLine(s, name, chip, line);
            var faultText = s.String("fault", required: false);
            FaultSettings? fault = null;
            if (faultText is not null)
            {
                var parts = faultText.Split(':', '+');
                if (parts.Length != 3 || parts[0] is not ("heater" or "nack" or "timeout" or "stuck" or "chipid" or "bitflip") || !Config.Duration.TryParse(parts[1], out var start, out _) || !Config.Duration.TryParse(parts[2], out var span, out _))
                {
                    throw s.Error("fault", $"sensor '{name}' fault = '{faultText}': expected KIND:START+LENGTH with KIND heater, nack, timeout, stuck, chipid or bitflip, e.g. heater:8s+4s");
                }

                if (busSpec.Kind != Appliance.Drivers.Buses.BusKind.Emulated || (parts[0] == "heater" && chip != "bme280"))
                {
                    throw s.Error("fault", $"sensor '{name}' fault = '{faultText}': faults are injected into emulated chips only{(parts[0] == "heater" ? " (heater: an emulated bme280)" : string.Empty)}");
                }

                fault = new FaultSettings(parts[0], start, span);
            }

            sensors.Add(new SensorSettings(name, chip, bus, address, rate, fault, line, channels));
        }

        if (sensors.Count == 0)
        {
            throw new ConfigException(source, 0, "[[sensor]]: at least one sensor is required");
        }

        var window = r.Table("window");
        window.RejectUnknown(["length"]);
        var length = window.Duration("length", required: true)!.Value;

        var det = r.Table("detector", required: false);
        det.RejectUnknown(["kind", "alpha", "threshold", "warmup", "cooldown"]);
        var kind = det.String("kind", required: false) ?? "ewma-z";
        if (kind != "ewma-z")
        {
            throw det.Error("kind", $"'{kind}' is not a detector (expected ewma-z)");
        }

        var detector = new DetectorSettings(
            kind,
            det.Number("alpha", 0.1, 1e-6, 1),
            det.Number("threshold", 4, 0.1, 1000),
            (int)det.Integer("warmup", 10, 0, 1_000_000),
            (int)det.Integer("cooldown", 5, 0, 1_000_000));

        var inf = r.Table("inference", required: false);
        inf.RejectUnknown(["enabled", "gpu"]);
        var gpu = inf.String("gpu", required: false) ?? "auto";
        if (gpu is not ("auto" or "off" or "required"))
        {
            throw inf.Error("gpu", $"'{gpu}' is not a GPU policy (expected auto, off or required)");
        }

        var inference = new InferenceSettings(inf.Boolean("enabled", true), gpu);

        var up = r.Table("uplink");
        up.RejectUnknown(["endpoint"]);
        var endpoint = up.String("endpoint", required: true)!;
        if (!Endpoint().IsMatch(endpoint))
        {
            throw up.Error("endpoint", $"'{endpoint}' is not a ZeroMQ endpoint (expected tcp://host:port)");
        }

        var git = r.Table("gitops");
        git.RejectUnknown(["branch", "interval"]);
        var gitops = new GitOpsSettings(git.String("branch", required: true)!, git.Duration("interval", required: true)!.Value);

        return new ApplianceConfig(new DeviceSettings(id), sensors, new WindowSettings(length), detector, inference, new UplinkSettings(endpoint), gitops);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex DeviceId();

    [GeneratedRegex(@"^tcp://(\*|[A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$")]
    private static partial Regex Endpoint();

    [GeneratedRegex(@"^[^(]*\((\d+),\d+\)\s*:\s*error\s*:")]
    private static partial Regex TomlPosition();
}
