namespace Appliance.Runtime.Inference;

/// <summary>
/// An ONNX scorer whose model can be replaced while it runs. A candidate (a directory with <c>model.onnx</c> and
/// <c>selftest.json</c>) is loaded beside the active session by <see cref="Stage"/> (any thread); it must load, take
/// exactly <c>[S, F]</c> → <c>[S, 1]</c>, and pass its bundled self-test (finite scores within tolerance). A candidate that
/// passes is swapped in by the scoring thread at the start of its next <see cref="Run"/>, so each batch of windows is
/// scored by exactly one model: none is lost or scored twice. A candidate that fails is disposed, the active model stays,
/// and the refusal is counted and handed to <c>onRejected</c> (to be sent upstream).
/// </summary>
public sealed class HotSwapScorer : IDisposable
{
    private readonly GpuPolicy _policy;
    private readonly Action<ModelRejection>? _onRejected;
    private OnnxScorer _active;
    private OnnxScorer? _staged;
    private string? _stagedSource;

    /// <summary>Starts with the bundle in <paramref name="bundleDir"/>, which must pass its self-test.</summary>
    /// <param name="bundleDir">Directory holding <c>model.onnx</c> and <c>selftest.json</c>.</param>
    /// <param name="streams">S: rows per batch (windows of all sensors scored in one <c>Run</c>).</param>
    /// <param name="features">F: features per row.</param>
    /// <param name="policy">Execution provider policy.</param>
    /// <param name="onRejected">Called (on the staging thread) for every refused candidate; may be null.</param>
    /// <exception cref="InferenceException">The first model does not load, has the wrong shape or fails its self-test.</exception>
    /// <exception cref="FileNotFoundException">A bundle file is missing.</exception>
    public HotSwapScorer(string bundleDir, int streams, int features, GpuPolicy policy, Action<ModelRejection>? onRejected = null)
    {
        _policy = policy;
        _onRejected = onRejected;
        Streams = streams;
        Features = features;
        var (scorer, error) = LoadChecked(bundleDir);
        _active = scorer ?? throw new InferenceException($"{bundleDir}: model refused: {error}");
        ActiveSource = bundleDir;
    }

    /// <summary>S.</summary>
    public int Streams { get; }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>The directory of the model that scores now.</summary>
    public string ActiveSource { get; private set; }

    /// <summary>The active session's execution provider.</summary>
    public string ExecutionProvider => _active.ExecutionProvider;

    /// <summary>Models swapped in since start.</summary>
    public int Swaps { get; private set; }

    /// <summary>Candidates refused since start.</summary>
    public int Rejections { get; private set; }

    /// <summary>The last refusal, or null.</summary>
    public ModelRejection? LastRejection { get; private set; }

    /// <summary>Loads and self-tests a candidate beside the active model; on success it becomes active at the next <see cref="Run"/>.</summary>
    /// <param name="bundleDir">Directory holding <c>model.onnx</c> and <c>selftest.json</c>.</param>
    /// <returns>True when staged; false when refused (see <see cref="LastRejection"/>).</returns>
    public bool Stage(string bundleDir)
    {
        var (scorer, error) = LoadChecked(bundleDir);
        if (scorer is null)
        {
            Rejections++;
            LastRejection = new ModelRejection(bundleDir, error!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            _onRejected?.Invoke(LastRejection);
            return false;
        }

        var previous = Interlocked.Exchange(ref _staged, scorer);
        previous?.Dispose(); // a newer candidate supersedes one not yet swapped in
        Volatile.Write(ref _stagedSource, bundleDir);
        return true;
    }

    /// <summary>Scores one batch with the active model, first swapping in a staged one (scoring thread only).</summary>
    /// <param name="features">S·F features, row-major.</param>
    /// <param name="scores">Receives S scores.</param>
    /// <exception cref="InferenceException">The run failed or produced NaN from finite input.</exception>
    public void Run(ReadOnlySpan<float> features, Span<float> scores)
    {
        var staged = Interlocked.Exchange(ref _staged, null);
        if (staged is not null)
        {
            var old = _active;
            _active = staged;
            ActiveSource = Volatile.Read(ref _stagedSource) ?? ActiveSource;
            Swaps++;
            old.Dispose();
        }

        _active.Run(features, scores);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Interlocked.Exchange(ref _staged, null)?.Dispose();
        _active.Dispose();
    }

    private (OnnxScorer? Scorer, string? Error) LoadChecked(string bundleDir)
    {
        OnnxScorer? scorer = null;
        try
        {
            var test = ModelSelfTest.Load(Path.Combine(bundleDir, ModelSelfTest.FileName));
            if (test.Features != Features)
            {
                return (null, $"self-test has {test.Features} features, the pipeline sends {Features}");
            }

            var model = File.ReadAllBytes(Path.Combine(bundleDir, "model.onnx"));
            // The self-test batch may have fewer rows than the pipeline's; test on a session of its shape first.
            using (var probe = new OnnxScorer(model, test.Rows, test.Features, _policy))
            {
                if (test.Check(probe) is { } failed)
                {
                    return (null, failed);
                }
            }

            scorer = new OnnxScorer(model, Streams, Features, _policy);
            return (scorer, null);
        }
        catch (Exception e) when (e is InferenceException or FormatException or IOException)
        {
            scorer?.Dispose();
            return (null, e.Message);
        }
    }
}
