using System.Globalization;
using Appliance.Kernels.Spectral;
using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>
/// <c>detector = "spectral[:learn=N,minsd=S,release=R]"</c>: band-energy z-scores of a vibration channel's spectral features against
/// the baseline learnt over its first windows, alerting with hysteresis: what finds a bearing defect while the time-domain RMS
/// has hardly moved.
/// </summary>
/// <remarks>
/// <para>Per window, the features are the natural logarithms of each configured band's RMS and, when the sensor's
/// <c>spectral</c> table has an envelope characteristic frequency, of the envelope-spectrum amplitude there (both from the
/// pipeline's <see cref="WelchEstimator"/>, handed over with <c>SetSpectral</c> before the window's
/// <see cref="Observe"/>). Logarithms because band energies of rotating machines are close to log-normal, so a fixed z means the
/// same ratio at every level (the "dB above baseline" of vibration severity practice, e.g. ISO 13373-1).</para>
/// <para>Learning: the first <c>learn</c> windows with spectral features (default 30) give each feature's mean μ_i and standard
/// deviation s_i (Welford's algorithm, Welford 1962, Technometrics 4(3)); they score 0. Then z_i = (x_i − μ_i) / max(s_i, minsd)
/// (minsd default 0.05, i.e. 5 % in RMS, so that a feature that barely varied during learning does not make every small change
/// an alert), and the window's score is max_i |z_i|. An incident opens when the score reaches the threshold
/// (<c>detector_threshold</c>, default 6) and closes after <c>detector_cooldown</c> windows below <c>release</c> (default half the
/// threshold): <see cref="AlertHysteresis"/>. Critical at twice the threshold. A window without spectral features (fewer samples
/// than one FFT frame, or a pipeline that computes none) scores 0 and is not learnt. Allocates only on its first window (the
/// feature arrays); not thread-safe.</para>
/// </remarks>
public sealed class SpectralDetector : IDetector
{
    /// <summary>The default threshold on max |z|.</summary>
    public const double DefaultThreshold = 6;

    private const int MaxFeatures = 65;
    private readonly int _learn;
    private readonly double _minSd;
    private AlertHysteresis _hysteresis;
    private double[] _x = [];
    private double[] _mean = [];
    private double[] _m2 = [];
    private int _features;
    private bool _pending;

