namespace Appliance.Kernels.Tests.Statistics;

/// <summary>
/// An independent reference: plain loops in double, the textbook two-pass algorithm (mean first, with Neumaier
/// compensated summation, then Σ (x - mean)^p), and the error scales used to state tolerances.
/// </summary>
internal static class TextbookReference
{
    /// <summary>Unit roundoff of binary64, 2⁻⁵³ (IEEE 754).</summary>
    public const double U = 1.1102230246251565e-16;

    public static (WindowFeatures Features, double[] Scale) Compute(IReadOnlyList<double> xs)
    {
        var f = WindowFeatures.Empty;
        var numbers = new List<double>();
        bool haveLast = false;
        bool lastNegative = false;
        foreach (double x in xs)
        {
            if (double.IsNaN(x))
            {
                f.NanCount++;
                continue;
            }

            numbers.Add(x);
            bool negative = x < 0.0;
            if (haveLast && negative != lastNegative)
            {
                f.ZeroCrossings++;
            }

            haveLast = true;
            lastNegative = negative;
        }

        f.Count = numbers.Count;
        var scale = new double[5];
        if (numbers.Count == 0)
        {
            return (f, scale);
        }

        f.First = numbers[0];
        f.Last = numbers[^1];
        f.Min = numbers.Min();
        f.Max = numbers.Max();
        double sum = 0.0, c = 0.0;
        foreach (double x in numbers)
        {
            // Neumaier (1974) compensated summation.
            double t = sum + x;
            c += Math.Abs(sum) >= Math.Abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }

        f.Mean = (sum + c) / numbers.Count;
        double k = numbers[0];
        foreach (double x in numbers)
        {
            double d = x - f.Mean;
            f.M2 += d * d;
            f.M3 += d * d * d;
            f.M4 += d * d * d * d;
            f.SumOfSquares += x * x;
            // The magnitude of the terms either algorithm adds: a bound on its rounding error is (n+c)·u times this.
            for (int p = 1; p <= 4; p++)
            {
                scale[p] += Math.Pow(Math.Abs(x - k), p) + Math.Pow(Math.Abs(d), p);
            }
        }

        scale[0] = f.SumOfSquares;
        return (f, scale);
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> matches the reference. Counts, extremes, first, last and crossings are
    /// exact. A sum of n terms in any order is within (n-1)·u·Σ|terms| of the exact sum (Higham 2002, "Accuracy and
    /// Stability of Numerical Algorithms", §4.2); the shifted-to-central conversion adds a few u of the shifted sums,
    /// and the reference errs likewise, so each moment sum is allowed 4·(n+8)·u·scale.
    /// </summary>
    public static void AssertMatches(IReadOnlyList<double> xs, WindowFeatures actual, string what) =>
        AssertMatches(xs, actual, what, floatLanes: false);

    /// <summary>
    /// As <see cref="AssertMatches(IReadOnlyList{double}, WindowFeatures, string)"/>, for the float kernel at a vector
    /// width: its vector paths form d = x - K, d², d³, d⁴ and x² in float and sum 64 terms per lane before widening
    /// (WindowStatistics class remarks). Each term then carries up to 4 float roundings (d when x, K are not within a
    /// factor 2, and up to three products) and each block sum up to 63 more, so every sum is within
    /// (64 + 8)·2⁻²⁴·Σ|terms| (Higham 2002, §4.2, with u = 2⁻²⁴); the moment sums are allowed twice that.
    /// </summary>
    public static void AssertMatchesFloatKernel(IReadOnlyList<double> xs, WindowFeatures actual, int width, string what) =>
        AssertMatches(xs, actual, what, floatLanes: width != 0);

    /// <summary>Unit roundoff of binary32, 2⁻²⁴ (IEEE 754).</summary>
    public const double FloatU = 5.9604644775390625e-08;

    /// <summary>Relative tolerance of the float-lane sums: 2·(64 + 8)·2⁻²⁴ ≈ 8.6e-6 of Σ|terms| (see AssertMatchesFloatKernel).</summary>
    public const double FloatLaneTolerance = 2.0 * (64 + 8) * FloatU;

    private static void AssertMatches(IReadOnlyList<double> xs, WindowFeatures actual, string what, bool floatLanes)
    {
        (WindowFeatures e, double[] scale) = Compute(xs);
        long n = e.Count;
        Assert.True(e.Count == actual.Count, $"{what}: Count {actual.Count}, expected {e.Count}");
        Assert.True(e.NanCount == actual.NanCount, $"{what}: NanCount {actual.NanCount}, expected {e.NanCount}");
        Assert.True(e.ZeroCrossings == actual.ZeroCrossings, $"{what}: ZeroCrossings {actual.ZeroCrossings}, expected {e.ZeroCrossings}");
        Assert.True(Same(e.Min, actual.Min), $"{what}: Min {actual.Min}, expected {e.Min}");
        Assert.True(Same(e.Max, actual.Max), $"{what}: Max {actual.Max}, expected {e.Max}");
        Assert.True(Same(e.First, actual.First), $"{what}: First {actual.First}, expected {e.First}");
        Assert.True(Same(e.Last, actual.Last), $"{what}: Last {actual.Last}, expected {e.Last}");
        if (n == 0)
        {
            Assert.True(double.IsNaN(actual.Mean), $"{what}: Mean {actual.Mean}, expected NaN");
            return;
        }

        double tol = 4.0 * (n + 8) * U + (floatLanes ? FloatLaneTolerance : 0.0);
        Close(e.Mean, actual.Mean, tol * (scale[1] / n) + 4 * U * Math.Abs(e.Mean), what + ": Mean");
        Close(e.M2, actual.M2, tol * scale[2], what + ": M2");
        Close(e.M3, actual.M3, tol * scale[3], what + ": M3");
        Close(e.M4, actual.M4, tol * scale[4], what + ": M4");
        Close(e.SumOfSquares, actual.SumOfSquares, tol * scale[0], what + ": SumOfSquares");
    }

    public static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"{what}: {actual:R}, expected {expected:R} ± {tolerance:R} (off by {Math.Abs(expected - actual):R})");

    private static bool Same(double a, double b) => a.Equals(b) || (a == b);
}
