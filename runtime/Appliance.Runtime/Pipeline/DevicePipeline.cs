using System.Diagnostics;
using System.Globalization;
using System.Text;
using Appliance.Drivers.Sources;
using Appliance.Kernels.Statistics;
using Appliance.Runtime.Config;
using Appliance.Runtime.Detection;
using Appliance.Runtime.Inference;
using Appliance.Runtime.Uplink;
using Appliance.Runtime.Uplink.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Runtime.Pipeline;

/// <summary>
/// The device side from sample to outbox: one sampling loop per source writes into its <see cref="SampleRing"/>;
/// one worker drains the rings into <see cref="TumblingWindow"/>s, runs the fused kernel when a window closes, feeds each
/// channel's <see cref="IDetector"/>, scores the sensor's windows in one ONNX <c>Run</c>, and enqueues summaries and
/// alerts on the <see cref="UplinkClient"/> (which owns the outbox and the socket).
/// </summary>
public sealed class DevicePipeline : IDisposable
{
    private const int Features = 2; // [mean, std] per channel stream

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
    private long _skippedBeforeStart;
    private int _replaysRunning;

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
        for (var i = 0; i < sensors.Count; i++)
        {
            _streams[i] = new SensorStream(sensors[i], config);
        }
    }

    /// <summary>Completes when every replayed source has ended and its last window has been summarised; never for live sources.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The execution provider of the ONNX scorer once it has been trained (<c>CPU</c>, <c>CUDA</c>), or <c>none</c>.</summary>
    public string ExecutionProvider { get; private set; } = "none";

    /// <summary>A snapshot of the counters.</summary>
    public PipelineCounters Counters => new(
        Interlocked.Read(ref _samplesRead),
        Interlocked.Read(ref _sampleFaults),
        _streams.Sum(s => s.Ring.Overruns),
        Interlocked.Read(ref _windows),
        Interlocked.Read(ref _alerts),
        Interlocked.Read(ref _inferenceRuns),
        _streams.Sum(s => s.Window.LateSamples) + Interlocked.Read(ref _skippedBeforeStart));

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
        foreach (var s in _streams)
        {
            s.Scorer?.Dispose();
        }

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
        var values = new float[_streams.Max(s => s.Channels)];
        var allReplay = _streams.All(s => s.Binding.IsReplay);
        while (true)
        {
            var idle = true;
            foreach (var s in _streams)
            {
                while (s.Ring.TryRead(out var ts, values))
                {
                    idle = false;
                    if (ts < _options.NotBeforeNs)
                    {
                        Interlocked.Increment(ref _skippedBeforeStart);
                        continue;
                    }

                    if (s.Window.Add(ts, values, s.Closed, out var start, out var end))
                    {
                        OnWindowClosed(s, start, end);
                    }
                }
            }

            var stopping = _stop.IsCancellationRequested;
            var replaysDone = allReplay && Volatile.Read(ref _replaysRunning) == 0;
            if ((stopping || replaysDone) && _streams.All(s => s.Ring.Count == 0) && (stopping || _streams.All(s => s.Ended)))
            {
                foreach (var s in _streams)
                {
                    if (s.Window.Flush(s.Closed, out var start, out var end))
                    {
                        OnWindowClosed(s, start, end);
                    }
                }

                _completion.TrySetResult();
                return;
            }

            if (idle)
            {
                _streams[0].Ring.WaitForData(TimeSpan.FromMilliseconds(20));
            }
        }
    }

    private void OnWindowClosed(SensorStream s, long startNs, long endNs)
    {
        var source = s.Binding.Source;
        var line = _options.LiveLine is null ? null : new StringBuilder();
        line?.Append(CultureInfo.InvariantCulture, $"window {DateTimeOffset.FromUnixTimeMilliseconds(startNs / 1_000_000):yyyy-MM-ddTHH:mm:ss.fffZ} {source.Name}:");

        var score = Score(s);
        for (var c = 0; c < s.Channels; c++)
        {
            ref readonly var f = ref s.Closed[c];
            var channel = source.Channels[c];
            _uplink.Enqueue(new Summary { Sensor = source.Name, Channel = channel, WindowStartNs = startNs, WindowEndNs = endNs, Features = f });
            Interlocked.Increment(ref _windows);
            var d = s.Detectors[c].Observe(f);
            line?.Append(CultureInfo.InvariantCulture, $" {channel} n={f.Count} mean={f.Mean:G6} z={d.Score:F2}");
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
                line?.Append(CultureInfo.InvariantCulture, $" ALERT({(d.Critical ? "critical" : "warning")})");
                Log.AlertRaised(_logger, source.Name, channel, d.Score, d.Threshold);
            }
        }

        if (score is { } sc)
        {
            line?.Append(CultureInfo.InvariantCulture, $" | onnx score={sc:G4}");
        }

        if (line is not null)
        {
            _options.LiveLine!(line.ToString());
        }
    }

    /// <summary>
    /// Scores the sensor's closed windows in one ONNX run. The first windows train the normalisation (a diagonal Gaussian
    /// per channel); then the model is exported to ONNX, loaded once, and every later window is scored by ONNX Runtime.
    /// Returns the largest channel score, or null while training or when inference is off.
    /// </summary>
    private double? Score(SensorStream s)
    {
        if (!_config.Inference.Enabled)
        {
            return null;
        }

        for (var c = 0; c < s.Channels; c++)
        {
            s.Row[(c * Features) + 0] = (float)s.Closed[c].Mean;
            s.Row[(c * Features) + 1] = s.Closed[c].Count > 1 ? (float)Math.Sqrt(s.Closed[c].M2 / (s.Closed[c].Count - 1)) : 0f;
        }

        if (s.Scorer is null)
        {
            s.Training.Add((float[])s.Row.Clone());
            if (s.Training.Count < _options.ScorerTrainingWindows)
            {
                return null;
            }

            var model = StandardScoreModel.Fit(s.Training, s.Channels, Features);
            var policy = _config.Inference.Gpu switch { "off" => GpuPolicy.Off, "required" => GpuPolicy.Required, _ => GpuPolicy.Auto };
            s.Scorer = new OnnxScorer(model.ToOnnx(), s.Channels, Features, policy);
            ExecutionProvider = s.Scorer.ExecutionProvider;
            Log.ScorerReady(_logger, s.Binding.Source.Name, s.Scorer.ExecutionProvider, s.Scorer.FallbackReason ?? "-");
            s.Training.Clear();
        }

        s.Scorer.Run(s.Row, s.Scores);
        Interlocked.Increment(ref _inferenceRuns);
        var max = 0f;
        foreach (var v in s.Scores)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private sealed class SensorStream
    {
        public SensorStream(SensorBinding binding, ApplianceConfig config)
        {
            Binding = binding;
            Channels = binding.Source.Channels.Count;
            var perWindow = binding.IsReplay ? 1 << 16 : (int)Math.Ceiling(binding.RateHz * config.Window.Length.TotalSeconds * 2) + 16;
            Ring = new SampleRing(Math.Max(perWindow, 1024), Channels);
            Window = new TumblingWindow(Channels, config.Window.Length, perWindow);
            Closed = new WindowFeatures[Channels];
            Detectors = new IDetector[Channels];
            for (var c = 0; c < Channels; c++)
            {
                var d = config.Detector;
                Detectors[c] = new EwmaZScoreDetector(d.Alpha, d.Threshold, d.Warmup, d.Cooldown);
            }

            Row = new float[Channels * Features];
            Scores = new float[Channels];
        }

        public SensorBinding Binding { get; }

        public int Channels { get; }

        public SampleRing Ring { get; }

        public TumblingWindow Window { get; }

        public WindowFeatures[] Closed { get; }

        public IDetector[] Detectors { get; }

        public float[] Row { get; }

        public float[] Scores { get; }

        public List<float[]> Training { get; } = [];

        public OnnxScorer? Scorer { get; set; }

        public volatile bool Ended;
    }
}
