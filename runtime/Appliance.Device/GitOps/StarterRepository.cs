using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Device.GitOps;

/// <summary>
/// The files of a starting configuration repository for the embedded demo (what <c>appliance init-config DIR</c> writes):
/// <c>appliance.toml</c> (<see cref="DefaultConfig.Toml"/>), a commented override <c>devices/demo-1.toml</c>, and
/// <c>models/bme280-zscore/</c> (a z-score model of the three BME280 channels' window means as ONNX, with its calibrated
/// alert threshold, its self-test and its SHA-256 manifest), plus a README for operators.
/// </summary>
public static class StarterRepository
{
    /// <summary>The 1 s windows of the emulated BME280 the demo model is fitted and calibrated on.</summary>
    internal const int TrainingWindows = 4320;

    /// <summary>The demo model's folder name.</summary>
    public const string ModelName = "bme280-zscore";

    /// <summary>The files: path inside the repository (forward slashes) and bytes.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["appliance.toml"] = Encoding.UTF8.GetBytes(DefaultConfig.Toml),
            ["devices/demo-1.toml"] = Encoding.UTF8.GetBytes(DeviceOverride),
            ["README.md"] = Encoding.UTF8.GetBytes(Readme),
        };

        foreach (var (path, bytes) in ModelFiles(ModelName))
        {
            files[path] = bytes;
        }

        return files;
    }

    /// <summary>
    /// The files of the demo model's folder <c>models/NAME/</c> (<c>model.onnx</c>, <c>selftest.toml</c>, <c>SHA256SUMS</c>), the
    /// model fitted as <see cref="Files"/> describes, its calibrated threshold multiplied by <paramref name="thresholdScale"/>
    /// (1: the demo model itself; a small factor makes a candidate that alerts on most windows: <c>appliance demo --rollout bad</c>).
    /// </summary>
    /// <param name="name">The folder's name.</param>
    /// <param name="thresholdScale">The factor on the calibrated threshold (above 0).</param>
    public static IReadOnlyDictionary<string, byte[]> ModelFiles(string name, double thresholdScale = 1)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        // Three streams (temperature °C, pressure Pa, humidity %RH: the BME280's channels as the pipeline reads them) x one
        // feature, the window mean (metadata appliance.features = "mean"), fitted on 1 s windows of 10 samples of the emulated
        // BME280 (Bme280PhysicalModel: daily and 3-day cycles plus noise) at 4,320 times spread over its 72 h period. The
        // threshold is calibrated on those windows' scores: their largest (quantile 1) times two, so that no normal window of
        // the cycle alerts while the heater fault's +15 °C step (a temperature score near (15 / 2.1)² ≈ 50) does.
        var physical = new Appliance.Drivers.Emulation.Bme280PhysicalModel();
        var rows = new List<float[]>();
        const long second = 1_000_000_000, period = 72 * 3600 * second;
        for (var i = 0; i < TrainingWindows; i++)
        {
            var start = i * (period / TrainingWindows);
            double t = 0, p = 0, h = 0;
            for (var k = 0; k < 10; k++)
            {
                var x = physical.PhysicalAt(start + (k * second / 10));
                (t, p, h) = (t + x.TemperatureC, p + x.PressurePa, h + x.HumidityPct);
            }

            rows.Add([(float)(t / 10), (float)(p / 10), (float)(h / 10)]);
        }

        var fit = StandardScoreModel.Fit(rows, streams: 3, features: 1);
        var scores = new float[3];
        var all = new List<float>();
        foreach (var row in rows)
        {
            fit.Score(row, scores);
            all.AddRange(scores);
        }

        var threshold = 2 * ModelPackage.ScoreQuantile(all, 1.0) * thresholdScale;
        float[] input = [22.2f, 101_330f, 45.5f];
        var expected = new float[3];
        fit.Score(input, expected);
        var onnx = fit.ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.FeaturesKey] = "mean",
            [OnnxScorer.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture),
        });
        var selfTest = string.Create(CultureInfo.InvariantCulture, $$"""
            # Self-test of model.onnx, run on the device before the revision is applied: ONNX Runtime must reproduce every
            # case within the tolerance, or the revision is rejected. Input [S*F] = streams x features, stream-major;
            # expected [S] = the model's score per stream.
            streams = 3
            features = 1
            tolerance = 1e-3

            [[case]]
            # window means: temperature (°C), pressure (Pa), humidity (%RH)
            input = [{{string.Join(", ", input.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]
            expected = [{{string.Join(", ", expected.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]

            """);
        var folder = $"models/{name}/";
        files[folder + ModelPackage.ModelFile] = onnx;
        files[folder + ModelPackage.SelfTestFile] = Encoding.UTF8.GetBytes(selfTest);
        var sums = new StringBuilder();
        foreach (var file in new[] { ModelPackage.ModelFile, ModelPackage.SelfTestFile })
        {
            sums.Append(Convert.ToHexStringLower(SHA256.HashData(files[folder + file]))).Append("  ").Append(file).Append('\n');
        }

        files[folder + ModelPackage.ManifestFile] = Encoding.UTF8.GetBytes(sums.ToString());
        return files;
    }

    private const string DeviceOverride = """
        # Overrides for the device whose id is demo-1 (the id given by `appliance run --device demo-1`, else [device] id
        # of appliance.toml). Keys written here replace the same keys of appliance.toml; a [[sensor]] whose name matches a
        # sensor of appliance.toml replaces that sensor's keys, any other [[sensor]] is added. Errors name this file's line.

        [[sensor]]
        name = "env"
        # This device samples a little faster than the fleet default.
        rate_hz = 10

        """;

    private const string Readme = """
        # Appliance configuration repository

        - `appliance.toml`: settings shared by every device (schema: the Appliance README, section Configuration).
        - `devices/<device-id>.toml`: per-device overrides, merged over `appliance.toml`.
        - `models/<name>/`: an ONNX model (`model.onnx`), its self-test (`selftest.toml`) and `SHA256SUMS`
          (`sha256sum model.onnx selftest.toml > SHA256SUMS`); every file of the folder must be listed.

        Devices apply only commits signed by a key in their allowed-signers file:

            git config gpg.format ssh
            git config user.signingkey ~/.ssh/id_ed25519.pub
            git commit -S -m "..." && git push

        """;
}
