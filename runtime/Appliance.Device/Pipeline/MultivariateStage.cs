using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Detection;
using Appliance.Kernels.Statistics;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The multivariate stage (<c>[[multivariate]]</c>, <see cref="MultivariateSettings"/>): when every listed sensor has a
/// window with the same start in the batch, their channels' windows form one row (channel-major) that the model scores in
/// one ONNX <c>Run</c> (<see cref="MultivariateScorer"/>); <see cref="AlertHysteresis"/> turns the scores into incidents,
/// each raised once through the <see cref="AlarmStage"/> (sensor: the listed sensors joined by <c>+</c>, channel
/// <c>*</c>, detector <c>multivariate:MODEL</c>; critical at 10 × the threshold or more). A model is staged from any thread and taken in at the next batch.
/// Allocation-free per row once the model is in. Worker thread only, except <see cref="Stage"/>.
/// </summary>
internal sealed class MultivariateStage : IDisposable
{
    private readonly Group[] _groups;
    private readonly AlarmStage _alarms;
    private readonly PipelineTally _tally;
    private readonly ILogger _logger;

    public MultivariateStage(IReadOnlyList<MultivariateSettings> settings, SensorStream[] streams, AlarmStage alarms, PipelineTally tally, ILogger logger)
    {
        _alarms = alarms;
        _tally = tally;
        _logger = logger;
        _groups = [.. settings.Select(m => new Group(m, [.. m.Sensors.Select(n => streams.FirstOrDefault(s => s.Name == n)
            ?? throw new ArgumentException($"[[multivariate]] model '{m.Model}': sensor '{n}' has no source in this pipeline"))]))];
    }

    /// <summary>The configured models' names.</summary>
    public IEnumerable<string> Models => _groups.Select(g => g.Settings.Model);

    /// <summary>Rows scored in all.</summary>
    public long Rows => _groups.Sum(g => Interlocked.Read(ref g.Rows));

    /// <summary>Loads a model for the group that names it; it scores from the next batch on. Any thread.</summary>
    /// <param name="model">The model's folder name.</param>
    /// <param name="onnx">The ONNX ModelProto.</param>
    /// <param name="policy">Which execution provider to use.</param>
    /// <returns>Null when staged (or no group names it: false is not an error here), else why it was refused.</returns>
    public string? Stage(string model, byte[] onnx, GpuPolicy policy)
    {
        foreach (var g in _groups.Where(g => g.Settings.Model == model))
        {
            try
            {
                var scorer = new MultivariateScorer(onnx, g.Members.Sum(s => s.Channels), g.Settings.Features, g.Settings.Threshold, policy);
                Interlocked.Exchange(ref g.Staged, scorer)?.Dispose();
            }
            catch (InferenceException e)
            {
                return e.Message;
            }
        }

        return null;
    }

    /// <summary>Scores every group whose sensors all have a pending window with the same start (before the batch is emitted).</summary>
    public void Observe()
    {
        foreach (var g in _groups)
        {
            if (Interlocked.Exchange(ref g.Staged, null) is { } staged)
            {
                g.Active?.Dispose();
                g.Active = staged;
                g.Hysteresis = new AlertHysteresis(staged.Threshold, staged.Threshold, g.Settings.Cooldown);
            }

            if (g.Active is not { } scorer || !Aligned(g.Members))
            {
                continue;
            }

            var channel = 0;
            foreach (var s in g.Members)
            {
                for (var c = 0; c < s.Channels; c++)
                {
                    scorer.Set(channel++, s.PendingFeatures[c]);
                }
            }

            double score;
            try
            {
                score = scorer.Score();
            }
            catch (InferenceException e)
            {
                Interlocked.Increment(ref _tally.InferenceFaults);
                PipelineLog.InferenceFailed(_logger, g.Detector, e.Message);
                continue;
            }

            Interlocked.Increment(ref g.Rows);
            Interlocked.Increment(ref _tally.InferenceRuns);
            if (g.Hysteresis.Update(score))
            {
                var verdict = new WindowVerdict(score, scorer.Threshold, true, score >= 10 * scorer.Threshold);
                _alarms.Raise(g.Sensor, "*", g.Members[0].PendingEnd, verdict, g.Detector, default(WindowFeatures));
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var g in _groups)
        {
            g.Active?.Dispose();
            Interlocked.Exchange(ref g.Staged, null)?.Dispose();
        }
    }

    private static bool Aligned(SensorStream[] members)
    {
        foreach (var s in members)
        {
            if (!s.Pending || s.PendingStart != members[0].PendingStart)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Group(MultivariateSettings settings, SensorStream[] members)
    {
        public MultivariateSettings Settings { get; } = settings;

        public SensorStream[] Members { get; } = members;

        public string Sensor { get; } = string.Join('+', settings.Sensors);

        public string Detector { get; } = "multivariate:" + settings.Model;

        public MultivariateScorer? Active { get; set; }

        public AlertHysteresis Hysteresis;

        public MultivariateScorer? Staged;

        public long Rows;
    }
}
