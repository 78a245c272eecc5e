namespace Appliance.Evaluation;

/// <summary>
/// The NAB scoring of one detector's per-row anomaly scores under one profile, over a whole corpus: every scorable row
/// (after the probationary period) with the weight it adds when it is a detection. Follows numenta/NAB
/// <c>nab/sweeper.py</c> (<c>Sweeper.calcSweepScore</c>, <c>calcScoreByThreshold</c>) and <c>nab/runner.py</c>
/// (<c>normalize</c>):
/// <list type="bullet">
/// <item>σ(y) = 2/(1 + e^{5y}) − 1 for y ≤ 3, −1 beyond (<c>scaledSigmoid</c>);</item>
/// <item>a row i inside window [l, r] (width w = r − l + 1) weighs A_TP · σ(−(r − i + 1)/w) / σ(−1); only the window's
/// best (earliest) detection counts, and a window with none costs −A_FN;</item>
/// <item>a row outside every window weighs A_FP · σ(|i − r'|/(w' − 1)) after a window [l', r'] of width w', and −A_FP
/// before the first window; every such detection counts;</item>
/// <item>a row is a detection when its anomaly score is ≥ the threshold; the probationary rows
/// (min(⌊0.15 n⌋, 750)) are never scored.</item>
/// </list>
/// </summary>
public sealed class NabSweep
{
    private readonly double[] _anomaly;
    private readonly double[] _weight;
    private readonly int[] _window;

    private readonly bool[] _scorable;

    private NabSweep(NabProfile profile, double[] anomaly, double[] weight, int[] window, bool[] scorable, int labelledWindows)
    {
        _scorable = scorable;
        var windows = scorable.Count(b => b);
        Profile = profile;
        _anomaly = anomaly;
        _weight = weight;
        _window = window;
        Null = -profile.FnWeight * windows;
        Perfect = profile.TpWeight * labelledWindows;
    }

    /// <summary>The profile the weights are for.</summary>
    public NabProfile Profile { get; }

    /// <summary>Raw score of the null detector (never fires).</summary>
    public double Null { get; }

    /// <summary>Raw score of the perfect detector: A_TP × labelled windows (NAB counts every labelled window).</summary>
    public double Perfect { get; }

    /// <summary>The NAB scaled sigmoid: 2/(1 + e^{5y}) − 1 for y ≤ 3, else −1 (NAB <c>sweeper.scaledSigmoid</c>).</summary>
    /// <param name="relativePosition">Position relative to a window's right edge, in window widths.</param>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition > 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * relativePosition))) - 1.0;

    /// <summary>Weighs every scorable row of <paramref name="series"/> under <paramref name="profile"/>.</summary>
    /// <param name="series">The corpus's series.</param>
    /// <param name="scores">One anomaly score per row, per series (same order and lengths).</param>
    /// <param name="profile">The cost matrix.</param>
    /// <param name="labelledWindows">All labelled windows (the perfect detector's count).</param>
    /// <exception cref="ArgumentException">A score array's length differs from its series'.</exception>
    public static NabSweep Create(IReadOnlyList<NabSeries> series, IReadOnlyList<double[]> scores, NabProfile profile, int labelledWindows)
    {
        var total = 0;
        for (var s = 0; s < series.Count; s++)
        {
            if (scores[s].Length != series[s].Length)
            {
                throw new ArgumentException($"{series[s].RelativePath}: {scores[s].Length} scores for {series[s].Length} rows", nameof(scores));
            }

            total += series[s].Length - series[s].ProbationaryLength;
        }

        var anomaly = new double[total];
        var weight = new double[total];
        var window = new int[total];
        var maxTp = ScaledSigmoid(-1.0);
        var k = 0;
        var windowBase = 0;
        for (var s = 0; s < series.Count; s++)
        {
            var ser = series[s];
            var wins = ser.Windows;
            var next = 0;
            var inWindow = -1;
            var prevRight = -1;
            var prevWidth = 0.0;
            for (var i = 0; i < ser.Length; i++)
            {
                if (inWindow < 0 && next < wins.Length && i == wins[next].Start)
                {
                    inWindow = next++;
                }

                double w;
                if (inWindow >= 0)
                {
                    var win = wins[inWindow];
                    w = ScaledSigmoid(-(win.End - i + 1) / (double)win.Length) * profile.TpWeight / maxTp;
                }
                else if (prevRight < 0)
                {
                    w = -profile.FpWeight;
                }
                else
                {
                    w = ScaledSigmoid(Math.Abs(prevRight - i) / (prevWidth - 1)) * profile.FpWeight;
                }

                if (i >= ser.ProbationaryLength)
                {
                    // NaN (no score) is never a detection.
                    anomaly[k] = double.IsNaN(scores[s][i]) ? double.NegativeInfinity : scores[s][i];
                    weight[k] = w;
                    window[k] = inWindow >= 0 ? windowBase + inWindow : -1;
                    k++;
                }

                if (inWindow >= 0 && i == wins[inWindow].End)
                {
                    prevRight = i;
                    prevWidth = wins[inWindow].Length;
                    inWindow = -1;
                }
            }

            windowBase += wins.Length;
        }

        // A window counts (as a false negative when missed) only when some of its rows are scorable (sweeper:
        // _prepareScoreByThresholdParts over the non-probationary rows).
        var scorable = new bool[windowBase];
        foreach (var w in window)
        {
            if (w >= 0)
            {
                scorable[w] = true;
            }
        }

        return new NabSweep(profile, anomaly, weight, window, scorable, labelledWindows);
    }

