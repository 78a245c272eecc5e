using System.Globalization;
using Appliance.Contracts.Config;
using Appliance.Kernels.Motion;

namespace Appliance.Contracts.Inference;

/// <summary>
/// Scores a motion event's frames with a model bundle in one batched ONNX Runtime run: each sampled frame becomes a
/// <see cref="FrameThumbnail"/> row (G·G values, the model's F = G²), up to S rows (the model's batch) evenly spaced over
/// the event, and at the event's end one <see cref="OnnxScorer.Run"/> scores the batch; the event's score is the largest
/// row score, compared with the model's <see cref="OnnxScorer.ThresholdKey"/>.
/// </summary>
/// <remarks>
/// <para>Sampling without knowing the event's length: frames 0, k, 2k, … (k starts at 1) fill the [S, G·G] buffer; when it
/// is full, every second row is kept and k doubles, so the rows are always every k-th frame from the event's start. A
/// short event's unused rows are filled with its last row (same score; the batch shape is fixed) and left out of the max.</para>
/// <para>All buffers are allocated by the constructor; <see cref="Add"/> and <see cref="Close"/> allocate no managed
/// memory (<see cref="OnnxScorer"/> binds its tensors once). Not thread-safe: one per camera.</para>
/// </remarks>
public sealed class EventFrameScorer : IEventFrameScorer, IDisposable
{
    private readonly OnnxScorer _scorer;
    private readonly FrameThumbnail _thumbnail;
    private readonly float[] _batch;
    private readonly float[] _scores;
    private readonly int _rows;
    private readonly int _row;
    private long _frame;
    private long _stride = 1;
    private int _count;

    /// <summary>Prepares <paramref name="package"/> for frames of <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <param name="package">A verified bundle (<see cref="ModelPackage.LoadDirectory"/>): S ≥ 2 rows of F = G² features, G ≥ 1.</param>
    /// <param name="width">Frame width in pixels (at least G).</param>
    /// <param name="height">Frame height in pixels (at least G).</param>
    /// <param name="policy">Execution provider policy.</param>
    /// <exception cref="ConfigException">F is not a square, S is below 2, the frame is smaller than G×G, or the model has no
    /// positive <see cref="OnnxScorer.ThresholdKey"/> (the model named).</exception>
    /// <exception cref="InferenceException">The model does not load for that shape.</exception>
    public EventFrameScorer(ModelPackage package, int width, int height, GpuPolicy policy = GpuPolicy.Off)
    {
        ArgumentNullException.ThrowIfNull(package);
        var where = $"models/{package.Name}/{ModelPackage.ModelFile}";
        int g = (int)Math.Round(Math.Sqrt(package.Features));
        if (g * g != package.Features || package.Streams < 2)
        {
            throw new ConfigException(where, 0, $"input [{package.Streams},{package.Features}]: expected [S,G*G] with S >= 2 frames per event and G*G luma thumbnail values");
        }

        if (width < g || height < g)
        {
            throw new ConfigException(where, 0, $"a {g}x{g} thumbnail needs frames of at least that size, not {width}x{height}");
        }

        ModelPackage.RequireThreshold(where, package.Onnx);
        _thumbnail = new FrameThumbnail(width, height, g);
        _scorer = new OnnxScorer(package.Onnx, package.Streams, package.Features, policy);
        Threshold = float.Parse(_scorer.Metadata[OnnxScorer.ThresholdKey], NumberStyles.Float, CultureInfo.InvariantCulture);
        _rows = package.Streams;
        _row = package.Features;
        _batch = new float[_rows * _row];
        _scores = new float[_rows];
        ModelId = package.Id;
    }

    /// <summary>The model's id (<see cref="ModelPackage.Id"/>).</summary>
    public string ModelId { get; }

    /// <summary>An event whose score is at or above this is flagged (the model's <see cref="OnnxScorer.ThresholdKey"/>).</summary>
    public float Threshold { get; }

    /// <summary>S: the most frames of one event that are scored.</summary>
    public int BatchRows => _rows;

    /// <summary>Events scored so far.</summary>
    public long EventsScored { get; private set; }

    /// <summary>Rows holding frames in the last scored batch (the rest repeat its last row).</summary>
    public int LastRows { get; private set; }

    /// <summary>The last scored batch, [S, G·G] row-major (for checks against a reference).</summary>
    public ReadOnlySpan<float> LastBatch => _batch;

    /// <summary>The last batch's S row scores.</summary>
    public ReadOnlySpan<float> LastScores => _scores;

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<byte> luma)
    {
        if (_frame % _stride == 0)
        {
            if (_count == _rows)
            {
                // Keep rows 0, 2, 4, …: frames 0, 2k, 4k, … of the event.
                int kept = 0;
                for (int r = 0; r < _rows; r += 2)
                {
                    _batch.AsSpan(r * _row, _row).CopyTo(_batch.AsSpan(kept++ * _row, _row));
                }

                _count = kept;
                _stride *= 2;
            }

            if (_frame % _stride == 0)
            {
                _thumbnail.Compute(luma, _batch.AsSpan(_count++ * _row, _row));
            }
        }

        _frame++;
    }

    /// <inheritdoc/>
    /// <returns>The largest of the sampled frames' scores (its meaning is the model's: see its model card).</returns>
    /// <exception cref="InferenceException">The run failed or gave NaN or ±∞.</exception>
    public float Close()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("no frame of the event was added");
        }

        var last = _batch.AsSpan((_count - 1) * _row, _row);
        for (int r = _count; r < _rows; r++)
        {
            last.CopyTo(_batch.AsSpan(r * _row, _row));
        }

        LastRows = _count;
        Reset();
        _scorer.Run(_batch, _scores);
        EventsScored++;
        float max = float.NegativeInfinity;
        foreach (var s in _scores.AsSpan(0, LastRows))
        {
            max = Math.Max(max, s);
        }

        return max;
    }

    /// <inheritdoc/>
    public void Discard() => Reset();

    /// <inheritdoc/>
    public void Dispose() => _scorer.Dispose();

    private void Reset()
    {
        _frame = 0;
        _stride = 1;
        _count = 0;
    }
}
