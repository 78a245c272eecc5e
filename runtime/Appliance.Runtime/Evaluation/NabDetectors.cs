using Appliance.Runtime.Detection;

namespace Appliance.Runtime.Evaluation;

/// <summary>
/// The streaming detectors <c>appliance eval nab</c> can run, by name, with the settings used on NAB. Each gets one
/// series at a time in row order; like NAB's own detectors (numenta/NAB <c>nab/detectors/base.py</c>: inputMin,
/// inputMax) the range-based one is told the file's minimum and maximum.
/// </summary>
public static class NabDetectors
{
    /// <summary>The detector <c>appliance eval nab</c> runs when none is named: the project's best on NAB.</summary>
    public const string Default = "windowed-gaussian";

    /// <summary>Names of the detectors, for help and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["windowed-gaussian", "relative-entropy", "ewma-tail", "cusum"];

    /// <summary>Creates the named detector for one series.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="series">The series it will see (its range, for the range-based detector).</param>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static ISampleDetector Create(string name, NabSeries series) => name switch
    {
        "windowed-gaussian" => new WindowedGaussianDetector(),
        "relative-entropy" => new RelativeEntropyDetector(series.Values.Min(), series.Values.Max()),
        "ewma-tail" => new EwmaTailDetector(alpha: 0.005, warmup: 30),
        "cusum" => new CusumDetector(alpha: 0.005, warmup: 30, k: 0.5, h: 5.0),
        _ => throw new ArgumentException($"--detector {name}: unknown detector (expected one of {string.Join(", ", Names)})"),
    };

    /// <summary>Runs the named detector over every series of the corpus, in parallel over series.</summary>
    /// <param name="corpus">The corpus.</param>
    /// <param name="name">Detector name.</param>
    /// <param name="progress">Called after each series with (series done, series in all); may be null.</param>
    /// <returns>One anomaly score per row, per series.</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static double[][] Run(NabCorpus corpus, string name, Action<int, int>? progress = null)
    {
        _ = Create(name, corpus.Series[0]);
        var scores = new double[corpus.Series.Count][];
        var done = 0;
        Parallel.For(0, corpus.Series.Count, i =>
        {
            var series = corpus.Series[i];
            var detector = Create(name, series);
            var s = new double[series.Length];
            for (var r = 0; r < s.Length; r++)
            {
                s[r] = detector.Update(series.Values[r]);
            }

            scores[i] = s;
            progress?.Invoke(Interlocked.Increment(ref done), corpus.Series.Count);
        });
        return scores;
    }
}
