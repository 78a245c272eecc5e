using Appliance.Kernels.Windows;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Appliance.Drivers.Sources;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Config;
using Appliance.Detection;
using Appliance.Contracts.Inference;
using Appliance.Device.Uplink;
using Appliance.Contracts.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The device side from sample to outbox: one sampling loop per source writes into its <see cref="SampleRing"/>;
/// one worker drains the rings into <see cref="TumblingWindow"/>s (the fused kernel runs over the ring's own storage and
/// merges into each open window: no sample is copied), scores the
/// windows of all sensors that close together in one ONNX <c>Run</c> (one row per channel, through a
/// <see cref="HotSwapScorer"/> whose model can be replaced between batches), feeds each channel's <see cref="IDetector"/>,
/// and enqueues summaries and alerts on the <see cref="UplinkClient"/> (which owns the outbox and the socket).
/// </summary>
/// <remarks>
/// Batching: a closed window waits until every sensor has closed one (windows are aligned to multiples of their length,
/// so sensors with the same window length close together), until a sensor closes a second window, or at most
/// <see cref="BatchGrace"/>; then the pending windows are scored in one <c>Run</c> of the fixed <c>[S, F]</c> batch
/// (S = all channels of all sensors; rows of sensors without a pending window are scored and ignored) and handed on in
/// sensor order. Without inference, each window is handed on as it closes.
/// </remarks>
public sealed class DevicePipeline : IDisposable
{
    private const int FittedFeatures = 2; // the on-device model's [mean, std] per channel stream

    private readonly ApplianceConfig _config;
    private readonly UplinkClient _uplink;
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;
    private readonly Appliance.Drivers.Chips.Gpio.AlarmPanel? _alarms;
    private readonly SensorStream[] _streams;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _samplesRead;
    private long _sampleFaults;
    private long _windows;
    private long _alerts;
    private long _inferenceRuns;
    private int _replaysRunning;
    private readonly HotSwapScorer? _scorer;
    private readonly int _batchStreams;
    private readonly TimeSpan _batchGrace;
    private float[] _batchInput = [];
    private readonly float[] _batchScores;
    private int _pendingCount;
    private long _pendingSince;
    private long _scoredWindows;
    private long _inferenceFaults;
    private volatile string? _lastRejection;

    /// <summary>Creates the pipeline; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="config">The configuration snapshot (windows, detector, inference).</param>
    /// <param name="sensors">The sources, one per configured sensor.</param>
    /// <param name="uplink">The started uplink client.</param>
    /// <param name="options">Pacing and reporting.</param>
    /// <param name="logger">The log.</param>
    /// <param name="alarms">The alarm outputs (<c>[[alarm]]</c>) that alerts raise locally, as the window that fired closes; none when null.</param>
    public DevicePipeline(ApplianceConfig config, IReadOnlyList<SensorBinding> sensors, UplinkClient uplink, PipelineOptions options, ILogger logger, Appliance.Drivers.Chips.Gpio.AlarmPanel? alarms = null)
    {
        _alarms = alarms;
        _config = config;
        _uplink = uplink;
        _options = options;
        _logger = logger;
        _streams = new SensorStream[sensors.Count];
        var offset = 0;
        for (var i = 0; i < sensors.Count; i++)
        {
            _streams[i] = new SensorStream(sensors[i], config, config.Sensors.FirstOrDefault(x => x.Name == sensors[i].Source.Name)?.Detector, offset, options.NotBeforeNs);
            offset += _streams[i].Channels;
        }

        _batchStreams = offset;
        _batchScores = new float[offset];
        var slowest = sensors.Where(b => !b.IsReplay).Select(b => 1.5 / b.RateHz).DefaultIfEmpty(0).Max();
        _batchGrace = TimeSpan.FromSeconds(Math.Clamp(slowest, 0.02, 0.5));
        if (config.Inference.Enabled && offset > 0)
        {
            var policy = Policy(config);
            if (policy == GpuPolicy.Required)
            {
                // gpu = "required": refuse to start now, with the reason, rather than when the first model loads.
                using var probe = new OnnxScorer(StandardScoreModel.Fit([[0f, 1f]], 1, FittedFeatures).ToOnnx(), 1, FittedFeatures, policy);
            }

            _scorer = new HotSwapScorer(offset, policy, r => _lastRejection = $"{r.Source}: {r.Reason}");
        }
    }

