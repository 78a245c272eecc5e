using Microsoft.ML.OnnxRuntime;

namespace Appliance.Contracts.Inference;

/// <summary>
/// One ONNX Runtime session that scores a batch of window features per <see cref="Run"/>: input float32 <c>[S, F]</c>,
/// output float32 <c>[S, 1]</c>. Input and output live in buffers allocated once and bound as <see cref="OrtValue"/>s,
/// so a steady-state call allocates no managed memory for tensors; every native object is disposed with the scorer
/// (undisposed OrtValues are a known source of unbounded native memory growth in ORT's C# API).
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly OrtIoBinding _binding;

    /// <summary>Loads <paramref name="model"/> (ONNX bytes) for batches of <paramref name="streams"/> rows of <paramref name="features"/> values.</summary>
    /// <param name="model">The ONNX ModelProto.</param>
    /// <param name="streams">S: rows per batch.</param>
    /// <param name="features">F: features per row.</param>
    /// <param name="policy">Which execution provider to use.</param>
    /// <param name="intraOpThreads">Threads ONNX Runtime may use inside one operator (SessionOptions.IntraOpNumThreads);
    /// <see cref="DefaultIntraOpThreads"/> unless given. Must be at least 1.</param>
    /// <exception cref="InferenceException">The model does not load, its input/output shape is not <c>[S,F]</c>/<c>[S,1]</c>,
    /// or <paramref name="policy"/> is <see cref="GpuPolicy.Required"/> and CUDA is not available.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="intraOpThreads"/> is below 1.</exception>
    public OnnxScorer(byte[] model, int streams, int features, GpuPolicy policy, int intraOpThreads = DefaultIntraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        Streams = streams;
        Features = features;
        IntraOpThreads = intraOpThreads;
        _ = OrtEnvironment.Instance;
        using var options = NewSessionOptions(intraOpThreads);
        ExecutionProvider = "CPU";
        if (policy != GpuPolicy.Off)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(0);
                ExecutionProvider = "CUDA";
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException)
            {
                // The CPU flavour (the default build) has no CUDA provider library: ORT says so here, and the session runs on CPU.
                FallbackReason = FirstLine(e.Message);
                if (policy == GpuPolicy.Required)
                {
                    throw new InferenceException($"[inference] gpu = \"required\": the CUDA execution provider is not available: {FallbackReason}", e);
                }
            }
        }

        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"model does not load: {FirstLine(e.Message)}", e);
        }

        Metadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
        _inputNames = [.. _session.InputMetadata.Keys];
        _outputNames = [.. _session.OutputMetadata.Keys];
        var inShape = _session.InputMetadata[_inputNames[0]].Dimensions;
        var outShape = _session.OutputMetadata[_outputNames[0]].Dimensions;
        if (_inputNames.Length != 1 || _outputNames.Length != 1 || inShape.Length != 2 || inShape[1] != features || (inShape[0] > 0 && inShape[0] != streams)
            || outShape.Length != 2 || outShape[1] != 1)
        {
            _session.Dispose();
            throw new InferenceException($"model has input [{string.Join(",", inShape)}] and output [{string.Join(",", outShape)}] (expected one input [{streams},{features}] and one output [{streams},1])");
        }

        _input = GC.AllocateArray<float>(streams * features, pinned: true);
        _output = GC.AllocateArray<float>(streams, pinned: true);
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [streams, features]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [streams, 1]);
        _inputs = [_inputValue];
        _outputs = [_outputValue];
        // Bound once: RunWithBinding then passes no names or value arrays per call, so a steady-state Run allocates
        // nothing managed (Run(RunOptions, names, values, ...) marshals the names on every call: 224 B per Run measured).
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_inputNames[0], _inputValue);
        _binding.BindOutput(_outputNames[0], _outputValue);
    }

    /// <summary>
    /// The intra-op thread count of every session unless a caller states another: 1. The device scores one small batch
    /// (S streams × F features, a few hundred multiply-adds) per window, about once a second, so ORT's default (one thread
    /// per core, each spinning between runs) would buy nothing but threads and idle CPU; inter-op parallelism stays off
    /// (sequential execution, ORT's default).
    /// </summary>
    public const int DefaultIntraOpThreads = 1;

    /// <summary>ONNX metadata key (ModelProto.metadata_props) naming the model's input columns, comma-separated, in order
    /// (names of <see cref="WindowFeatureColumns"/>, for example <c>mean,std,min,max</c>).</summary>
    public const string FeaturesKey = "appliance.features";

    /// <summary>ONNX metadata key holding the score at or above which a window is anomalous (invariant-culture number).</summary>
    public const string ThresholdKey = "appliance.threshold";

    /// <summary>The model's ONNX metadata (ModelProto.metadata_props), for example <see cref="FeaturesKey"/> and <see cref="ThresholdKey"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>S: rows per batch.</summary>
    public int Streams { get; }

    /// <summary>F: features per row.</summary>
    public int Features { get; }

    /// <summary>The execution provider the session runs on: <c>CUDA</c> or <c>CPU</c>.</summary>
    public string ExecutionProvider { get; }

    /// <summary>The session's intra-op thread count (SessionOptions.IntraOpNumThreads).</summary>
    public int IntraOpThreads { get; }

    /// <summary>Why CUDA was not used under <see cref="GpuPolicy.Auto"/>, or null.</summary>
    public string? FallbackReason { get; }

    /// <summary>Number of completed <see cref="Run"/> calls.</summary>
    public long Runs { get; private set; }

    /// <summary>Runs whose output held NaN or ±∞ (each also raised an <see cref="InferenceException"/>).</summary>
    public long NonFiniteRuns { get; private set; }

    /// <summary>Scores one batch.</summary>
    /// <param name="features">S*F values, row-major.</param>
    /// <param name="scores">Receives S scores.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InferenceException">The run failed, or produced NaN or ±∞ from finite features.</exception>
    public void Run(ReadOnlySpan<float> features, Span<float> scores)
    {
        if (features.Length != _input.Length || scores.Length < Streams)
        {
            throw new ArgumentException($"expected {_input.Length} features and room for {Streams} scores");
        }

        features.CopyTo(_input);
        try
        {
            _session.RunWithBinding(_runOptions, _binding);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"model run failed: {FirstLine(e.Message)}", e);
        }

        var output = _output.AsSpan(0, Streams);
        Runs++;
        // A model that turns finite features into NaN or ±∞ is broken (for example a zero variance baked in); its scores
        // must not reach a threshold comparison, where NaN would silently read as "not anomalous".
        foreach (var v in output)
        {
            if (!float.IsFinite(v) && AllFinite(features))
            {
                NonFiniteRuns++;
                throw new InferenceException($"model produced {v} for finite input (run {Runs})");
            }
        }

        output.CopyTo(scores);
    }

    /// <summary>Reads a model's ONNX metadata (ModelProto.metadata_props) without preparing it for a batch shape.</summary>
    /// <param name="model">The ONNX ModelProto.</param>
    /// <exception cref="InferenceException">The model does not load.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(byte[] model)
    {
        _ = OrtEnvironment.Instance;
        try
        {
            using var options = NewSessionOptions(DefaultIntraOpThreads);
            using var session = new InferenceSession(model, options);
            return new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"model does not load: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>The execution providers this ONNX Runtime build offers (for <c>appliance doctor</c>).</summary>
    public static string[] AvailableProviders() => OrtEnvironment.Instance.GetAvailableProviders();

    /// <inheritdoc/>
    public void Dispose()
    {
        _binding.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>Session options with ORT's log at errors, <paramref name="intraOpThreads"/> threads per operator and one
    /// inter-op thread (sequential execution).</summary>
    private static SessionOptions NewSessionOptions(int intraOpThreads) => new()
    {
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        IntraOpNumThreads = intraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n', StringComparison.Ordinal);
        return (i < 0 ? s : s[..i]).Trim();
    }
}
