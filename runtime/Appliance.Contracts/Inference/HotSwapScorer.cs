using System.Globalization;

namespace Appliance.Contracts.Inference;

/// <summary>
/// An ONNX scorer whose model can be replaced while it runs. A candidate is loaded beside the active session by
/// <see cref="Stage(string, byte[], ModelSelfTest?)"/> (any thread); it must load, take exactly <c>[S, F]</c> → <c>[S, 1]</c>
/// (F from its metadata, <see cref="OnnxScorer.FeaturesKey"/>, or the F this scorer was built for), name only known window
/// features, and pass its bundled self-test (finite scores within tolerance; without one, a batch of zeros must score
/// finite). A candidate that passes is swapped in by the scoring thread at its next <see cref="TrySwap"/> or
/// <see cref="Run"/>, so each batch of windows is scored by exactly one model: none is lost or scored twice. A candidate
/// that fails is disposed, the active model stays, and the refusal is counted, kept in <see cref="LastRejection"/> and
/// handed to <c>onRejected</c> (to be sent upstream).
/// </summary>
public sealed class HotSwapScorer : IDisposable
{
    private readonly GpuPolicy _policy;
    private readonly Action<ModelRejection>? _onRejected;
    private readonly int? _requiredFeatures;
    private ScoringModel? _active;
    private ScoringModel? _staged;

    /// <summary>Starts with the bundle in <paramref name="bundleDir"/>, which must pass its self-test.</summary>
    /// <param name="bundleDir">Directory holding <c>model.onnx</c> and <c>selftest.json</c>.</param>
    /// <param name="streams">S: rows per batch (windows of all sensors scored in one <c>Run</c>).</param>
    /// <param name="features">F: features per row; every later candidate must take the same F.</param>
    /// <param name="policy">Execution provider policy.</param>
    /// <param name="onRejected">Called (on the staging thread) for every refused candidate; may be null.</param>
    /// <exception cref="InferenceException">The first model does not load, has the wrong shape or fails its self-test.</exception>
    public HotSwapScorer(string bundleDir, int streams, int features, GpuPolicy policy, Action<ModelRejection>? onRejected = null)
    {
        _policy = policy;
        _onRejected = onRejected;
        _requiredFeatures = features;
        Streams = streams;
        var (model, error) = LoadBundle(bundleDir);
        _active = model ?? throw new InferenceException($"{bundleDir}: model refused: {error}");
    }

    /// <summary>Starts with no model: <see cref="HasModel"/> is false until a staged candidate is swapped in.</summary>
    /// <param name="streams">S: rows per batch.</param>
    /// <param name="policy">Execution provider policy.</param>
    /// <param name="onRejected">Called (on the staging thread) for every refused candidate; may be null.</param>
    public HotSwapScorer(int streams, GpuPolicy policy, Action<ModelRejection>? onRejected = null)
    {
        _policy = policy;
        _onRejected = onRejected;
        Streams = streams;
    }

    /// <summary>S.</summary>
    public int Streams { get; }

    /// <summary>F of the active model (or the F this scorer was built for; 0 with no model).</summary>
    public int Features => _active?.Scorer.Features ?? _requiredFeatures ?? 0;

    /// <summary>True once a model is active.</summary>
    public bool HasModel => _active is not null;

    /// <summary>The active model (scoring thread), or null.</summary>
    public ScoringModel? Active => _active;

    /// <summary>Where the model that scores now came from; empty with no model.</summary>
    public string ActiveSource => Volatile.Read(ref _active)?.Id ?? string.Empty;

    /// <summary>The active session's execution provider (<c>CPU</c>, <c>CUDA</c>), or <c>none</c>.</summary>
    public string ExecutionProvider => Volatile.Read(ref _active)?.Scorer.ExecutionProvider ?? "none";

    /// <summary>Models swapped in since start (the first model of a scorer built without one counts).</summary>
    public int Swaps { get; private set; }

    /// <summary>Candidates refused since start.</summary>
    public int Rejections { get; private set; }

    /// <summary>The last refusal, or null.</summary>
    public ModelRejection? LastRejection { get; private set; }

    /// <summary>Loads and self-tests a bundle directory (<c>model.onnx</c>, <c>selftest.json</c>) beside the active model.</summary>
    /// <returns>True when staged; false when refused (see <see cref="LastRejection"/>).</returns>
    public bool Stage(string bundleDir)
    {
        var (model, error) = LoadBundle(bundleDir);
        return Offer(bundleDir, model, error);
    }

