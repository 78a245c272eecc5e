using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Device.GitOps;

/// <summary>
/// The files of a starting configuration repository for the embedded demo (what <c>appliance init-config DIR</c> writes):
/// <c>appliance.toml</c> (<see cref="DefaultConfig.Toml"/>), a commented override <c>devices/demo-1.toml</c>, and
/// <c>models/bme280-zscore/</c> (a z-score model of the three BME280 channels as ONNX, its self-test and its SHA-256
/// manifest), plus a README for operators.
/// </summary>
public static class StarterRepository
{
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

        // Three streams (temperature °C, pressure hPa, humidity %RH) x two features (window mean, window std), fitted on
        // rows around an indoor reading; the self-test's expected scores come from the managed reference implementation
        // (StandardScoreModel.Score), so ONNX Runtime on the device must reproduce them.
        var rows = new List<float[]>();
        for (var i = 0; i < 32; i++)
        {
            var w = (i % 8) - 3.5f;
            rows.Add([22f + (0.1f * w), 0.02f + (0.001f * (i % 3)), 1013.25f + (0.05f * w), 0.01f + (0.001f * (i % 4)), 45f + (0.3f * w), 0.1f + (0.01f * (i % 5))]);
        }

        var model = StandardScoreModel.Fit(rows, streams: 3, features: 2);
        float[] input = [22.2f, 0.021f, 1013.3f, 0.012f, 45.5f, 0.11f];
        var expected = new float[3];
        model.Score(input, expected);
        var onnx = model.ToOnnx();
        var selfTest = string.Create(CultureInfo.InvariantCulture, $$"""
            # Self-test of model.onnx, run on the device before the revision is applied: ONNX Runtime must reproduce every
            # case within the tolerance, or the revision is rejected. Input [S*F] = streams x features, stream-major;
            # expected [S] = the model's score per stream.
            streams = 3
            features = 2
            tolerance = 1e-3

            [[case]]
            # temperature (mean, std), pressure (mean, std), humidity (mean, std)
            input = [{{string.Join(", ", input.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]
            expected = [{{string.Join(", ", expected.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]

            """);
        var folder = $"models/{ModelName}/";
        files[folder + ModelPackage.ModelFile] = onnx;
        files[folder + ModelPackage.SelfTestFile] = Encoding.UTF8.GetBytes(selfTest);
        var sums = new StringBuilder();
        foreach (var name in new[] { ModelPackage.ModelFile, ModelPackage.SelfTestFile })
        {
            sums.Append(Convert.ToHexStringLower(SHA256.HashData(files[folder + name]))).Append("  ").Append(name).Append('\n');
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