    /// <summary>How long a closed window waits for the other sensors' windows before its batch is scored without them:
    /// 1.5 sample periods of the slowest live sensor, between 20 ms and 500 ms.</summary>
    public TimeSpan BatchGrace => _batchGrace;

    /// <summary>
    /// The error that stopped a sample source early (a replayed CSV's bad row, a source that could not be read), as
    /// "sensor: message"; null while every source runs or ended cleanly. The samples before it were windowed and sent.
    /// </summary>
    public string? SourceFailure { get; private set; }

    /// <summary>The model that scores windows now (<c>models/NAME@sha256:HEX12</c>, a bundle directory, or <c>on-device:standard-score</c>), or <c>none</c>. For the heartbeat.</summary>
    public string ActiveModel => _scorer?.ActiveSource is { Length: > 0 } id ? id : "none";

    /// <summary>The last refused model and why (<c>SOURCE: REASON</c>), or null when none was refused. For the heartbeat.</summary>
    public string? LastModelRejection => _lastRejection;

    /// <summary>Models swapped in since start.</summary>
    public int ModelSwaps => _scorer?.Swaps ?? 0;

    /// <summary>Channel windows that received a model score.</summary>
    public long ScoredWindows => Interlocked.Read(ref _scoredWindows);

    /// <summary>Batches whose run failed (the model raised an error or produced NaN from finite features); their windows went unscored.</summary>
    public long InferenceFaults => Interlocked.Read(ref _inferenceFaults);

    /// <summary>Called on the pipeline thread for every channel window a model scored: (sensor, channel, window start in Unix ns,
    /// score, model id). Set before <see cref="Start"/>; may be null.</summary>
    public Action<string, string, long, double, string>? WindowScored { get; set; }

    /// <summary>
    /// Loads <paramref name="onnx"/> beside the active model and checks it (<see cref="HotSwapScorer.Stage(string, byte[], ModelSelfTest?)"/>):
    /// it must take this pipeline's batch (S rows of the window features named in its metadata) and score finite. It takes
    /// over at the next batch, so every window is scored by exactly one model. Any thread.
    /// </summary>
    /// <param name="id">The model's name in status and errors (for example <c>models/pump</c>).</param>
    /// <param name="onnx">The ONNX ModelProto.</param>
    /// <param name="selfTest">The model's bundled self-test, or null.</param>
    /// <returns>True when staged; false when refused (the previous model stays; see <see cref="LastModelRejection"/>).</returns>
    public bool StageModel(string id, byte[] onnx, ModelSelfTest? selfTest = null)
    {
        if (_scorer is null)
        {
            _lastRejection = $"{id}: [inference] is disabled";
            return false;
        }

        var staged = _scorer.Stage(id, onnx, selfTest);
        if (!staged)
        {
            Log.ModelRejected(_logger, id, _scorer.LastRejection!.Reason);
        }

        return staged;
    }

    /// <summary>Stages the model <c>[inference] model</c> names from a revision's verified model folders (before or after <see cref="Start"/>).</summary>
    /// <param name="models">The revision's models (<see cref="Appliance.Device.GitOps.ConfigBundle.Models"/>).</param>
    /// <returns>True when staged; false when none is configured, it is missing, or it was refused.</returns>
    public bool UseModels(IReadOnlyList<ModelPackage> models)
    {
        if (_config.Inference.Model is not { } name)
        {
            return false;
        }

        var package = models.FirstOrDefault(m => m.Name == name);
        if (package is null)
        {
            _lastRejection = $"models/{name}: [inference] model names a folder that is not in the revision";
            return false;
        }

        return StageModel(package);
    }

