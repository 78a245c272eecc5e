using Appliance.Detection;

namespace Appliance.Evaluation;

/// <summary>
/// Runs registry detectors (<see cref="DetectorSpec"/>) over NAB series: each gets one series at a time in row order and is
/// built exactly as a device builds a sensor's <c>detector = "..."</c> without <c>detector_range</c>
/// (<c>DetectorSpec.Create(spec, NaN, NaN)</c>): it is told neither the file's minimum and maximum nor its probationary
/// length, so a specification NAB scores is one a device accepts unchanged, with the same meaning, and no detector sees
/// past the row it scores. Lengths are given in samples (<c>artime:learn=N</c>, <c>|holdoff=N</c>); ranges are learnt from
/// the learning period (<see cref="ArtimeDetector.LearningItsRange"/>). <see cref="CreateToldAsNab"/> is NAB's own
/// protocol (numenta/NAB <c>nab/detectors/base.py</c>: inputMin, inputMax, probationaryPeriod), kept to check that
/// <c>artime</c> reproduces ARTime's published scores; it looks ahead (the whole file's range) and is not deployable.
/// </summary>
public static class NabRun
{
    /// <summary>Creates the detector of <paramref name="spec"/> for one NAB series as a device would build it.</summary>
    /// <param name="spec">A <see cref="DetectorSpec"/> specification.</param>
    /// <param name="series">The series it will see (unused: a device knows nothing of the file in advance).</param>
    /// <exception cref="ArgumentException">Unknown name or key, a value that is not a number, or a setting a device cannot
    /// take (a file fraction, a detector that needs a range: the message says which).</exception>
    public static ISampleDetector Create(string spec, NabSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return DetectorSpec.Create(spec, double.NaN, double.NaN);
    }

    /// <summary>
    /// Creates the detector of <paramref name="spec"/> told what NAB tells its detectors: the file's minimum and maximum
    /// (look-ahead) and its probationary length (a file fraction). For reproducing published NAB detectors only.
    /// </summary>
    /// <param name="spec">A <see cref="DetectorSpec"/> specification.</param>
    /// <param name="series">The series it will see.</param>
    /// <exception cref="ArgumentException">Unknown name or key, or a value that is not a number (the message says which).</exception>
    public static ISampleDetector CreateToldAsNab(string spec, NabSeries series) => DetectorSpec.Create(spec, series.Values.Min(), series.Values.Max(), series.ProbationaryLength);

    /// <summary>Runs the named detector over every series of the corpus, in parallel over series.</summary>
    /// <param name="corpus">The corpus.</param>
    /// <param name="name">Detector name.</param>
    /// <param name="progress">Called after each series with (series done, series in all); may be null.</param>
    /// <returns>One anomaly score per row, per series.</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static double[][] Run(NabCorpus corpus, string name, Action<int, int>? progress = null) => Run(corpus, name, Create, progress);

    /// <summary>Runs the named detector over every series, told what NAB tells its detectors (<see cref="CreateToldAsNab"/>; not deployable).</summary>
    /// <param name="corpus">The corpus.</param>
    /// <param name="name">Detector name.</param>
    /// <returns>One anomaly score per row, per series.</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static double[][] RunToldAsNab(NabCorpus corpus, string name) => Run(corpus, name, CreateToldAsNab, progress: null);

    private static double[][] Run(NabCorpus corpus, string name, Func<string, NabSeries, ISampleDetector> create, Action<int, int>? progress)
    {
        _ = create(name, corpus.Series[0]);
        var scores = new double[corpus.Series.Count][];
        var done = 0;
        Parallel.For(0, corpus.Series.Count, i =>
        {
            var series = corpus.Series[i];
            var detector = create(name, series);
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
