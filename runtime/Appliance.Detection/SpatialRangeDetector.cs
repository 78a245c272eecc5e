namespace Appliance.Detection;

/// <summary>
/// Spatial anomaly of Numenta's NAB detector (numenta/NAB <c>nab/detectors/numenta/numenta_detector.py</c>,
/// <c>useSpatialAnomaly</c>, <c>SPATIAL_TOLERANCE</c> = 0.05): a value that lies more than <c>tolerance</c> × (max − min)
/// beyond the running minimum or maximum of the values seen so far scores 1, any other 0; the running range then
/// includes it. The first sample only starts the range. Memory: two doubles; O(1) per sample.
/// </summary>
public sealed class SpatialRangeDetector : ISampleDetector
{
    private readonly double _tolerance;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>Creates the detector.</summary>
    /// <param name="tolerance">Margin beyond the running range, as a fraction of it (Numenta: 0.05; ≥ 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">tolerance &lt; 0.</exception>
    public SpatialRangeDetector(double tolerance = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        _tolerance = tolerance;
    }

    /// <inheritdoc/>
    public string Name => "spatial-range";

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        var score = 0.0;
        if (_max > _min)
        {
            var margin = (_max - _min) * _tolerance;
            score = value > _max + margin || value < _min - margin ? 1.0 : 0.0;
        }

        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        return score;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _min = double.PositiveInfinity;
        _max = double.NegativeInfinity;
    }
}
