namespace Appliance.Detection;

/// <summary>
/// Reports the inner detector's score only where it reaches <c>floor</c>, and 0 elsewhere: a per-member alarm level, so
/// that detectors whose scores live on different scales (a Gaussian tail near 1, a novelty share near ½) can share one
/// <see cref="MaxDetector"/> and one threshold. Below the floor the member abstains; at or above it its score passes
/// unchanged, so the ensemble's threshold still orders its alarms; or, when <c>binary</c>, as 1 (an alarm decided by
/// the member itself, so that a hold-off over the ensemble starts at exactly the alarms that are reported).
/// </summary>
public sealed class FloorDetector : ISampleDetector
{
    private readonly ISampleDetector _inner;
    private readonly double _floor;
    private readonly bool _binary;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The detector.</param>
    /// <param name="floor">Scores below it are reported as 0.</param>
    /// <param name="binary">Report 1 instead of the score where it reaches the floor.</param>
    public FloorDetector(ISampleDetector inner, double floor, bool binary = false)
    {
        _binary = binary;
        _inner = inner;
        _floor = floor;
    }

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public double Update(double value)
    {
        var score = _inner.Update(value);
        return score >= _floor ? (_binary ? 1.0 : score) : 0.0;
    }

    /// <inheritdoc/>
    public void Reset() => _inner.Reset();
}