    /// <summary>
    /// Stages a verified model folder of a revision (<see cref="StageModel(string, byte[], ModelSelfTest?)"/> with its
    /// <see cref="ModelPackage.Id"/>, bytes and bundled self-test, run again on this pipeline's session):
    /// how a revision that changes only the model swaps it into the running pipeline. Any thread.
    /// </summary>
    /// <param name="package">The model (<c>models/NAME/</c> of the revision).</param>
    /// <returns>True when staged; false when refused (the previous model stays; see <see cref="LastModelRejection"/>).</returns>
    public bool StageModel(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return StageModel(package.Id, package.Onnx, package.SelfTestCase);
    }

    /// <summary>Completes when every replayed source has ended and its last window has been summarised; never for live sources.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The execution provider of the active model's session (<c>CPU</c>, <c>CUDA</c>), or <c>none</c> before a model is active.</summary>
    public string ExecutionProvider => _scorer?.ExecutionProvider ?? "none";

    /// <summary>A snapshot of the counters.</summary>
    public PipelineCounters Counters => new(
        Interlocked.Read(ref _samplesRead),
        Interlocked.Read(ref _sampleFaults),
        _streams.Sum(s => s.Ring.Overruns),
        Interlocked.Read(ref _windows),
        Interlocked.Read(ref _alerts),
        Interlocked.Read(ref _inferenceRuns),
        _streams.Sum(s => s.Window.LateSamples + s.Window.EarlySamples));

    /// <summary>Starts the sampling loops and the worker.</summary>
    public void Start()
    {
        foreach (var s in _streams)
        {
            if (s.Binding.IsReplay)
            {
                Interlocked.Increment(ref _replaysRunning);
            }

            var t = new Thread(() => SampleLoop(s)) { IsBackground = true, Name = "sample:" + s.Binding.Source.Name };
            _threads.Add(t);
        }

        _threads.Add(new Thread(WorkLoop) { IsBackground = true, Name = "pipeline" });
        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    /// <summary>Stops sampling, lets the worker summarise what the rings hold (closing the open windows), and waits for the threads.</summary>
    public void Stop()
    {
        _stop.Cancel();
        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(5));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop();
        _scorer?.Dispose();
        _stop.Dispose();
    }

