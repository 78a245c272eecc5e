using Appliance.Kernels.Text;
using Appliance.Contracts.Inference;
using Appliance.Detection;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips;
using Appliance.Drivers.Chips.Adxl345;
using Appliance.Drivers.Chips.Bme280;
using System.Globalization;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Contracts.Config;

/// <summary>
/// Reads <c>appliance.toml</c> (TOML 1.0, https://toml.io/en/v1.0.0) into a validated <see cref="ApplianceConfig"/>.
/// Unknown tables and keys, wrong types and out-of-range values are errors that name the file, line and key.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>Largest configuration file accepted, in bytes.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>What a device id is, as errors say it (<c>[device] id</c> and <c>run --device</c> follow the same rule).</summary>
    public const string DeviceIdRule = "expected 1 to 64 letters, digits, '-', '_' or '.'";

    private static readonly string[] s_tables = ["device", "sensor", "window", "detector", "inference", "uplink", "gitops", "alarm", "outbox", "metrics", "multivariate", "camera"];

    /// <summary>Parses and validates <paramref name="text"/>, read from <paramref name="source"/> (a path used in errors).</summary>
    /// <exception cref="ConfigException">The text is not valid TOML, or a key is missing, unknown, of the wrong type or out of range.</exception>
    public static ApplianceConfig Parse(string text, string source) => Parse(text, source, null, null, checkBuses: false);

    /// <summary>
    /// Parses <paramref name="rootText"/> (the repository's <c>appliance.toml</c>), merges the device's override file
    /// <paramref name="overrideText"/> (<c>devices/ID.toml</c>) over it, and validates the result as a whole.
    /// Merge rules: a key of a table in the override replaces the root's key; a <c>[[sensor]]</c> in the override whose
    /// <c>name</c> matches a root sensor replaces that sensor's keys, any other is added. Errors name the file and line
    /// that wrote the offending key.
    /// </summary>
    /// <param name="rootText">The root file's text.</param>
    /// <param name="rootSource">The root file's path in errors.</param>
    /// <param name="overrideText">The override's text, or null for none.</param>
    /// <param name="overrideSource">The override's path in errors.</param>
    /// <param name="checkBuses">True to refuse buses absent on this machine (<c>i2c:N</c> without <c>/dev/i2c-N</c>, <c>replay:PATH</c> without the file).</param>
    /// <exception cref="ConfigException">Either file is not valid TOML, or the merged configuration is invalid.</exception>
    public static ApplianceConfig Parse(string rootText, string rootSource, string? overrideText, string? overrideSource, bool checkBuses)
    {
        var origins = new KeyOrigins();
        var root = Document(rootText, rootSource, origins, "[device] id, [[sensor]], [window], [uplink] and [gitops]; `appliance init-config DIR` writes a commented appliance.toml");
        if (overrideText is not null)
        {
            Merge(root, Document(overrideText, overrideSource ?? "override.toml", origins, null), origins, overrideSource ?? "override.toml");
        }

        return Validate(root, rootSource, origins, checkBuses);
    }

    private static TomlTable Document(string text, string source, KeyOrigins origins, string? expected)
    {
        if (text.Length > MaxBytes)
        {
            throw new ConfigException(source, 0, $"file is {text.Length} bytes: larger than the {MaxBytes} bytes a configuration may have");
        }

        var root = ConfigText.Parse(text, source, origins, expected);
        CheckArrayTablesTogether(text, source, root);
        return root;
    }

    /// <summary>
    /// Tomlyn 2.10 (document model) keeps only the last run of an array of tables that is interrupted by another table
    /// (<c>[[sensor]] ... [window] ... [[sensor]]</c>, valid TOML 1.0), silently dropping the first run. Refuse that layout
    /// with its line rather than lose a sensor: count the header lines and compare.
    /// </summary>
    private static void CheckArrayTablesTogether(string text, string source, TomlTable root)
    {
        var lines = text.Split('\n');
        foreach (var kv in root)
        {
            if (kv.Value is not TomlTableArray array)
            {
                continue;
            }

            var headers = new List<(int Line, bool AfterOther)>();
            var other = false;
            for (var i = 0; i < lines.Length; i++)
            {
                var t = lines[i].Trim();
                if (!t.StartsWith('['))
                {
                    continue;
                }

                var header = ArrayHeader().Match(t);
                if (header.Success && header.Groups[1].Value == kv.Key)
                {
                    headers.Add((i + 1, other && headers.Count > 0));
                    other = false;
                }
                else if (!(header.Success && header.Groups[1].Value.StartsWith(kv.Key + ".", StringComparison.Ordinal)))
                {
                    other = true;
                }
            }

            if (headers.Count > array.Count)
            {
                var line = headers.FirstOrDefault(h => h.AfterOther).Line;
                throw new ConfigException(source, line, $"[[{kv.Key}]]: write the [[{kv.Key}]] tables one after another (another table comes between them)");
            }
        }
    }

    private static void Merge(TomlTable root, TomlTable over, KeyOrigins origins, string source)
    {
        foreach (var kv in over)
        {
            origins.TryGet(over, kv.Key, out var at);
            if (kv.Value is TomlTableArray sensors && kv.Key is "sensor" or "alarm" or "camera" && root.TryGetValue(kv.Key, out var existing) && existing is TomlTableArray rootSensors)
            {
                foreach (var s in sensors)
                {
                    var target = rootSensors.FirstOrDefault(r => r.TryGetValue("name", out var n) && s.TryGetValue("name", out var m) && Equals(n, m));
                    if (target is null)
                    {
                        rootSensors.Add(s);
                        continue;
                    }

                    foreach (var field in s)
                    {
                        origins.TryGet(s, field.Key, out var fieldAt);
                        target[field.Key] = field.Value;
                        origins.Set(target, field.Key, fieldAt);
                    }
                }
            }
            else if (kv.Value is TomlTable table && root.TryGetValue(kv.Key, out var current) && current is TomlTable rootTable)
            {
                foreach (var field in table)
                {
                    origins.TryGet(table, field.Key, out var fieldAt);
                    rootTable[field.Key] = field.Value;
                    origins.Set(rootTable, field.Key, fieldAt);
                }
            }
            else
            {
                root[kv.Key] = kv.Value;
                origins.Set(root, kv.Key, at == default ? (source, 0) : at);
            }
        }
    }

    /// <summary>Whether <paramref name="id"/> is a device id (<see cref="DeviceIdRule"/>): it names the file <c>devices/ID.toml</c> and the device in the fleet.</summary>
    public static bool IsDeviceId(string id) => id is not null && DeviceId().IsMatch(id);

    private static ApplianceConfig Validate(TomlTable root, string source, KeyOrigins origins, bool checkBuses)
    {
        var r = new TableReader(source, root, origins, string.Empty);
        r.RejectUnknown(s_tables);

        var device = r.Table("device");
        device.RejectUnknown(["id", "labels"]);
        var id = device.String("id", required: true)!;
        if (!IsDeviceId(id))
        {
            throw device.Error("id", $"{QuotedText.Quote(id)} is not a device id ({DeviceIdRule})");
        }

        var labels = DeviceLabelsConfig.Read(device);

        var sensors = new List<SensorSettings>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var spectralReaders = new List<(TableReader Reader, string Name, SpectralSettings Settings, double Rate)>();
        foreach (var s in r.TableArray("sensor"))
        {
            s.RejectUnknown(["name", "chip", "bus", "address", "rate_hz", "fault", "line", "channels", "stuck_after", "detector", "detector_threshold", "detector_cooldown", "detector_range", "debounce", "spectral", "quantiles"]);
            var name = s.String("name", required: true)!;
            if (!names.Add(name))
            {
                throw s.Error("name", $"sensor {QuotedText.Quote(name)} is defined twice (sensor names must be unique)");
            }

            var chipName = s.String("chip", required: true)!;
            IChipDescriptor? chip = null;
            if (chipName != "replay" && !ChipRegistry.TryGet(chipName, out chip))
            {
                throw s.Error("chip", $"sensor {QuotedText.Quote(name)} chip = {QuotedText.Quote(chipName)}: unknown chip (expected {ChipRegistry.Names} or replay)");
            }

            var bus = s.String("bus", required: true)!;
            if (!BusSpec.TryParse(bus, out var busSpec, out var busError))
            {
                throw s.Error("bus", $"sensor {QuotedText.Quote(name)} {busError}");
            }

            SensorBusRules.Check(s, name, chip, busSpec);
            if (checkBuses && BusMissing(busSpec) is { } missing)
            {
                throw s.Error("bus", $"sensor {QuotedText.Quote(name)} bus = {QuotedText.Quote(bus)}: the bus does not exist on this device ({missing} not found)");
            }

            var address = (int)s.Integer("address", chip is { Bus: BusKind.I2c } ? chip.DefaultAddress : 0x76, 0x03, 0x77);
            var rate = s.Number("rate_hz", null, 0.1, 10000, $"sensor {QuotedText.Quote(name)} ");
            SensorBusRules.CheckRate(s, name, chip, rate);
            var line = (int)s.Integer("line", -1, 0, 1023);
            var channels = SensorBusRules.Channels(s, name, chip, s.String("channels", required: false));
            SensorBusRules.CheckLine(s, name, chip, line);
            var fault = Fault(s, name, chip, busSpec);
            var stuckAfter = (int)s.Integer("stuck_after", 0, 0, 1_000_000);
            var debounce = SensorBusRules.Debounce(s, name, chip);
            var spectral = SpectralConfig.Read(s, name, rate, chip?.ChannelsFor(channels));
            double? quantiles = s.Has("quantiles") ? s.Number("quantiles", null, 0.0001, 0.5) : null;
            if (spectral is not null)
            {
                spectralReaders.Add((s, name, spectral, rate));
            }

            var sensorDetector = SensorDetector(s, name);
            if (sensorDetector?.Kind == DetectorKind.Spectral && spectral is null)
            {
                throw s.Error("detector", $"sensor {QuotedText.Quote(name)} detector = {QuotedText.Quote(sensorDetector.Spec)}: needs the sensor's spectral = {{ size = N, bands = [[low, high], ...] }} (the features it scores)");
            }

            sensors.Add(new SensorSettings(name, chip, busSpec, address, rate, fault, line, channels, stuckAfter, sensorDetector, debounce, spectral, quantiles));
        }

        if (sensors.Count == 0)
        {
            throw new ConfigException(source, 0, "[[sensor]]: at least one sensor is required");
        }

        var window = r.Table("window");
        window.RejectUnknown(["length"]);
        var length = window.Duration("length", required: true)!.Value;
        foreach (var (reader, name, spectral, rate) in spectralReaders)
        {
            SpectralConfig.CheckWindow(reader, name, spectral, rate, length);
        }

        var det = r.Table("detector", required: false);
        det.RejectUnknown(["kind", "alpha", "threshold", "warmup", "cooldown"]);
        var kind = det.String("kind", required: false) ?? "ewma-z";
        if (kind != "ewma-z")
        {
            throw det.Error("kind", $"{QuotedText.Quote(kind)} is not a detector (expected ewma-z)");
        }

        var detector = new DetectorSettings(
            kind,
            det.Number("alpha", 0.1, 1e-6, 1),
            det.Number("threshold", 4, 0.1, 1000),
            (int)det.Integer("warmup", 10, 0, 1_000_000),
            (int)det.Integer("cooldown", 5, 0, 1_000_000));

        var inf = r.Table("inference", required: false);
        inf.RejectUnknown(["enabled", "gpu", "model"]);
        var gpuText = inf.String("gpu", required: false) ?? "auto";
        var gpu = gpuText switch
        {
            "auto" => GpuPolicy.Auto,
            "off" => GpuPolicy.Off,
            "required" => GpuPolicy.Required,
            _ => throw inf.Error("gpu", $"{QuotedText.Quote(gpuText)} is not a GPU policy (expected auto, off or required)"),
        };

        var inference = new InferenceSettings(inf.Boolean("enabled", true), gpu, ModelName(inf));
        CheckOnnxSensors(r, sensors, inference);

        var uplinkSettings = ReadUplink(r.Table("uplink"));

        var git = r.Table("gitops");
        git.RejectUnknown(["branch", "interval", "health_grace"]);
        var branchName = git.String("branch", required: true)!;
        if (!BranchName().IsMatch(branchName) || branchName.Contains("..", StringComparison.Ordinal))
        {
            throw git.Error("branch", $"{QuotedText.Quote(branchName)} is not a branch name (expected letters, digits, '/', '-', '_' or '.')");
        }

        var interval = git.Duration("interval", required: true)!.Value;
        if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(1))
        {
            throw git.Error("interval", $"{git.String("interval", required: true)}: must be between 1s and 1d");
        }

        var grace = git.Duration("health_grace", required: false);
        if (grace is { } g && (g < TimeSpan.FromSeconds(1) || g > TimeSpan.FromHours(1)))
        {
            throw git.Error("health_grace", $"{git.String("health_grace", required: false)}: must be between 1s and 1h");
        }

        var gitops = new GitOpsSettings(branchName, interval, grace);
        var alarms = AlarmSettings.ReadAll(r, sensors, checkBuses ? BusMissing : null);

        // [outbox] (journal budget and free-space reserve): its own block.
        var outbox = OutboxSettings.Read(r);
        var metrics = MetricsSettings.Read(r);
        var multivariate = MultivariateSettings.ReadAll(r, sensors, ModelName);
        var cameras = CameraSettings.ReadAll(r, ModelName);

        return new ApplianceConfig(new DeviceSettings(id, labels), sensors, new WindowSettings(length), detector, inference, uplinkSettings, gitops, alarms, outbox, metrics, multivariate, cameras);
    }

    /// <summary>
    /// A sensor's own detector (<c>detector</c>, <c>detector_threshold</c>, <c>detector_cooldown</c>, <c>detector_range</c>),
    /// built once here so that a bad specification is refused with its file and line; null when the sensor has none.
    /// </summary>
    private static SensorDetectorSettings? SensorDetector(TableReader s, string name)
    {
        var spec = s.String("detector", required: false);
        if (spec is null)
        {
            foreach (var key in new[] { "detector_threshold", "detector_cooldown", "detector_range" })
            {
                if (s.Has(key))
                {
                    throw s.Error(key, $"sensor {QuotedText.Quote(name)} {key} without detector (name the detector: {string.Join(", ", WindowDetectors.Kinds)})");
                }
            }

            return null;
        }

        double? threshold = s.Has("detector_threshold") ? s.Number("detector_threshold", null, 1e-12, 1e12, $"sensor {QuotedText.Quote(name)} ") : null;
        int? cooldown = s.Has("detector_cooldown") ? (int)s.Integer("detector_cooldown", 1, 1, 1_000_000) : null;
        double min = double.NaN, max = double.NaN;
        if (s.Has("detector_range"))
        {
            var range = s.FloatArray("detector_range");
            if (range.Length != 2 || !(range[0] < range[1]))
            {
                throw s.Error("detector_range", $"sensor {QuotedText.Quote(name)} detector_range: expected [min, max] with min < max");
            }

            (min, max) = (range[0], range[1]);
        }

        if (!SensorDetectorSettings.TryParseKind(spec, out var kind))
        {
            throw s.Error("detector", $"sensor {QuotedText.Quote(name)} detector = {QuotedText.Quote(spec)}: unknown detector (expected one of: {string.Join(", ", WindowDetectors.Kinds)})");
        }

        var settings = new SensorDetectorSettings(kind, spec, threshold, cooldown, min, max);
        if (threshold is { } t && kind == DetectorKind.Streaming && t > 1)
        {
            throw s.Error("detector_threshold", $"sensor {QuotedText.Quote(name)} detector_threshold = {t.ToString(CultureInfo.InvariantCulture)}: {settings.Name} scores lie in [0, 1] (expected a threshold in (0, 1])");
        }

        try
        {
            // A trial build with valid defaults (alpha 0.1, threshold 4, warm-up 30, cool-down 1): only the sensor's own
            // specification can fail here.
            _ = WindowDetectors.Create(settings, new DetectorSettings("ewma-z", 0.1, 4, 30, 1));
        }
        catch (ArgumentException e)
        {
            throw s.Error("detector", $"sensor {QuotedText.Quote(name)} detector = {QuotedText.Quote(spec)}: {e.Message.Replace("--detector " + spec + ": ", string.Empty, StringComparison.Ordinal)}");
        }

        return settings;
    }

    /// <summary><c>[inference] model</c>: a folder name under <c>models/</c> of the configuration repository (<c>"pump"</c> or <c>"models/pump"</c>).</summary>
    private static string? ModelName(TableReader inf)
    {
        var text = inf.String("model", required: false);
        if (text is null)
        {
            return null;
        }

        var name = text.StartsWith("models/", StringComparison.Ordinal) ? text["models/".Length..].TrimEnd('/') : text;
        if (!ModelFolder().IsMatch(name))
        {
            throw inf.Error("model", $"{QuotedText.Quote(text)} is not a model folder name (expected NAME or models/NAME: letters, digits, '-', '_' or '.', the folder holding model.onnx)");
        }

        return name;
    }

    /// <summary>A sensor with <c>detector = "onnx"</c> needs inference on and a model.</summary>
    private static void CheckOnnxSensors(TableReader root, List<SensorSettings> sensors, InferenceSettings inference)
    {
        var i = 0;
        foreach (var s in root.TableArray("sensor"))
        {
            var settings = sensors[i++];
            if (settings.Detector?.Kind == DetectorKind.Onnx && (!inference.Enabled || inference.Model is null))
            {
                throw s.Error("detector", $"sensor '{settings.Name}' detector = 'onnx' needs [inference] enabled = true and model = \"NAME\" (a folder under models/)");
            }
        }
    }

    /// <summary>
    /// <c>fault = "KIND:START+LENGTH"</c>, parsed into its <see cref="FaultKind"/> here (an unknown kind is refused with its line),
    /// for emulated chips only (<c>heater</c>: an emulated BME280, whose physical model it heats; <c>bearing</c>: an emulated ADXL345, whose bearing it damages); null when the key is absent.
    /// </summary>
    private static FaultSettings? Fault(TableReader s, string name, IChipDescriptor? chip, BusSpec bus)
    {
        var text = s.String("fault", required: false);
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(':', '+');
        var start = TimeSpan.Zero; // START may be zero ("chipid:0s+1h": faulty from the first read); LENGTH may not
        if (parts.Length != 3 || !FaultKinds.TryParse(parts[0], out var kind) || !(parts[1].TrimStart('0') is "s" or "ms" or "m" or "h" or "d" || Config.Duration.TryParse(parts[1], out start, out _)) || !Config.Duration.TryParse(parts[2], out var span, out _))
        {
            throw s.Error("fault", $"sensor {QuotedText.Quote(name)} fault = {QuotedText.Quote(text)}: expected KIND:START+LENGTH with KIND {FaultKinds.Words.Replace(", bitflip", " or bitflip", StringComparison.Ordinal)}, e.g. heater:8s+4s");
        }

        var heater = kind == FaultKind.Heater;
        var bearing = kind == FaultKind.Bearing;
        if (bus.Kind != BusKind.Emulated || (heater && !ReferenceEquals(chip, Bme280Chip.Instance)) || (bearing && !ReferenceEquals(chip, Adxl345Chip.Instance)))
        {
            throw s.Error("fault", $"sensor {QuotedText.Quote(name)} fault = {QuotedText.Quote(text)}: faults are injected into emulated chips only{(heater ? " (heater: an emulated bme280)" : bearing ? " (bearing: an emulated adxl345)" : string.Empty)}");
        }

        return new FaultSettings(kind, start, span);
    }

    /// <summary>Why <paramref name="bus"/> is absent on this machine (the missing path), or null when it is present or not a device bus.</summary>
    internal static string? BusMissing(BusSpec bus)
    {
        var path = bus.Kind == BusKind.Replay ? bus.Target : bus.DevicePath;
        return path is null || File.Exists(path) ? null : path;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9/._-]{0,199}$")]
    private static partial Regex BranchName();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    internal static partial Regex DeviceId();

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    internal static partial Regex ModelFolder();

    [GeneratedRegex(@"^[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$")]
    private static partial Regex Z85Key();

    [GeneratedRegex(@"^tcp://(\*|[A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$")]
    private static partial Regex Endpoint();

    [GeneratedRegex(@"^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")]
    private static partial Regex ArrayHeader();
}