    /// <summary>The score with detections at rows whose anomaly score is ≥ <paramref name="threshold"/>.</summary>
    public NabProfileScore ScoreAt(double threshold)
    {
        var best = new double[_scorable.Length];
        Array.Fill(best, double.NaN);
        var fp = 0.0;
        var fpCount = 0;
        for (var k = 0; k < _anomaly.Length; k++)
        {
            if (_anomaly[k] >= threshold)
            {
                var w = _window[k];
                if (w < 0)
                {
                    fp += _weight[k];
                    fpCount++;
                }
                else if (double.IsNaN(best[w]) || _weight[k] > best[w])
                {
                    best[w] = _weight[k];
                }
            }
        }

        var raw = fp;
        var detected = 0;
        for (var w = 0; w < best.Length; w++)
        {
            if (!_scorable[w])
            {
                continue;
            }

            // The window's part starts at −A_FN and rises to its best detection (sweeper: max(part, sweepScore)).
            raw += double.IsNaN(best[w]) ? -Profile.FnWeight : Math.Max(-Profile.FnWeight, best[w]);
            detected += double.IsNaN(best[w]) ? 0 : 1;
        }

        return new NabProfileScore(Profile, threshold, raw, Null, Perfect, detected, fpCount);
    }

    /// <summary>
    /// The threshold with the best raw score, trying every distinct anomaly score (NAB's threshold optimisation:
    /// <c>calcScoreByThreshold</c> over the whole corpus, best score taken); on a tie the higher threshold wins.
    /// </summary>
    public NabProfileScore Optimise()
    {
        var order = new int[_anomaly.Length];
        for (var k = 0; k < order.Length; k++)
        {
            order[k] = k;
        }

        var keys = (double[])_anomaly.Clone();
        Array.Sort(keys, order);
        var part = new double[_scorable.Length];
        Array.Fill(part, -Profile.FnWeight);
        var total = Null;
        var bestTotal = total;
        var bestThreshold = double.PositiveInfinity;
        for (var j = order.Length - 1; j >= 0;)
        {
            var threshold = keys[j];
            for (; j >= 0 && keys[j] == threshold; j--)
            {
                var k = order[j];
                var w = _window[k];
                if (w < 0)
                {
                    total += _weight[k];
                }
                else if (_weight[k] > part[w])
                {
                    total += _weight[k] - part[w];
                    part[w] = _weight[k];
                }
            }

            if (total > bestTotal + 1e-12)
            {
                bestTotal = total;
                bestThreshold = threshold;
            }
        }

        // Recompute at the chosen threshold so that the counts and the sum come from one plain pass.
        return ScoreAt(bestThreshold);
    }
}
