namespace Appliance.Evaluation;

/// <summary>The figures of SKAB's proposed leaderboard for one detector over a set of files.</summary>
/// <param name="Files">Files scored.</param>
/// <param name="TruePositives">Test rows labelled anomalous and predicted so.</param>
/// <param name="FalsePositives">Test rows labelled normal but predicted anomalous.</param>
/// <param name="TrueNegatives">Test rows labelled normal and predicted so.</param>
/// <param name="FalseNegatives">Test rows labelled anomalous but predicted normal.</param>
/// <param name="NabStandard">Changepoint NAB score, standard profile (A_TP 1, A_FP −0.11, A_FN −1), normalised to 0 (null) … 100 (perfect).</param>
/// <param name="NabLowFp">The same, low-FP profile (A_FP −0.22).</param>
/// <param name="NabLowFn">The same, low-FN profile (A_FN −2).</param>
/// <param name="Changepoints">Labelled changepoints (scoring windows) in the test rows.</param>
public sealed record SkabResult(int Files, long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives, double NabStandard, double NabLowFp, double NabLowFn, int Changepoints)
{
    /// <summary>Outlier F1 = 2·TP/(2·TP + FP + FN), per row over all test rows of all files (0 when undefined).</summary>
    public double F1 => SkabMetrics.Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>False alarm rate in percent, 100·FP/(FP + TN), as SKAB's leaderboard prints it.</summary>
    public double FarPercent => 100 * SkabMetrics.Ratio(FalsePositives, FalsePositives + TrueNegatives);

    /// <summary>Missing alarm rate in percent, 100·FN/(FN + TP), as SKAB's leaderboard prints it.</summary>
    public double MarPercent => 100 * SkabMetrics.Ratio(FalseNegatives, FalseNegatives + TruePositives);
}

/// <summary>
/// SKAB's scoring (waico/SKAB README, "Proposed Leaderboard"; the evaluation of its TSAD framework, waico/tsad
/// <c>tsad/evaluating/src.py</c> and <c>univariate_funcs.py</c> at commit a876b3f). Outliers: a per-row binary
/// classification over the test rows of every file, counts summed over files (<c>confusion_matrix</c>). Changepoints:
/// <c>single_evaluate_nab</c> with <c>numenta_time = '60 sec'</c>, <c>anomaly_window_destenation = 'righter'</c>,
/// <c>clear_anomalies_mode = True</c>, <c>scale_func = 'improved'</c>: each labelled changepoint t opens the window
/// [t, t + 60 s] (both ends included); the first predicted changepoint inside a window scores
/// y = (A_TP − A_FP)/2·(−tanh(x)/tanh(π/2)) + (A_TP − A_FP)/2 + A_FP with x = −π/2 + e·π/999, e = min(999,
/// ⌊(t_pred − t)/(60 s)·1000⌋) (<c>my_scale</c>: A_TP at the window's start, A_FP at its end); later predictions inside a
/// window count nothing; every predicted changepoint outside all windows scores A_FP; a window without one scores A_FN.
/// Raw scores, null (all windows missed: n·A_FN) and perfect (n·A_TP) are summed over files, then normalised:
/// 100·(S − null)/(perfect − null). Overlapping windows (none in SKAB, whose changepoints are minutes apart) have the right
/// one cut to start where the left one ends (<c>intersection_mode = 'cut right window'</c>).
/// </summary>
public static class SkabMetrics
{
    /// <summary>The scoring window after each changepoint (tsad <c>numenta_time = '60 sec'</c>).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>(A_TP, A_FP, A_FN) of tsad's profiles 'Standart', 'LowFP', 'LowFN' (A_TN is unused).</summary>
    public static IReadOnlyList<(double Tp, double Fp, double Fn)> Profiles { get; } = [(1.0, -0.11, -1.0), (1.0, -0.22, -1.0), (1.0, -0.11, -2.0)];

