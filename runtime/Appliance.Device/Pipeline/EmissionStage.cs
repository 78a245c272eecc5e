using Appliance.Contracts.Inference;
using Appliance.Contracts.Wire;
using Appliance.Detection;
using Appliance.Device.Uplink;

namespace Appliance.Device.Pipeline;

/// <summary>
/// Emission: a scored window becomes one <see cref="Summary"/> per channel on the uplink, and each channel's detector
/// (through <see cref="IDetector"/>: the model's score first, then the window) decides whether it raises an alert, which
/// the <see cref="AlarmStage"/> raises. The demo's live line, when asked for, describes the window. Worker thread only.
/// </summary>
internal sealed class EmissionStage
{
    private readonly AlarmStage _alarms;
    private readonly LiveLine? _line;
    private readonly PipelineTally _tally;

    /// <summary>Where summaries or alerts are enqueued (replaced before start when a revision changes the uplink).</summary>
    public UplinkClient Uplink { get; set; }

    public EmissionStage(UplinkClient uplink, AlarmStage alarms, LiveLine? line, PipelineTally tally)
    {
        Uplink = uplink;
        _alarms = alarms;
        _line = line;
        _tally = tally;
    }

    /// <summary>Called for every channel window a model scored: (sensor, channel, window start in Unix ns, score, model id); may be null.</summary>
    public Action<string, string, long, double, string>? WindowScored { get; set; }

    /// <summary>Hands on the sensor's pending window.</summary>
    /// <param name="s">The sensor; its window is in <see cref="SensorStream.PendingFeatures"/>.</param>
    /// <param name="model">The model that scored the batch, or null when none did.</param>
    /// <param name="scores">One model score per channel (NaN: not scored).</param>
    public void Emit(SensorStream s, ScoringModel? model, ReadOnlySpan<float> scores)
    {
        var source = s.Binding.Source;
        long startNs = s.PendingStart, endNs = s.PendingEnd;
        _line?.Begin(source.Name, startNs);
        double? max = null;
        for (var c = 0; c < s.Channels; c++)
        {
            ref readonly var f = ref s.PendingFeatures[c];
            var channel = source.Channels[c];
            Uplink.Enqueue(new Summary { Sensor = source.Name, Channel = channel, WindowStartNs = startNs, WindowEndNs = endNs, Features = f, Spectral = s.Spectral?.Pending(c), Quantiles = s.Quantiles?.Pending(c) });
            Interlocked.Increment(ref _tally.Windows);
            var score = scores[c];
            if (model is not null && float.IsFinite(score))
            {
                Interlocked.Increment(ref _tally.ScoredWindows);
                max = Math.Max(max ?? double.MinValue, score);
                WindowScored?.Invoke(source.Name, channel, startNs, score, model.Id);
            }

            var detector = s.Detectors[c];
            detector.SetModelScore(model is null ? double.NaN : score, model?.Threshold);
            if (detector is SpectralDetector spectral && s.Spectral?.Pending(c) is { } features)
            {
                spectral.SetSpectral(features.BandRms.Span, features.EnvelopeAmplitude);
            }

            var d = detector.Observe(f);
            _line?.Channel(channel, f, detector.ScoreLabel, d.Score);
            if (d.Fired)
            {
                _alarms.Raise(source.Name, channel, endNs, d, detector.Name, f);
                _line?.Alert(d.Critical, detector.Name);
            }
        }

        _line?.End(max);
    }
}
