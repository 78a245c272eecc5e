namespace Appliance.Evaluation;

/// <summary>Scores one detector's per-row anomaly scores over a NAB corpus under every profile.</summary>
public static class NabEvaluation
{
    /// <summary>
    /// Scores under each of the corpus's profiles, at the given threshold per profile or, where none is given, at the
    /// threshold NAB's optimisation picks (the best raw score over every distinct anomaly score).
    /// </summary>
    /// <param name="corpus">The corpus.</param>
    /// <param name="scores">One anomaly score per row, per series, in <see cref="NabCorpus.Series"/> order.</param>
    /// <param name="thresholds">Threshold per profile name; null (or a missing profile) to optimise.</param>
    /// <returns>One score per profile, in the corpus's profile order.</returns>
    /// <exception cref="ArgumentException">The score arrays do not match the series.</exception>
    public static IReadOnlyList<NabProfileScore> Score(NabCorpus corpus, IReadOnlyList<double[]> scores, IReadOnlyDictionary<string, double>? thresholds)
    {
        if (scores.Count != corpus.Series.Count)
        {
            throw new ArgumentException($"{scores.Count} score arrays for {corpus.Series.Count} series", nameof(scores));
        }

        var results = new NabProfileScore[corpus.Profiles.Count];
        Parallel.For(0, results.Length, p =>
        {
            var profile = corpus.Profiles[p];
            var sweep = NabSweep.Create(corpus.Series, scores, profile, corpus.LabelledWindows);
            results[p] = thresholds is not null && thresholds.TryGetValue(profile.Name, out var t) ? sweep.ScoreAt(t) : sweep.Optimise();
        });
        return results;
    }
}
