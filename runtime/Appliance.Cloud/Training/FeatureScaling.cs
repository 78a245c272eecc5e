using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>The per-feature standardisation every trained model carries in its ONNX graph: z = (x − μ)/σ.</summary>
internal static class FeatureScaling
{
    /// <summary>
    /// μ and σ of each feature over <paramref name="rows"/>: the mean and the population standard deviation, σ floored at
    /// <see cref="StandardScoreModel.MinSigma"/>·max(1, |μ|) so that a constant feature does not divide by zero.
    /// </summary>
    /// <param name="rows">At least one row, all of one length F.</param>
    /// <exception cref="ArgumentException">Rows of different lengths.</exception>
    public static (double[] Mean, double[] Sigma) Fit(IReadOnlyList<float[]> rows)
    {
        var f = rows[0].Length;
        var mean = new double[f];
        foreach (var row in rows)
        {
            if (row.Length != f)
            {
                throw new ArgumentException($"training rows have {row.Length} and {f} features", nameof(rows));
            }

            for (var i = 0; i < f; i++)
            {
                mean[i] += row[i];
            }
        }

        for (var i = 0; i < f; i++)
        {
            mean[i] /= rows.Count;
        }

        var sigma = new double[f];
        foreach (var row in rows)
        {
            for (var i = 0; i < f; i++)
            {
                var d = row[i] - mean[i];
                sigma[i] += d * d;
            }
        }

        for (var i = 0; i < f; i++)
        {
            sigma[i] = Math.Max(Math.Sqrt(sigma[i] / rows.Count), StandardScoreModel.MinSigma * Math.Max(1, Math.Abs(mean[i])));
        }

        return (mean, sigma);
    }

    /// <summary>Standardises <paramref name="x"/> into <paramref name="z"/>: z_i = (x_i − μ_i)·(1/σ)_i.</summary>
    public static void Apply(ReadOnlySpan<float> x, double[] mean, double[] invSigma, Span<double> z)
    {
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = (x[i] - mean[i]) * invSigma[i];
        }
    }
}