    /// <summary>Creates the detector.</summary>
    /// <param name="learn">Windows learnt before scoring; 2 to 1,000,000.</param>
    /// <param name="threshold">Score (max |z|) that opens an incident; positive.</param>
    /// <param name="release">Score below which quiet windows count towards closing it; at most <paramref name="threshold"/>.</param>
    /// <param name="cooldown">Quiet windows that close an incident; at least 1.</param>
    /// <param name="minSd">Floor of each feature's standard deviation, natural-log units; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public SpectralDetector(int learn = 30, double threshold = DefaultThreshold, double release = double.NaN, int cooldown = 1, double minSd = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(learn, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(learn, 1_000_000);
        if (!(threshold > 0) || !(minSd > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), $"threshold {threshold} and minsd {minSd} must be positive");
        }

        _learn = learn;
        _minSd = minSd;
        _hysteresis = new AlertHysteresis(threshold, double.IsNaN(release) ? threshold / 2 : release, cooldown);
    }

    /// <inheritdoc/>
    public string Name => "spectral";

    /// <inheritdoc/>
    public string ScoreLabel => "z";

    /// <summary>Windows learnt so far (at most <c>learn</c>).</summary>
    public int Learnt { get; private set; }

    /// <summary>Whether the baseline is complete and windows are scored.</summary>
    public bool Scoring => Learnt >= _learn;

    /// <summary>The feature that gave the last score: a band's index, or the band count for the envelope amplitude; −1 for none.</summary>
    public int LastFeature { get; private set; } = -1;

    /// <summary>
    /// Parses <c>spectral[:learn=N,minsd=S,release=R]</c>.
    /// </summary>
    /// <param name="spec">The specification.</param>
    /// <param name="threshold">detector_threshold, or null for <see cref="DefaultThreshold"/>.</param>
    /// <param name="cooldown">detector_cooldown (or the [detector] table's).</param>
    /// <returns>The detector.</returns>
    /// <exception cref="ArgumentException">An unknown key, a value that is not a number, or one out of range (one line naming it).</exception>
    public static SpectralDetector Parse(string spec, double? threshold, int cooldown)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        (int learn, double minSd, double release) = (30, 0.05, double.NaN);
        foreach (string option in colon < 0 ? [] : spec[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = option.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                throw new ArgumentException($"'{spec}': '{option}': expected key=number (learn, minsd, release)");
            }

            switch (kv[0])
            {
                case "learn" when v == Math.Floor(v) && v is >= 2 and <= 1_000_000:
                    learn = (int)v;
                    break;
                case "minsd" when v > 0:
                    minSd = v;
                    break;
                case "release" when v > 0 && v <= (threshold ?? DefaultThreshold):
                    release = v;
                    break;
                case "learn" or "minsd" or "release":
                    throw new ArgumentException($"'{spec}': {option}: expected learn a whole number of windows from 2 to 1000000, minsd > 0, 0 < release <= threshold");
                default:
                    throw new ArgumentException($"'{spec}': unknown key '{kv[0]}' (expected learn, minsd or release)");
            }
        }

        return new SpectralDetector(learn, threshold ?? DefaultThreshold, release, cooldown, minSd);
    }

    /// <summary>Hands over the spectral features of the window that the next <see cref="Observe"/> closes.</summary>
    /// <param name="features">The window's Welch features (<see cref="WelchFeatures.Frames"/> 0: none).</param>
    /// <param name="bandRms">The window's band RMS values, in the configured band order, sample units.</param>
    /// <exception cref="ArgumentException">The number of bands differs from the first window's, or is over 64.</exception>
    public void SetSpectral(in WelchFeatures features, ReadOnlySpan<double> bandRms)
    {
        _pending = false;
        if (features.Frames > 0 && Begin(bandRms.Length, features.EnvelopeAmplitude))
        {
            for (int i = 0; i < bandRms.Length; i++)
            {
                _x[i] = Math.Log(Math.Max(bandRms[i], 1e-12));
            }
        }
    }

    /// <summary>Hands over the spectral features of the window that the next <see cref="Observe"/> closes, as the pipeline
    /// sends them (float32 band RMS, the envelope amplitude or NaN).</summary>
    /// <param name="bandRms">The window's band RMS values, in the configured band order, sample units.</param>
    /// <param name="envelopeAmplitude">The envelope-spectrum amplitude at the characteristic frequency; NaN when none is configured.</param>
    /// <exception cref="ArgumentException">The number of bands differs from the first window's, or is over 64.</exception>
    public void SetSpectral(ReadOnlySpan<float> bandRms, double envelopeAmplitude)
    {
        _pending = false;
        if (Begin(bandRms.Length, envelopeAmplitude))
        {
            for (int i = 0; i < bandRms.Length; i++)
            {
                _x[i] = Math.Log(Math.Max(bandRms[i], 1e-12));
            }
        }
    }

    // Sizes the features on the first window, checks later ones, stores the envelope feature; false when there is nothing to score.
    private bool Begin(int bands, double envelopeAmplitude)
    {
        bool envelope = double.IsFinite(envelopeAmplitude);
        int n = bands + (envelope ? 1 : 0);
        if (_features == 0)
        {
            if (n == 0 || n > MaxFeatures)
            {
                throw new ArgumentException($"spectral detector: {bands} bands{(envelope ? " and an envelope line" : string.Empty)}; expected 1 to 64 bands");
            }

            _features = n;
            _x = new double[n];
            _mean = new double[n];
            _m2 = new double[n];
        }
        else if (n != _features)
        {
            throw new ArgumentException($"spectral detector: a window has {n} spectral features; the baseline has {_features}");
        }

        if (envelope)
        {
            _x[n - 1] = Math.Log(Math.Max(envelopeAmplitude, 1e-12));
        }

        _pending = true;
        return true;
    }

    /// <inheritdoc/>
    public WindowVerdict Observe(in WindowFeatures window)
    {
        double threshold = _hysteresis.Threshold;
        if (!_pending)
        {
            return new WindowVerdict(0, threshold, false, false);
        }

        _pending = false;
        if (!Scoring)
        {
            Learnt++;
            for (int i = 0; i < _features; i++)
            {
                double delta = _x[i] - _mean[i];
                _mean[i] += delta / Learnt;
                _m2[i] += delta * (_x[i] - _mean[i]);
            }

            return new WindowVerdict(0, threshold, false, false);
        }

        double score = 0;
        LastFeature = -1;
        for (int i = 0; i < _features; i++)
        {
            double sd = Math.Max(Math.Sqrt(_m2[i] / (Learnt - 1)), _minSd);
            double z = Math.Abs((_x[i] - _mean[i]) / sd);
            if (z > score)
            {
                score = z;
                LastFeature = i;
            }
        }

        bool fired = _hysteresis.Update(score);
        return new WindowVerdict(score, threshold, fired, score >= 2 * threshold);
    }
}
