namespace Appliance.Runtime.Tests.Config;

// Per-sensor detectors: [[sensor]] detector, detector_threshold, detector_cooldown, detector_range. Every refusal names the
// file, the line and the key (the README's configuration reference).
public sealed class SensorDetectorConfigTests
{
    private static ApplianceConfig Parse(string body) => ConfigLoader.Parse("[device]\nid = \"d\"\n" + body + SensorConfigTests.Tail, "appliance.toml");

    private static string Sensor(string name, string extra) => $"[[sensor]]\nname = \"{name}\"\nchip = \"bme280\"\nbus = \"emulated:bme280\"\nrate_hz = 10\n{extra}\n";

    [Fact]
    public void Parse_DetectorPerSensor_ReadsKindsOverridesAndDefaults()
    {
        var config = Parse(
            Sensor("a", "detector = \"cusum:k=0.25\"\ndetector_threshold = 0.999\ndetector_cooldown = 3")
            + Sensor("b", "detector = \"relative-entropy\"\ndetector_range = [0, 50]")
            + Sensor("c", "detector = \"onnx\"\ndetector_threshold = 12.5")
            + Sensor("d", string.Empty)
            + "[inference]\nmodel = \"models/pump\"\n");

        Assert.Equal(new SensorDetectorSettings(DetectorKind.Streaming, "cusum:k=0.25", 0.999, 3, double.NaN, double.NaN), config.Sensors[0].Detector);
        Assert.Equal("cusum", config.Sensors[0].Detector!.Name);
        Assert.Equal((0.0, 50.0), (config.Sensors[1].Detector!.RangeMin, config.Sensors[1].Detector!.RangeMax));
        Assert.Equal(12.5, config.Sensors[2].Detector!.Threshold);
        Assert.Null(config.Sensors[3].Detector);
        Assert.Equal("pump", config.Inference.Model);

        // What the pipeline builds from them: the sensor's own detector, else the global [detector] EWMA z-score.
        Assert.Equal("cusum", WindowDetectors.Create(config.Sensors[0].Detector, config.Detector).Name);
        Assert.Equal("relative-entropy", WindowDetectors.Create(config.Sensors[1].Detector, config.Detector).Name);
        var onnx = Assert.IsType<OnnxDetector>(WindowDetectors.Create(config.Sensors[2].Detector, config.Detector));
        Assert.Equal(12.5, onnx.Threshold);
        Assert.IsType<EwmaZScoreDetector>(WindowDetectors.Create(config.Sensors[3].Detector, config.Detector));
    }

    // Lines: 1 [device], 2 id, 3 [[sensor]], 4 name, 5 chip, 6 bus, 7 rate_hz, 8 the first extra key, 9 the second.
    [Theory]
    [InlineData("detector = \"isolation-forest\"", 8, "detector", "unknown detector (expected one of: ewma-z, onnx, windowed-gaussian")]
    [InlineData("detector = \"cusum:q=3\"", 8, "detector", "[sensor] detector: sensor 's' detector = 'cusum:q=3': 'q' is not a setting of cusum")]
    [InlineData("detector = \"relative-entropy\"", 8, "detector", "needs detector_range = [min, max]")]
    [InlineData("detector = \"cusum\"\ndetector_threshold = 4", 9, "detector_threshold", "expected a threshold in (0, 1]")]
    [InlineData("detector = \"windowed-gaussian\"\ndetector_range = [5, 1]", 9, "detector_range", "min < max")]
    [InlineData("detector_threshold = 0.9", 8, "detector_threshold", "without detector")]
    [InlineData("detector = \"cusum\"\ndetector_cooldown = 0", 9, "detector_cooldown", "must be between 1 and")]
    [InlineData("detector = \"onnx\"", 8, "detector", "needs [inference] enabled = true and model")]
    [InlineData("detector = \"windowed-gaussian:window=1e10\"", 8, "detector", "window=10000000000: expected a whole number from 2 to 10000000")]
    [InlineData("detector = \"artime:learn=600,capacity=1e12\"\ndetector_range = [0, 1]", 8, "detector", "capacity=1000000000000: expected a whole number from 1 to 65536")]
    [InlineData("detector = \"cusum:k=-1\"", 8, "detector", "CUSUM reference k must be finite")]
    [InlineData("detector = \"spectral\"", 8, "detector", "needs the sensor's spectral = { size = N, bands")]
    [InlineData("fault = \"bearing:10s+60s\"", 8, "fault", "(bearing: an emulated adxl345)")]
    public void Parse_BadDetector_RefusedWithLineAndKey(string extra, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(Sensor("s", extra)));

        Assert.Contains($"appliance.toml:{line}", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SpectralDetectorAndBearingFaultOnAnEmulatedAdxl345_Accepted()
    {
        var config = Parse(
            "[[sensor]]\nname = \"vib\"\nchip = \"adxl345\"\nbus = \"emulated:adxl345\"\nrate_hz = 3200\nfault = \"bearing:60s+300s\"\n"
            + "detector = \"spectral:learn=40\"\ndetector_threshold = 6\n"
            + "spectral = { size = 1024, bands = [[10, 100], [1000, 1500]], envelope = true, envelope_hz = 107.5 }\n");

        Assert.Equal(new FaultSettings(FaultKind.Bearing, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(300)), config.Sensors[0].Fault);
        Assert.Equal(DetectorKind.Spectral, config.Sensors[0].Detector!.Kind);
        Assert.IsType<SpectralDetector>(WindowDetectors.Create(config.Sensors[0].Detector, config.Detector));
    }

    [Fact]
    public void Parse_EwmaZOnSensor_Accepted()
    {
        // The first kind in the README's detector table: the global [detector] EWMA z-score, chosen per sensor.
        var config = Parse(Sensor("s", "detector = \"ewma-z\"\ndetector_threshold = 3.5"));

        Assert.Equal(DetectorKind.EwmaZ, config.Sensors[0].Detector!.Kind);
        Assert.IsType<EwmaZScoreDetector>(WindowDetectors.Create(config.Sensors[0].Detector, config.Detector));
    }

    [Fact]
    public void Parse_ModelNameNotAFolder_RefusedWithLine()
    {
        var e = Assert.Throws<ConfigException>(() => Parse(Sensor("s", string.Empty) + "[inference]\nmodel = \"../etc/passwd\"\n"));

        Assert.Contains("appliance.toml:10", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not a model folder name", e.Message, StringComparison.Ordinal);
    }
}
