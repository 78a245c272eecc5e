using Appliance.Kernels.Detection;
using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>
/// EWMA z-score of each window's mean (Hunter 1986, "The exponentially weighted moving average", J. Quality Technology
/// 18(4); NIST/SEMATECH e-Handbook of Statistical Methods §6.3.2.4): the window mean is compared with the exponentially
/// weighted mean and variance of the windows before it. Debounce: after an alert, the channel raises no new alert until
/// <c>cooldown</c> consecutive windows have stayed below the threshold (hysteresis), so one incident is one alert.
/// </summary>
public sealed class EwmaZScoreDetector : IDetector
{
    private EwmaZScore _ewma;
    private readonly double _threshold;
    private readonly int _cooldown;
    private int _quietWindows;
    private bool _inIncident;

    /// <summary>Creates the detector.</summary>
    /// <param name="alpha">EWMA smoothing factor in (0, 1].</param>
    /// <param name="threshold">|z| above which a window is anomalous.</param>
    /// <param name="warmup">Windows observed before any score is given.</param>
    /// <param name="cooldown">Quiet windows needed to close an incident.</param>
    public EwmaZScoreDetector(double alpha, double threshold, int warmup, int cooldown)
    {
        _ewma = new EwmaZScore(alpha, warmup);
        _threshold = threshold;
        _cooldown = cooldown;
    }

    /// <inheritdoc/>
    public string Name => "ewma-z";

    /// <inheritdoc/>
    public string ScoreLabel => "z";

    /// <inheritdoc/>
    public WindowVerdict Observe(in WindowFeatures window)
    {
        if (window.Count == 0)
        {
            return new WindowVerdict(0, _threshold, false, false);
        }

        var z = _ewma.Update(window.Mean);
        if (double.IsNaN(z))
        {
            z = 0;
        }

        var anomalous = Math.Abs(z) > _threshold;
        var fired = false;
        if (anomalous)
        {
            fired = !_inIncident;
            _inIncident = true;
            _quietWindows = 0;
        }
        else if (_inIncident && ++_quietWindows >= _cooldown)
        {
            _inIncident = false;
        }

        return new WindowVerdict(z, _threshold, fired, Math.Abs(z) >= 2 * _threshold);
    }
}
