using Appliance.Contracts.Inference;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The on-device model, for a pipeline with inference but no configured model: the first
/// <see cref="PipelineOptions.ScorerTrainingWindows"/> windows of every sensor fit a standard-score model (a diagonal
/// Gaussian per channel over each window's [mean, std]), which is then staged as <c>on-device:standard-score</c>.
/// </summary>
internal sealed class OnDeviceFit
{
    /// <summary>Features per channel of the on-device model: [mean, std].</summary>
    public const int Features = 2;

    /// <summary>The staged model's id.</summary>
    public const string ModelId = "on-device:standard-score";

    private readonly List<float[]>[] _training;
    private readonly int _windows;
    private readonly int _rows;
    private readonly Func<string, byte[], bool> _stage;
    private bool _staged;

    /// <param name="streams">The pipeline's sensors.</param>
    /// <param name="windows">Windows per sensor to fit on.</param>
    /// <param name="stage">Stages the fitted ONNX model (id, bytes); true when staged.</param>
    public OnDeviceFit(SensorStream[] streams, int windows, Func<string, byte[], bool> stage)
    {
        _training = [.. streams.Select(_ => new List<float[]>())];
        _rows = streams.Sum(s => s.Channels);
        _windows = windows;
        _stage = stage;
    }

    /// <summary>Takes the pending windows' features; once every sensor has given enough, fits and stages the model (once).</summary>
    public void Observe(SensorStream[] streams)
    {
        if (_staged)
        {
            return;
        }

        for (var i = 0; i < streams.Length; i++)
        {
            var s = streams[i];
            if (s.Pending)
            {
                var row = new float[s.Channels * Features];
                for (var c = 0; c < s.Channels; c++)
                {
                    row[c * Features] = WindowFeatureColumns.Value(s.PendingFeatures[c], 1);
                    row[(c * Features) + 1] = WindowFeatureColumns.Value(s.PendingFeatures[c], 2);
                }

                _training[i].Add(row);
            }
        }

        if (_training.Any(t => t.Count < _windows))
        {
            return;
        }

        var rows = new List<float[]>(_windows);
        for (var r = 0; r < _windows; r++)
        {
            rows.Add([.. _training.SelectMany(t => t[r])]);
        }

        var fitted = StandardScoreModel.Fit(rows, _rows, Features);
        _staged = _stage(ModelId, fitted.ToOnnx());
        foreach (var t in _training)
        {
            t.Clear();
        }
    }
}
