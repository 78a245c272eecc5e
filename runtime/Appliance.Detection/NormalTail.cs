namespace Appliance.Detection;

/// <summary>
/// The standard normal tail: the complementary error function and the Q function, Q(z) = ½·erfc(z/√2)
/// (Abramowitz &amp; Stegun 1964, §7.1.2 and 26.2.29). .NET has no erfc, so it is computed here: the Maclaurin series of
/// erf (A&amp;S 7.1.5) below 2, and the continued fraction of erfc (A&amp;S 7.1.14) from 2 on, evaluated bottom-up with
/// 60 terms; both give about 1e-14 absolute accuracy (checked against A&amp;S Table 7.1 in the tests).
/// </summary>
public static class NormalTail
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    /// <summary>erfc(x) = 1 − erf(x), for any x; NaN for NaN.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2.0 - Erfc(-x);
        }

        if (x < 2.0)
        {
            // erf(x) = 2/√π Σ (−1)ⁿ x^{2n+1} / (n! (2n+1)).
            var x2 = x * x;
            var term = x;
            var sum = x;
            for (var n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                var add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }

            return 1.0 - (TwoOverSqrtPi * sum);
        }

        if (x > 27.3)
        {
            return 0.0; // e^{-x²} underflows
        }

        // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
        var f = x;
        for (var k = 60; k >= 1; k--)
        {
            f = x + (0.5 * k / f);
        }

        return Math.Exp(-x * x) * InvSqrtPi / f;
    }

    /// <summary>Two-sided tail score 1 − Q(|x − mean| / σ): 0.5 at the mean, → 1 far from it (NAB windowedGaussian;
    /// nupic <c>anomaly_likelihood.normalProbability</c> reflects values below the mean).</summary>
    /// <param name="x">The value.</param>
    /// <param name="mean">Distribution mean.</param>
    /// <param name="sigma">Standard deviation &gt; 0.</param>
    public static double TailScore(double x, double mean, double sigma)
    {
        var z = Math.Abs(x - mean) / sigma;
        return 1.0 - (0.5 * Erfc(z * 0.7071067811865476));
    }
}