    /// <summary>Loads and checks a model beside the active one; on success it becomes active at the next swap.</summary>
    /// <param name="id">Where it came from (shown as <see cref="ActiveSource"/> and in rejections).</param>
    /// <param name="onnx">The ONNX ModelProto bytes.</param>
    /// <param name="selfTest">Its bundled self-test, or null (then a batch of zeros must score finite).</param>
    /// <returns>True when staged; false when refused (see <see cref="LastRejection"/>).</returns>
    public bool Stage(string id, byte[] onnx, ModelSelfTest? selfTest)
    {
        var (model, error) = Load(id, onnx, selfTest);
        return Offer(id, model, error);
    }

    /// <summary>Swaps a staged candidate in (scoring thread only, between batches).</summary>
    /// <returns>True when the active model changed.</returns>
    public bool TrySwap()
    {
        var staged = Interlocked.Exchange(ref _staged, null);
        if (staged is null)
        {
            return false;
        }

        var old = _active;
        Volatile.Write(ref _active, staged);
        Swaps++;
        old?.Dispose();
        return true;
    }

    /// <summary>Scores one batch with the active model, first swapping in a staged one (scoring thread only).</summary>
    /// <param name="features">S·F features, row-major.</param>
    /// <param name="scores">Receives S scores.</param>
    /// <exception cref="InferenceException">No model yet, or the run failed or produced NaN from finite input.</exception>
    public void Run(ReadOnlySpan<float> features, Span<float> scores)
    {
        TrySwap();
        var active = _active ?? throw new InferenceException("no model has been loaded yet");
        active.Scorer.Run(features, scores);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Interlocked.Exchange(ref _staged, null)?.Dispose();
        _active?.Dispose();
    }

    private bool Offer(string id, ScoringModel? model, string? error)
    {
        if (model is null)
        {
            Rejections++;
            LastRejection = new ModelRejection(id, error!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            _onRejected?.Invoke(LastRejection);
            return false;
        }

        Interlocked.Exchange(ref _staged, model)?.Dispose(); // a newer candidate supersedes one not yet swapped in
        return true;
    }

    private (ScoringModel? Model, string? Error) LoadBundle(string bundleDir)
    {
        try
        {
            var test = ModelSelfTest.Load(Path.Combine(bundleDir, ModelSelfTest.FileName));
            return Load(bundleDir, File.ReadAllBytes(Path.Combine(bundleDir, "model.onnx")), test);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            return (null, e.Message);
        }
    }

    private (ScoringModel? Model, string? Error) Load(string id, byte[] onnx, ModelSelfTest? test)
    {
        OnnxScorer? scorer = null;
        try
        {
            var metadata = OnnxScorer.ReadMetadata(onnx);
            IReadOnlyList<string> names = metadata.TryGetValue(OnnxScorer.FeaturesKey, out var list)
                ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : _requiredFeatures is null ? WindowFeatureColumns.Default : [];
            var features = names.Count > 0 ? names.Count : _requiredFeatures!.Value;
            if (_requiredFeatures is { } required && features != required)
            {
                return (null, $"the model takes {features} features ({string.Join(",", names)}), the pipeline sends {required}");
            }

            var columns = _requiredFeatures is null ? WindowFeatureColumns.Resolve(names) : [];
            double? threshold = null;
            if (metadata.TryGetValue(OnnxScorer.ThresholdKey, out var t))
            {
                threshold = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0
                    ? v
                    : throw new FormatException($"metadata {OnnxScorer.ThresholdKey} = '{t}': expected a positive number");
            }

            if (test is not null && test.Features != features)
            {
                return (null, $"self-test has {test.Features} features, the model takes {features}");
            }

            // The self-test batch may have fewer rows than the pipeline's; test on a session of its shape first.
            using (var probe = new OnnxScorer(onnx, test?.Rows ?? Streams, features, _policy))
            {
                if (test is not null && test.Check(probe) is { } failed)
                {
                    return (null, failed);
                }

                if (test is null)
                {
                    probe.Run(new float[Streams * features], new float[Streams]); // throws on NaN/∞ from finite input
                }
            }

            scorer = new OnnxScorer(onnx, Streams, features, _policy);
            return (new ScoringModel(id, scorer, names, columns, threshold), null);
        }
        catch (Exception e) when (e is InferenceException or FormatException or ArgumentException)
        {
            scorer?.Dispose();
            return (null, e.Message);
        }
    }
}
