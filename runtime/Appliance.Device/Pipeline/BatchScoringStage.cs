using System.Diagnostics;
using Appliance.Contracts.Inference;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// Batch scoring: the windows of all sensors that close together are scored in one ONNX <c>Run</c> (one row per channel,
/// through a <see cref="HotSwapScorer"/> whose model can be replaced between batches), then handed to the
/// <see cref="EmissionStage"/> in sensor order; the <c>[[multivariate]]</c> rows are scored on the same batch. Without
/// inference or multivariate models, each window is handed on as it closes.
/// </summary>
/// <remarks>
/// A closed window waits until every sensor has closed one (windows are aligned to multiples of their length, so sensors
/// with the same window length close together), until a sensor closes a second window, or at most <see cref="Grace"/>;
/// then the pending windows are scored in one run of the fixed <c>[S, F]</c> batch (S = all channels of all sensors; rows
/// of sensors without a pending window are scored and ignored). Runs on the worker thread only.
/// </remarks>
internal sealed class BatchScoringStage
{
    private readonly SensorStream[] _streams;
    private readonly HotSwapScorer? _scorer;
    private readonly OnDeviceFit? _fit;
    private readonly MultivariateStage? _multivariate;
    private readonly EmissionStage _emission;
    private readonly PipelineTally _tally;
    private readonly ILogger _logger;
    private readonly int _rows;
    private readonly float[] _scores;
    private readonly ShadowStage? _shadow;
    private readonly bool[] _pendingRows;
    private float[] _input = [];
    private long _pendingSince;

    /// <param name="streams">The sensors, in batch-row order.</param>
    /// <param name="scorer">The scorer, or null without inference.</param>
    /// <param name="fit">Fits the on-device model while none is configured or active; null when a model is configured.</param>
    /// <param name="multivariate">Scores the rows of the <c>[[multivariate]]</c> models before the batch is emitted; null when none is configured.</param>
    /// <param name="emission">Where scored windows go.</param>
    /// <param name="grace">How long a pending batch waits for live sensors' windows.</param>
    /// <param name="tally">The counts.</param>
    /// <param name="logger">The log.</param>
    /// <param name="shadow">The candidates scored in shadow after the incumbent (rollouts); null without inference.</param>
    public BatchScoringStage(SensorStream[] streams, HotSwapScorer? scorer, OnDeviceFit? fit, MultivariateStage? multivariate, EmissionStage emission, TimeSpan grace, PipelineTally tally, ILogger logger, ShadowStage? shadow = null)
    {
        _shadow = shadow;
        _streams = streams;
        _scorer = scorer;
        _fit = fit;
        _multivariate = multivariate;
        _emission = emission;
        _tally = tally;
        _logger = logger;
        Grace = grace;
        _rows = streams.Sum(s => s.Channels);
        _scores = new float[_rows];
        _pendingRows = new bool[_rows];
    }

    /// <summary>How long a closed window waits for the other sensors' windows before its batch is scored without them.</summary>
    public TimeSpan Grace { get; }

    /// <summary>Sensors with a window in the pending batch.</summary>
    public int PendingCount { get; private set; }

    /// <summary>A sensor's window closed (its features in <see cref="SensorStream.Closed"/>): it joins the pending batch.</summary>
    public void Add(SensorStream s, long startNs, long endNs)
    {
        if (s.Pending)
        {
            Flush(); // a sensor's second window: score the first one's batch before this one joins the next
        }

        s.Closed.AsSpan().CopyTo(s.PendingFeatures);
        s.Spectral?.Promote();
        s.Quantiles?.Promote();
        s.PendingStart = startNs;
        s.PendingEnd = endNs;
        s.Pending = true;
        if (PendingCount++ == 0)
        {
            _pendingSince = Stopwatch.GetTimestamp();
        }

        if ((_scorer is null && _multivariate is null) || PendingCount == _streams.Length)
        {
            Flush();
        }
    }

    /// <summary>
    /// Whether the pending batch can be scored without the sensors that have no window in it: each of those has ended
    /// (its ring empty), or is live and <see cref="Grace"/> has passed. A replay is waited for however long it takes
    /// (it is not real time), so replays with the same timestamps always share a batch.
    /// </summary>
    public bool Ready()
    {
        var graceOver = Stopwatch.GetElapsedTime(_pendingSince) >= Grace;
        foreach (var s in _streams)
        {
            if (!s.Pending && !(s.Ended && s.Window.Unread == 0) && (s.Binding.IsReplay || !graceOver))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Scores the pending windows in one run, then hands each on in sensor order.</summary>
    public void Flush()
    {
        if (PendingCount == 0)
        {
            return;
        }

        var model = Score();
        _multivariate?.Observe();
        foreach (var s in _streams)
        {
            if (s.Pending)
            {
                s.Pending = false;
                _emission.Emit(s, model, _scores.AsSpan(s.Offset, s.Channels));
            }
        }

        PendingCount = 0;
    }

    /// <summary>One ONNX run over the pending windows (after the on-device fit has seen them, while it fits).</summary>
    /// <returns>The model that scored the batch, or null when none did (scores are then NaN).</returns>
    private ScoringModel? Score()
    {
        _scores.AsSpan().Fill(float.NaN);
        if (_scorer is null)
        {
            return null;
        }

        if (!_scorer.HasModel)
        {
            _fit?.Observe(_streams);
        }

        if (_scorer.TrySwap())
        {
            var m = _scorer.Active!;
            _input = new float[_rows * m.Scorer.Features]; // once per model, not per batch
            PipelineLog.ScorerReady(_logger, m.Id, m.Scorer.ExecutionProvider, m.Scorer.FallbackReason ?? "-");
        }

        var model = _scorer.Active;
        if (model is null)
        {
            return null;
        }

        FillRows(_streams, model, _input);
        try
        {
            var started = Stopwatch.GetTimestamp();
            _scorer.Run(_input, _scores);
            _tally.InferenceLatency?.Record(Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _tally.InferenceRuns);
            if (_shadow is not null)
            {
                foreach (var s in _streams)
                {
                    _pendingRows.AsSpan(s.Offset, s.Channels).Fill(s.Pending);
                }

                _shadow.Score(_streams, _pendingRows, model, _scores);
            }

            return model;
        }
        catch (InferenceException e)
        {
            _scores.AsSpan().Fill(float.NaN);
            Interlocked.Increment(ref _tally.InferenceFaults);
            PipelineLog.InferenceFailed(_logger, model.Id, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Writes the pending windows' rows of <paramref name="model"/>'s input batch (S·F, row-major; row = the sensor's
    /// <see cref="SensorStream.Offset"/> + channel): each row the model's feature columns of that channel's window. Rows of
    /// sensors without a pending window keep what they held.
    /// </summary>
    internal static void FillRows(SensorStream[] streams, ScoringModel model, float[] input)
    {
        var f = model.Scorer.Features;
        foreach (var s in streams)
        {
            if (!s.Pending)
            {
                continue;
            }

            for (var c = 0; c < s.Channels; c++)
            {
                var row = input.AsSpan((s.Offset + c) * f, f);
                for (var j = 0; j < f; j++)
                {
                    row[j] = WindowFeatureColumns.Value(s.PendingFeatures[c], model.Columns[j]);
                }
            }
        }
    }
}
