namespace Appliance.Detection;

/// <summary>
/// Turns a stream of scores into incidents: an incident opens when a score reaches <c>threshold</c> (one alert) and
/// closes only after <c>cooldown</c> consecutive scores below <c>release</c> (≤ threshold), so that a score hovering
/// around the threshold is one incident, one alert (a Schmitt trigger with a hold-off). A value type, no allocation.
/// </summary>
public struct AlertHysteresis
{
    private readonly double _threshold;
    private readonly double _release;
    private readonly int _cooldown;
    private int _quiet;

    /// <summary>Creates the state, outside any incident.</summary>
    /// <param name="threshold">Score at or above which an incident opens.</param>
    /// <param name="release">Score below which a sample counts as quiet (≤ threshold).</param>
    /// <param name="cooldown">Quiet samples that close an incident (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">release &gt; threshold, or cooldown &lt; 1.</exception>
    public AlertHysteresis(double threshold, double release, int cooldown)
    {
        if (!(release <= threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(release), release, $"release must be ≤ threshold ({threshold})");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cooldown, 1);
        _threshold = threshold;
        _release = release;
        _cooldown = cooldown;
        InIncident = false;
        _quiet = 0;
    }

    /// <summary>True while an incident is open.</summary>
    public bool InIncident { get; private set; }

    /// <summary>The threshold.</summary>
    public readonly double Threshold => _threshold;

    /// <summary>Takes one score.</summary>
    /// <returns>True when this score opens a new incident (raise one alert).</returns>
    public bool Update(double score)
    {
        if (score >= _threshold)
        {
            _quiet = 0;
            if (!InIncident)
            {
                InIncident = true;
                return true;
            }

            return false;
        }

        if (InIncident && score < _release && ++_quiet >= _cooldown)
        {
            InIncident = false;
            _quiet = 0;
        }
        else if (score >= _release)
        {
            _quiet = 0;
        }

        return false;
    }
}