    private void SampleLoop(SensorStream s)
    {
        var source = s.Binding.Source;
        var values = new float[source.Channels.Count];
        var token = _stop.Token;
        var clock = Stopwatch.StartNew();
        long periodTicks = (long)(Stopwatch.Frequency / s.Binding.RateHz);
        long next = 0;
        long firstSampleNs = long.MinValue;
        try
        {
            if (!s.Binding.IsReplay && source is Appliance.Drivers.Sampling.SensorSupervisor supervised)
            {
                // Live bus sensors: the drivers' scheduler (absolute deadlines, FIFO batches, retries, degraded marking, rate and
                // jitter in supervised.Stats).
                var loop = new Appliance.Drivers.Sampling.SamplingLoop(supervised, s.Binding.RateHz);
                Appliance.Drivers.Sampling.SampleHandler handler = (ts, v) =>
                {
                    Interlocked.Increment(ref _samplesRead);
                    s.Ring.TryWrite(ts, v);
                };
                long failed = 0;
                while (loop.RunOnce(handler, token))
                {
                    long now = supervised.Stats.FailedSamples;
                    Interlocked.Add(ref _sampleFaults, now - failed);
                    failed = now;
                }

                return;
            }

            while (!token.IsCancellationRequested)
            {
                if (!s.Binding.IsReplay)
                {
                    next += periodTicks;
                    var wait = next - clock.ElapsedTicks;
                    if (wait > 0)
                    {
                        token.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                        if (token.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }

                var status = source.Read(values, out var ts);
                if (status == SampleStatus.EndOfStream)
                {
                    break;
                }

                if (status == SampleStatus.Fault)
                {
                    Interlocked.Increment(ref _sampleFaults);
                    continue;
                }

                Interlocked.Increment(ref _samplesRead);
                if (s.Binding.IsReplay)
                {
                    if (_options.ReplaySpeed > 0)
                    {
                        if (firstSampleNs == long.MinValue)
                        {
                            firstSampleNs = ts;
                        }

                        var dueTicks = (long)((ts - firstSampleNs) / 1e9 / _options.ReplaySpeed * Stopwatch.Frequency);
                        var wait = dueTicks - clock.ElapsedTicks;
                        if (wait > 0)
                        {
                            token.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                        }
                    }

                    s.Ring.WaitForSpace(token);
                }

                s.Ring.TryWrite(ts, values);
            }
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            Interlocked.Increment(ref _sampleFaults);
            SourceFailure = $"{source.Name}: {e.Message}";
            Log.SourceFailed(_logger, source.Name, e.Message);
        }
        finally
        {
            s.Ended = true;
            if (s.Binding.IsReplay)
            {
                Interlocked.Decrement(ref _replaysRunning);
            }
        }
    }

    private void WorkLoop()
    {
        var allReplay = _streams.All(s => s.Binding.IsReplay);
        long stopSeen = 0;
        while (true)
        {
            var idle = true;
            foreach (var s in _streams)
            {
                // A sensor whose window waits for the batch is not read further: its next window must not close (and its
                // samples stay in its ring) until the batch that holds this one is scored. The window takes the samples
                // where the ring holds them (no copy) and may hold some there, unread, until its window closes.
                while (!s.Pending && s.Window.Unread > 0)
                {
                    idle = false;
                    if (s.Window.Drain(s.Closed, out var start, out var end))
                    {
                        OnWindowClosed(s, start, end);
                    }
                }
            }

            var stopping = _stop.IsCancellationRequested;
            if (stopping && stopSeen == 0)
            {
                stopSeen = Stopwatch.GetTimestamp();
            }

            var replaysDone = allReplay && Volatile.Read(ref _replaysRunning) == 0;
            // On stop, a sampling thread may still be writing the sample it has just read (and counted): wait for the
            // sampling threads to end, so that every sample counted in SamplesRead reaches a window, but not longer than
            // a second, in case one is stuck in a bus call.
            var sourcesDone = _streams.All(s => s.Ended) || (stopping && Stopwatch.GetElapsedTime(stopSeen) > TimeSpan.FromSeconds(1));
            if ((stopping || replaysDone) && _streams.All(s => s.Window.Unread == 0) && sourcesDone)
            {
                foreach (var s in _streams)
                {
                    if (s.Window.Flush(s.Closed, out var start, out var end))
                    {
                        OnWindowClosed(s, start, end);
                    }
                }

                FlushBatch();
                _completion.TrySetResult();
                return;
            }

            if (_pendingCount > 0 && BatchReady())
            {
                FlushBatch();
            }

            if (idle)
            {
                var target = WaitTarget();
                target.Ring.WaitForData(TimeSpan.FromMilliseconds(_pendingCount > 0 ? 2 : 20), target.Window.Held);
            }
        }
    }

    /// <summary>
    /// Whether the pending batch can be scored without the sensors that have no window in it: each of those has ended
    /// (its ring empty), or is live and <see cref="BatchGrace"/> has passed. A replay is waited for however long it takes
    /// (it is not real time), so replays with the same timestamps always share a batch.
    /// </summary>
    private bool BatchReady()
    {
        var graceOver = Stopwatch.GetElapsedTime(_pendingSince) >= _batchGrace;
        foreach (var s in _streams)
        {
            if (!s.Pending && !(s.Ended && s.Window.Unread == 0) && (s.Binding.IsReplay || !graceOver))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The ring to wait on when idle: the first sensor that is still expected to close a window.</summary>
    private SensorStream WaitTarget()
    {
        foreach (var s in _streams)
        {
            if (!s.Pending && !s.Ended)
            {
                return s;
            }
        }

        return _streams[0];
    }

    /// <summary>A sensor's window closed: it joins the pending batch (scored with the other sensors' windows in one run).</summary>
    private void OnWindowClosed(SensorStream s, long startNs, long endNs)
    {
        if (s.Pending)
        {
            FlushBatch(); // a sensor's second window: score the first one's batch before this one joins the next
        }

        s.Closed.AsSpan().CopyTo(s.PendingFeatures);
        s.PendingStart = startNs;
        s.PendingEnd = endNs;
        s.Pending = true;
        if (_pendingCount++ == 0)
        {
            _pendingSince = Stopwatch.GetTimestamp();
        }

        if (_scorer is null || _pendingCount == _streams.Length)
        {
            FlushBatch();
        }
    }

    /// <summary>Scores the pending windows in one run, then hands each on (summaries, detectors, alerts) in sensor order.</summary>
    private void FlushBatch()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        var scored = ScoreBatch();
        foreach (var s in _streams)
        {
            if (s.Pending)
            {
                s.Pending = false;
                Emit(s, scored);
            }
        }

        _pendingCount = 0;
    }

    /// <summary>
    /// One ONNX run over the pending windows. Without a configured model, the first <see cref="PipelineOptions.ScorerTrainingWindows"/>
    /// windows of every stream fit the on-device standard-score model first (a diagonal Gaussian per channel).
    /// </summary>
    /// <returns>The model that scored the batch, or null when none did (scores are then NaN).</returns>
    private ScoringModel? ScoreBatch()
    {
        _batchScores.AsSpan().Fill(float.NaN);
        if (_scorer is null)
        {
            return null;
        }

        if (!_scorer.HasModel && _config.Inference.Model is null && !_fitStaged)
        {
            FitOnDevice();
        }

        if (_scorer.TrySwap())
        {
            var m = _scorer.Active!;
            _batchInput = new float[_batchStreams * m.Scorer.Features]; // once per model, not per batch
            Log.ScorerReady(_logger, m.Id, m.Scorer.ExecutionProvider, m.Scorer.FallbackReason ?? "-");
        }

        var model = _scorer.Active;
        if (model is null)
        {
            return null;
        }

        var f = model.Scorer.Features;
        foreach (var s in _streams)
        {
            if (!s.Pending)
            {
                continue;
            }

            for (var c = 0; c < s.Channels; c++)
            {
                var row = _batchInput.AsSpan((s.Offset + c) * f, f);
                for (var j = 0; j < f; j++)
                {
                    row[j] = WindowFeatureColumns.Value(s.PendingFeatures[c], model.Columns[j]);
                }
            }
        }

        try
        {
            _scorer.Run(_batchInput, _batchScores);
            Interlocked.Increment(ref _inferenceRuns);
            return model;
        }
        catch (InferenceException e)
        {
            _batchScores.AsSpan().Fill(float.NaN);
            Interlocked.Increment(ref _inferenceFaults);
            Log.InferenceFailed(_logger, model.Id, e.Message);
            return null;
        }
    }

    private bool _fitStaged;

    private void FitOnDevice()
    {
        foreach (var s in _streams)
        {
            if (s.Pending)
            {
                var row = new float[s.Channels * FittedFeatures];
                for (var c = 0; c < s.Channels; c++)
                {
                    row[c * FittedFeatures] = WindowFeatureColumns.Value(s.PendingFeatures[c], 1);
                    row[(c * FittedFeatures) + 1] = WindowFeatureColumns.Value(s.PendingFeatures[c], 2);
                }

                s.Training.Add(row);
            }
        }

        var n = _options.ScorerTrainingWindows;
        if (_streams.Any(s => s.Training.Count < n))
        {
            return;
        }

        var rows = new List<float[]>(n);
        for (var r = 0; r < n; r++)
        {
            rows.Add([.. _streams.SelectMany(s => s.Training[r])]);
        }

        var fitted = StandardScoreModel.Fit(rows, _batchStreams, FittedFeatures);
        _fitStaged = StageModel("on-device:standard-score", fitted.ToOnnx());
        foreach (var s in _streams)
        {
            s.Training.Clear();
        }
    }

    private void Emit(SensorStream s, ScoringModel? model)
    {
        var source = s.Binding.Source;
        long startNs = s.PendingStart, endNs = s.PendingEnd;
        var line = _options.LiveLine is null ? null : new StringBuilder();
        line?.Append(CultureInfo.InvariantCulture, $"window {DateTimeOffset.FromUnixTimeMilliseconds(startNs / 1_000_000):yyyy-MM-ddTHH:mm:ss.fffZ} {source.Name}:");

        double? max = null;
        for (var c = 0; c < s.Channels; c++)
        {
            ref readonly var f = ref s.PendingFeatures[c];
            var channel = source.Channels[c];
            _uplink.Enqueue(new Summary { Sensor = source.Name, Channel = channel, WindowStartNs = startNs, WindowEndNs = endNs, Features = f });
            Interlocked.Increment(ref _windows);
            var score = _batchScores[s.Offset + c];
            if (model is not null && float.IsFinite(score))
            {
                Interlocked.Increment(ref _scoredWindows);
                max = Math.Max(max ?? double.MinValue, score);
                WindowScored?.Invoke(source.Name, channel, startNs, score, model.Id);
            }

            if (s.Detectors[c] is OnnxDetector onnx)
            {
                onnx.SetScore(model is null ? double.NaN : score, model?.Threshold);
            }

            var d = s.Detectors[c].Observe(f);
            line?.Append(CultureInfo.InvariantCulture, $" {channel} n={f.Count} mean={f.Mean:G6} {(s.Detectors[c] is EwmaZScoreDetector ? "z" : "score")}={d.Score:G4}");
            if (d.Fired)
            {
                _uplink.Enqueue(new Alert
                {
                    Sensor = source.Name,
                    Channel = channel,
                    TimeNs = endNs,
                    Score = d.Score,
                    Threshold = d.Threshold,
                    Severity = d.Critical ? AlertSeverity.Critical : AlertSeverity.Warning,
                    Detector = s.Detectors[c].Name,
                    Features = f,
                });
                Interlocked.Increment(ref _alerts);
                _alarms?.OnAlert(source.Name);
                line?.Append(CultureInfo.InvariantCulture, $" ALERT({(d.Critical ? "critical" : "warning")}, {s.Detectors[c].Name})");
                Log.AlertRaised(_logger, source.Name, channel, d.Score, d.Threshold);
            }
        }

        if (max is { } sc)
        {
            line?.Append(CultureInfo.InvariantCulture, $" | onnx score={sc:G4}");
        }

        if (line is not null)
        {
            _options.LiveLine!(line.ToString());
        }
    }

    private static GpuPolicy Policy(ApplianceConfig config) => config.Inference.Gpu;

    private sealed class SensorStream
    {
        /// <summary>Seconds of samples a live sensor's ring holds: the worker's longest expected pause (a batch waits at most
        /// 0.5 s for the other sensors, then one ONNX run) several times over. Independent of the window length: the window
        /// reads the ring in place and folds it in runs, so it needs no room for a whole window.</summary>
        private const double LiveRingSeconds = 4.0;

        public SensorStream(SensorBinding binding, ApplianceConfig config, SensorDetectorSettings? detector, int offset, long notBeforeNs)
        {
            Offset = offset;
            Binding = binding;
            Channels = binding.Source.Channels.Count;
            var capacity = binding.IsReplay ? 1 << 16 : (int)Math.Ceiling(binding.RateHz * LiveRingSeconds);
            Ring = new SampleRing(Math.Max(capacity, 1024), Channels);
            Window = new TumblingWindow(Ring, config.Window.Length, notBeforeNs);
            Closed = new WindowFeatures[Channels];
            PendingFeatures = new WindowFeatures[Channels];
            Detectors = new IDetector[Channels];
            for (var c = 0; c < Channels; c++)
            {
                Detectors[c] = WindowDetectors.Create(detector, config.Detector);
            }
        }

        /// <summary>The batch row of this sensor's first channel.</summary>
        public int Offset { get; }

        public WindowFeatures[] PendingFeatures { get; }

        public bool Pending { get; set; }

        public long PendingStart { get; set; }

        public long PendingEnd { get; set; }

        public SensorBinding Binding { get; }

        public int Channels { get; }

        public SampleRing Ring { get; }

        public TumblingWindow Window { get; }

        public WindowFeatures[] Closed { get; }

        public IDetector[] Detectors { get; }

        public List<float[]> Training { get; } = [];

        public volatile bool Ended;
    }
}
