using System.Globalization;
using System.Security.Cryptography;
using Appliance.Contracts.Config;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Contracts.Inference;

/// <summary>
/// A model folder of the configuration repository, <c>models/NAME/</c>, verified: <c>model.onnx</c> (input float32
/// <c>[S, F]</c>, output <c>[S, 1]</c>, as <see cref="OnnxScorer"/> runs it), <c>selftest.toml</c> (S, F, a tolerance and
/// cases of input and expected output) and <c>SHA256SUMS</c>, the manifest in the format <c>sha256sum</c> writes
/// (GNU coreutils: 64 hex digits, two spaces or " *", the file name) listing every other file of the folder.
/// </summary>
/// <param name="Name">The folder name.</param>
/// <param name="Onnx">The model's bytes, as hashed.</param>
/// <param name="Streams">S: rows per batch.</param>
/// <param name="Features">F: features per row.</param>
/// <param name="SelfTestCase">The first case of <c>selftest.toml</c>, which the device's pipeline runs again on its own session
/// (its execution provider) before it swaps the model in: the file's absolute tolerance is taken relative to
/// max(1, |expected|) (<see cref="ModelSelfTest"/>), never tighter than the file's; null for none.</param>
public sealed record ModelPackage(string Name, byte[] Onnx, int Streams, int Features, ModelSelfTest? SelfTestCase = null)
{
    /// <summary>The manifest file in each model folder.</summary>
    public const string ManifestFile = "SHA256SUMS";

    /// <summary>The model file in each model folder.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>The self-test file in each model folder.</summary>
    public const string SelfTestFile = "selftest.toml";

