using Appliance.Detection;

namespace Appliance.Evaluation;

/// <summary>
/// Runs registry detectors (<see cref="DetectorSpec"/>) over NAB series: each gets one series at a time in row order;
/// like NAB's own detectors (numenta/NAB <c>nab/detectors/base.py</c>: inputMin, inputMax) the range-based ones are told
/// the file's minimum and maximum and its probationary length.
/// </summary>
public static class NabRun
{
    /// <summary>Creates the detector of <paramref name="spec"/> for one NAB series.</summary>
    /// <param name="spec">A <see cref="DetectorSpec"/> specification.</param>
    /// <param name="series">The series it will see (its range for the range-based detectors, its probationary length).</param>
    /// <exception cref="ArgumentException">Unknown name or key, or a value that is not a number (the message says which).</exception>
    public static ISampleDetector Create(string spec, NabSeries series) => DetectorSpec.Create(spec, series.Values.Min(), series.Values.Max(), series.ProbationaryLength);

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