    /// <summary>
    /// Predicted changepoints from a binary prediction, as SKAB's notebooks derive them: |prediction[i] − prediction[i − 1]|,
    /// the first row taking prediction[0] (<c>prediction_cp = abs(prediction.diff()); prediction_cp[0] = prediction[0]</c>).
    /// </summary>
    public static bool[] Changepoints(ReadOnlySpan<bool> prediction)
    {
        var cp = new bool[prediction.Length];
        for (var i = 0; i < cp.Length; i++)
        {
            cp[i] = i == 0 ? prediction[0] : prediction[i] != prediction[i - 1];
        }

        return cp;
    }

    /// <summary>Adds one file's per-row outlier counts to <paramref name="counts"/> (TP, FP, TN, FN).</summary>
    public static void CountOutliers(ReadOnlySpan<byte> label, ReadOnlySpan<bool> prediction, ref (long Tp, long Fp, long Tn, long Fn) counts)
    {
        for (var i = 0; i < label.Length; i++)
        {
            var l = label[i] == 1;
            if (l && prediction[i])
            {
                counts.Tp++;
            }
            else if (prediction[i])
            {
                counts.Fp++;
            }
            else if (l)
            {
                counts.Fn++;
            }
            else
            {
                counts.Tn++;
            }
        }
    }

    /// <summary>
    /// One file's changepoint NAB raw score under each profile (tsad <c>single_evaluate_nab</c>, see the class summary), and
    /// its number of windows.
    /// </summary>
    /// <param name="times">Row timestamps, ascending.</param>
    /// <param name="label">The <c>changepoint</c> labels per row.</param>
    /// <param name="predicted">Predicted changepoints per row.</param>
    public static (double[] Raw, int Windows) ChangepointNab(ReadOnlySpan<DateTime> times, ReadOnlySpan<byte> label, ReadOnlySpan<bool> predicted)
    {
        var windows = new List<(DateTime Start, DateTime End)>();
        for (var i = 0; i < label.Length; i++)
        {
            if (label[i] == 1)
            {
                windows.Add((times[i], times[i] + Window));
            }
        }

        for (var w = 0; w + 1 < windows.Count; w++)
        {
            if (windows[w].End >= windows[w + 1].Start)
            {
                windows[w + 1] = (windows[w].End, windows[w + 1].End);
            }
        }

        var first = new DateTime?[windows.Count];
        var falsePositives = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            if (!predicted[i])
            {
                continue;
            }

            var t = times[i];
            var w = windows.FindIndex(x => t >= x.Start && t <= x.End);
            if (w < 0)
            {
                falsePositives++;
            }
            else
            {
                first[w] ??= t;
            }
        }

        var raw = new double[Profiles.Count];
        for (var p = 0; p < raw.Length; p++)
        {
            var (tp, fp, fn) = Profiles[p];
            raw[p] = fp * falsePositives;
            for (var w = 0; w < windows.Count; w++)
            {
                raw[p] += first[w] is { } t ? Scale((t - windows[w].Start) / (windows[w].End - windows[w].Start), tp, fp) : fn;
            }
        }

        return (raw, windows.Count);
    }

    /// <summary>tsad <c>my_scale</c> with koef 1 and detalization 1000 at relative position <paramref name="position"/> in [0, 1].</summary>
    public static double Scale(double position, double tp, double fp)
    {
        var e = Math.Min(999, (int)(position * 1000));
        var x = (-Math.PI / 2) + (e * Math.PI / 999);
        return ((tp - fp) / 2 * -Math.Tanh(x) / Math.Tanh(Math.PI / 2)) + ((tp - fp) / 2) + fp;
    }

    /// <summary>a/b, or 0 when b is 0.</summary>
    public static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    /// <summary>100·(raw − null)/(perfect − null) with null = n·A_FN and perfect = n·A_TP (0 when there are no windows).</summary>
    public static double Normalise(double raw, int windows, (double Tp, double Fp, double Fn) profile) =>
        windows == 0 ? 0 : 100 * (raw - (windows * profile.Fn)) / ((windows * profile.Tp) - (windows * profile.Fn));
}