    /// <summary>SHA-256 of <see cref="Onnx"/> (FIPS 180-4), 64 lower-case hex digits: what tells two versions of one model folder apart.</summary>
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Onnx));

    /// <summary>
    /// The model's name in the device's status, heartbeats and errors: <c>models/NAME@sha256:</c> and the first 12 hex digits
    /// of <see cref="Sha256"/> (the <c>name@sha256:digest</c> form of OCI image references, shortened as git shortens commit
    /// ids), so that a push of new bytes under the same folder name shows as a new active model.
    /// </summary>
    public string Id => $"models/{Name}@sha256:{Sha256[..12]}";

    /// <summary>The most bytes one model file may hold (256 MiB).</summary>
    public const long MaxModelBytes = 256L << 20;

    /// <summary>
    /// Reads and verifies a model bundle in a directory (what <c>appliance train --out DIR</c> writes) exactly as
    /// a configuration repository's model folder is verified (<c>ConfigRepository.LoadModel</c>) verifies a repository's model folder: <c>SHA256SUMS</c> lists
    /// every file and every hash matches, then the model reproduces its <c>selftest.toml</c> in ONNX Runtime (CPU).
    /// </summary>
    /// <param name="directory">The bundle directory; its name is the model's name.</param>
    /// <exception cref="ConfigException">A file is missing, unlisted or too large, a hash differs, or the self-test fails (path and line named).</exception>
    public static ModelPackage LoadDirectory(string directory)
    {
        var full = Path.GetFullPath(directory);
        byte[]? Read(string file)
        {
            var path = Path.Combine(full, file);
            if (!File.Exists(path))
            {
                return null;
            }

            return new FileInfo(path).Length <= MaxModelBytes
                ? File.ReadAllBytes(path)
                : throw new ConfigException(path, 0, $"larger than {MaxModelBytes} bytes, the most a model file may hold");
        }

        return Verify(Path.GetFileName(full), full, Read, Directory.EnumerateFiles(full).Select(f => Path.GetFileName(f)));
    }

    /// <summary>
    /// Verifies a model bundle read through <paramref name="read"/>: the manifest lists every file of
    /// <paramref name="files"/> and every hash matches, then the model loads in ONNX Runtime (CPU) and reproduces every
    /// self-test case within the stated tolerance.
    /// </summary>
    /// <param name="name">The model's name (its folder under <c>models/</c>).</param>
    /// <param name="folder">The folder's path as errors name it.</param>
    /// <param name="read">Reads one file of the folder by name (at most <see cref="MaxModelBytes"/>); null when absent.</param>
    /// <param name="files">The folder's file names.</param>
    /// <exception cref="ConfigException">A file is missing or unlisted, a hash differs, or the self-test fails (file:line named).</exception>
    public static ModelPackage Verify(string name, string folder, Func<string, byte[]?> read, IEnumerable<string> files)
    {
        var contents = VerifyManifest(name, folder, read, files);
        return Load(name, folder, contents);
    }

    /// <summary>
    /// The second half of <see cref="Verify"/>: from files whose hashes were verified (<see cref="VerifyManifest"/>), the
    /// model must carry a threshold (<see cref="RequireThreshold"/>), load in ONNX Runtime (CPU) and reproduce its self-test.
    /// Kept apart so that a rollout's candidate whose files are intact but whose model does not load can be reported as
    /// rejected without refusing the revision (docs/models.md).
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="folder">The folder's path as errors name it.</param>
    /// <param name="contents">The verified files by name (<see cref="ModelFile"/> and <see cref="SelfTestFile"/> among them).</param>
    /// <exception cref="ConfigException">No threshold, the model does not load, or the self-test fails (file:line named).</exception>
    public static ModelPackage Load(string name, string folder, IReadOnlyDictionary<string, byte[]> contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        RequireThreshold($"{folder}/{ModelFile}", contents[ModelFile]);
        var selfTestPath = $"{folder}/{SelfTestFile}";
        return SelfTest(name, contents[ModelFile], ConfigText.Decode(contents[SelfTestFile], selfTestPath), selfTestPath);
    }

    /// <summary>
    /// The first half of <see cref="Verify"/>: the manifest (<see cref="ManifestFile"/>, sha256sum output) lists every file of
    /// <paramref name="files"/>, <see cref="ModelFile"/> and <see cref="SelfTestFile"/> among them, and every hash matches.
    /// </summary>
    /// <returns>The listed files' bytes by name.</returns>
    /// <exception cref="ConfigException">A file is missing or unlisted, or a hash differs (file:line named).</exception>
    public static IReadOnlyDictionary<string, byte[]> VerifyManifest(string name, string folder, Func<string, byte[]?> read, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(files);
        var manifestPath = $"{folder}/{ManifestFile}";
        var manifest = read(ManifestFile)
            ?? throw new ConfigException(manifestPath, 0, $"model '{name}' has no manifest (expected sha256sum output listing its files)");
        var listed = new Dictionary<string, (string Hash, int Line)>(StringComparer.Ordinal);
        var lines = System.Text.Encoding.UTF8.GetString(manifest).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 67 || line.AsSpan(0, 64).ContainsAnyExcept("0123456789abcdefABCDEF") || !(line[64..66] is "  " or " *"))
            {
                throw new ConfigException(manifestPath, i + 1, $"'{line}' is not a sha256sum line (expected 64 hex digits, two spaces, a file name)");
            }

            listed[line[66..]] = (line[..64].ToLowerInvariant(), i + 1);
        }

        foreach (var file in files)
        {
            if (file != ManifestFile && !listed.ContainsKey(file))
            {
                throw new ConfigException($"{folder}/{file}", 0, $"not listed in {manifestPath} (every file of a model folder must be hashed)");
            }
        }

        foreach (var required in new[] { ModelFile, SelfTestFile })
        {
            if (!listed.ContainsKey(required))
            {
                throw new ConfigException(manifestPath, 0, $"model '{name}': {required} is not listed (expected {ModelFile} and {SelfTestFile})");
            }
        }

        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (file, (hash, line)) in listed)
        {
            var bytes = read(file)
                ?? throw new ConfigException(manifestPath, line, $"{file}: listed but missing from the folder");
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (actual != hash)
            {
                throw new ConfigException(manifestPath, line, $"{file}: SHA-256 is {actual}, the manifest says {hash}");
            }

            contents[file] = bytes;
        }

        return contents;
    }

    /// <summary>
    /// Refuses a model that carries no calibrated alert threshold (ONNX metadata <see cref="OnnxScorer.ThresholdKey"/>, a
    /// positive number): scored without one, it never fires. A model that does not load is left to the self-test to report.
    /// </summary>
    /// <exception cref="ConfigException">The threshold is missing or not a positive number (the model file named).</exception>
    public static void RequireThreshold(string modelPath, byte[] onnx)
    {
        IReadOnlyDictionary<string, string> metadata;
        try
        {
            metadata = OnnxScorer.ReadMetadata(onnx);
        }
        catch (InferenceException)
        {
            return;
        }

        if (!metadata.TryGetValue(OnnxScorer.ThresholdKey, out var text))
        {
            throw new ConfigException(modelPath, 0, $"no calibrated threshold: the ONNX metadata has no {OnnxScorer.ThresholdKey} (appliance train writes the quantile of its scores on held-out normal windows); a model without one would never raise an alert");
        }

        if (!(double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0))
        {
            throw new ConfigException(modelPath, 0, $"metadata {OnnxScorer.ThresholdKey} = '{text}': expected a positive number");
        }
    }

    /// <summary>
    /// The <paramref name="quantile"/> of <paramref name="scores"/> by the nearest-rank method (the ⌈q·n⌉-th smallest; Hyndman
    /// &amp; Fan 1996, definition 1): how a model's alert threshold is calibrated from scores of normal windows.
    /// </summary>
    /// <param name="scores">Scores of normal windows; at least one.</param>
    /// <param name="quantile">In (0, 1]; 1 is the largest score.</param>
    /// <returns>The score at that rank.</returns>
    public static double ScoreQuantile(IEnumerable<float> scores, double quantile)
    {
        var sorted = scores.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// Parses <paramref name="selfTest"/> and runs every case through <paramref name="onnx"/> on the CPU:
    /// <c>streams</c>, <c>features</c>, <c>tolerance</c> (absolute), then <c>[[case]] input = [S*F numbers], expected = [S numbers]</c>.
    /// </summary>
    /// <exception cref="ConfigException">The file is malformed, the model does not load, or a case's output differs by more than the tolerance.</exception>
    public static ModelPackage SelfTest(string name, byte[] onnx, string selfTest, string selfTestPath)
    {
        var origins = new KeyOrigins();
        var doc = ConfigText.Parse(selfTest, selfTestPath, origins, "streams, features, tolerance and at least one [[case]]");
        var r = new TableReader(selfTestPath, doc, origins, string.Empty);
        r.RejectUnknown(["streams", "features", "tolerance", "case"]);
        var streams = (int)r.Integer("streams", 0, 1, 4096);
        var features = (int)r.Integer("features", 0, 1, 4096);
        var tolerance = r.Number("tolerance", 1e-4, 0, 1e6);
        var cases = r.TableArray("case").ToList();
        if (streams == 0 || features == 0 || cases.Count == 0)
        {
            throw new ConfigException(selfTestPath, 0, "expected streams, features and at least one [[case]]");
        }

        OnnxScorer scorer;
        try
        {
            scorer = new OnnxScorer(onnx, streams, features, GpuPolicy.Off);
        }
        catch (InferenceException e)
        {
            throw new ConfigException($"models/{name}/{ModelFile}", 0, $"does not load: {e.Message}");
        }

        ModelSelfTest? first = null;
        using (scorer)
        {
            var scores = new float[streams];
            var n = 0;
            foreach (var c in cases)
            {
                n++;
                c.RejectUnknown(["input", "expected"]);
                var input = c.FloatArray("input");
                var expected = c.FloatArray("expected");
                if (input.Length != streams * features || expected.Length != streams)
                {
                    throw c.Error("input", $"case {n}: expected {streams * features} inputs and {streams} outputs, found {input.Length} and {expected.Length}");
                }

                first ??= new ModelSelfTest(streams, features, input, expected, tolerance);
                scorer.Run(input, scores);
                for (var i = 0; i < streams; i++)
                {
                    if (!(Math.Abs(scores[i] - expected[i]) <= tolerance))
                    {
                        throw c.Error("expected", string.Create(CultureInfo.InvariantCulture, $"case {n}: output {i} is {scores[i]:G9}, expected {expected[i]:G9} within {tolerance}: the self-test fails"));
                    }
                }
            }
        }

        return new ModelPackage(name, onnx, streams, features, first);
    }
}
