namespace Appliance.Kernels.Tests.Statistics;

public class WindowStatisticsTests
{
    private static readonly int[] LargeLengths = [4096 + 3, (1 << 20) + 5];

    private static IEnumerable<int> Lengths() => Enumerable.Range(0, 258).Concat(LargeLengths);

    private static double[] Noise(int n, int seed, double mean, double sd, double nanFraction = 0.0)
    {
        var rng = new Random(seed);
        var normal = new Normal(mean, sd, new Random(seed + 1));
        var xs = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = rng.NextDouble() < nanFraction ? double.NaN : normal.Sample();
        }

        return xs;
    }

    private static float[] ToFloat(double[] xs) => Array.ConvertAll(xs, x => (float)x);

    private static double[] Widen(float[] xs) => Array.ConvertAll(xs, x => (double)x);

    [Fact]
    public void ComputeFloat_EveryLengthAndWidth_MatchesTextbookTwoPass()
    {
        foreach (int n in Lengths())
        {
            float[] xs = ToFloat(Noise(n, 1000 + n, 0.5, 1.0));
            foreach (int w in Widths.Available())
            {
                TextbookReference.AssertMatchesFloatKernel(Widen(xs), WindowStatistics.Compute(xs, w), w, $"float n={n} width={w}");
            }
        }
    }

    [Fact]
    public void ComputeDouble_EveryLengthAndWidth_MatchesTextbookTwoPass()
    {
        foreach (int n in Lengths())
        {
            double[] xs = Noise(n, 2000 + n, 0.5, 1.0);
            foreach (int w in Widths.Available())
            {
                TextbookReference.AssertMatches(xs, WindowStatistics.Compute(xs, w), $"double n={n} width={w}");
            }
        }
    }

    [Fact]
    public void Compute_SamplesWithNaN_SkipsAndCountsThem()
    {
        foreach (int n in Enumerable.Range(0, 258).Append(4096 + 3))
        {
            double[] xs = Noise(n, 3000 + n, 0.2, 1.0, nanFraction: 0.15);
            if (n > 2)
            {
                xs[0] = double.NaN; // a leading NaN moves the shift K to the next sample
                xs[^1] = double.NaN; // a trailing NaN moves Last back
            }

            float[] fs = ToFloat(xs);
            foreach (int w in Widths.Available())
            {
                TextbookReference.AssertMatches(xs, WindowStatistics.Compute(xs, w), $"double+NaN n={n} width={w}");
                TextbookReference.AssertMatchesFloatKernel(Widen(fs), WindowStatistics.Compute(fs, w), w, $"float+NaN n={n} width={w}");
            }
        }
    }

    [Fact]
    public void ComputeFloat_RareNaNAtBlockEdges_MatchesTextbookTwoPass()
    {
        // The float pass takes each block of FloatTermsPerLane steps without the NaN masks and redoes a block that holds
        // a NaN with them; a NaN on a block's first or last sample, or a run of NaNs across a block boundary, tests the
        // crossing carry between an unmasked and a masked block in both directions. Signs alternate in runs, so
        // crossings are many. Reference: the textbook two-pass mean/moments and the adjacent sign-change count.
        var rng = new Random(4242);
        int n = 40_000;
        var xs = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = (((i / 3) % 2 == 0) ? 1.0 : -1.0) * (0.5 + rng.NextDouble());
        }

        foreach (int w in Widths.Available().Where(w => w != 0))
        {
            int step = 2 * w / 32;
            int block = WindowStatistics.FloatTermsPerLane * step;
            double[] ys = (double[])xs.Clone();
            // Block b starts at 1 + b·block (the pass starts after the first sample).
            ys[1 + (2 * block)] = double.NaN;            // first sample of block 2
            ys[(4 * block)] = double.NaN;                // last sample of block 3
            ys[1 + (6 * block) - 1] = double.NaN;        // a run across the boundary of blocks 5 and 6
            ys[1 + (6 * block)] = double.NaN;
            ys[1 + (6 * block) + 1] = double.NaN;
            ys[1 + (9 * block) + 5] = double.NaN;        // inside block 9
            float[] fs = ToFloat(ys);
            TextbookReference.AssertMatchesFloatKernel(Widen(fs), WindowStatistics.Compute(fs, w), w, $"float rare NaN width={w}");
            TextbookReference.AssertMatches(ys, WindowStatistics.Compute(ys, w), $"double rare NaN width={w}");
        }
    }

    [Fact]
    public void Compute_AllNaN_CountZeroAndNaNMean()
    {
        var xs = new float[37];
        Array.Fill(xs, float.NaN);

        WindowFeatures f = WindowStatistics.Compute(xs);

        Assert.Equal(0, f.Count);
        Assert.Equal(37, f.NanCount);
        Assert.True(double.IsNaN(f.Mean) && double.IsNaN(f.Min) && double.IsNaN(f.Max) && double.IsNaN(f.First));
        Assert.True(double.IsNaN(f.Variance) && double.IsNaN(f.Rms));
    }

    [Fact]
    public void Compute_PositiveInfinity_MinMaxAndInfiniteMeanNaNMoments()
    {
        // IEEE 754 arithmetic: a sum holding +inf (and no -inf) is +inf, as numpy.mean([1, inf, 2]) = inf;
        // (x - mean) is then -inf or NaN, so the central moments are undefined.
        foreach (int w in Widths.Available())
        {
            double[] xs = Noise(40, 5, 0.0, 1.0);
            xs[17] = double.PositiveInfinity;
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            Assert.Equal(double.PositiveInfinity, f.Max);
            Assert.Equal(xs.Where(x => !double.IsInfinity(x)).Min(), f.Min);
            Assert.Equal(double.PositiveInfinity, f.Mean);
            Assert.True(double.IsNaN(f.M2) && double.IsNaN(f.M3) && double.IsNaN(f.M4), $"width={w}");
            Assert.Equal(40, f.Count);
        }
    }

    [Fact]
    public void Compute_BothInfinitiesFirstSampleInfinite_NaNMean()
    {
        foreach (int w in Widths.Available())
        {
            float[] xs = ToFloat(Noise(50, 6, 0.0, 1.0));
            xs[0] = float.NegativeInfinity;
            xs[33] = float.PositiveInfinity;
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            Assert.Equal(double.NegativeInfinity, f.Min);
            Assert.Equal(double.PositiveInfinity, f.Max);
            Assert.Equal(double.NegativeInfinity, f.First);
            Assert.True(double.IsNaN(f.Mean), $"width={w}: +inf + -inf is NaN (IEEE 754 §7.2)");
        }
    }

    [Fact]
    public void ComputeFloat_Denormals_MatchesTextbookTwoPass()
    {
        // Subnormal floats (below 2⁻¹²⁶) widen to normal doubles exactly, so the double reference applies unchanged.
        var xs = new float[301];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = float.Epsilon * ((i * 7919) % 1000 - 500);
        }

        Assert.True(float.IsSubnormal(xs[1]));
        foreach (int w in Widths.Available())
        {
            TextbookReference.AssertMatches(Widen(xs), WindowStatistics.Compute(xs, w), $"denormal width={w}");
        }
    }

    [Fact]
    public void Compute_AllEqual_VarianceExactlyZeroSkewKurtZeroAsPandas()
    {
        // pandas/core/nanops.py nanskew and nankurt return 0 where the second moment is 0
        // ("result = np.where(m2 == 0, 0, result)"), e.g. pd.Series([3.25] * 100).skew() == 0.0.
        foreach (int w in Widths.Available())
        {
            var xs = new float[100];
            Array.Fill(xs, 3.25f);
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            Assert.Equal(0.0, f.M2);
            Assert.Equal(0.0, f.Variance);
            Assert.Equal(3.25, f.Mean);
            Assert.Equal(0.0, f.Skewness);
            Assert.Equal(0.0, f.Kurtosis);
        }
    }

    [Fact]
    public void ComputeDouble_HugeOffsetSmallNoise_VarianceMatchesReference()
    {
        // 1e6 + N(0, 0.01²): the naive Σx² - (Σx)²/n loses all digits (Chan, Golub, LeVeque 1983, §3);
        // the shifted sums must keep the variance to 1e-9 relative (the brief asks 1e-6).
        double[] xs = Noise(4096 + 3, 11, 1e6, 1e-2);
        (WindowFeatures e, _) = TextbookReference.Compute(xs);
        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            TextbookReference.Close(e.Variance, f.Variance, 1e-9 * e.Variance, $"width={w}: Variance");
            TextbookReference.Close(e.Mean, f.Mean, 1e-15 * 1e6, $"width={w}: Mean");
        }
    }

    [Fact]
    public void ComputeFloat_OffsetSmallNoise_VarianceMatchesReference()
    {
        // float carries 24 bits: at 1e4 the ulp is 2⁻¹⁰, so noise of σ = 0.01 is still resolved.
        float[] xs = ToFloat(Noise(4096 + 3, 12, 1e4, 1e-2));
        (WindowFeatures e, _) = TextbookReference.Compute(Widen(xs));
        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            TextbookReference.Close(e.Variance, f.Variance, 1e-9 * e.Variance, $"width={w}: Variance");
        }
    }

    // NIST Statistical Reference Datasets, univariate summary statistics (https://www.itl.nist.gov/div898/strd/univ/),
    // "higher difficulty" NumAcc1..4: certified mean and sample standard deviation. The decimal data round to binary64
    // with relative error ≤ 2⁻⁵³; at 1e7 that is ≤ 9.3e-10 absolute per value against a spread of 0.1, so the standard
    // deviation can only be met to about 2e-8 relative from the rounded inputs (NumAcc4), 2e-9 (NumAcc3).
    [Fact]
    public void ComputeDouble_NistNumAcc1_CertifiedMeanAndStdDev()
    {
        double[] xs = [10000001, 10000003, 10000002];
        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            Assert.Equal(10000002.0, f.Mean);
            Assert.Equal(1.0, f.StdDev);
        }
    }

    [Theory]
    [InlineData(1.2, 1.1, 1.3, 1.2, 1e-15, 1e-13)] // NumAcc2
    [InlineData(1000000.2, 1000000.1, 1000000.3, 1000000.2, 1e-9, 2e-9)] // NumAcc3
    [InlineData(10000000.2, 10000000.1, 10000000.3, 10000000.2, 1e-8, 2e-8)] // NumAcc4
    public void ComputeDouble_NistNumAccAlternating_CertifiedMeanAndStdDev(
        double first, double low, double high, double certifiedMean, double meanTolerance, double sdRelativeTolerance)
    {
        // 1001 observations: the first, then 500 pairs (low, high); certified sample standard deviation 0.1.
        var xs = new double[1001];
        xs[0] = first;
        for (int i = 1; i < xs.Length; i += 2)
        {
            xs[i] = low;
            xs[i + 1] = high;
        }

        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            TextbookReference.Close(certifiedMean, f.Mean, meanTolerance, $"width={w}: Mean");
            TextbookReference.Close(0.1, f.StdDev, sdRelativeTolerance * 0.1, $"width={w}: StdDev");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Compute_SkewedData_SkewnessAndKurtosisMatchMathNet(int n)
    {
        // MathNet.Numerics Statistics.Skewness / Kurtosis are the bias-corrected G1 and G2 of Joanes and Gill (1998),
        // the same estimators as pandas Series.skew() / kurt() (pandas/core/nanops.py nanskew, nankurt).
        var exp = new Exponential(1.0, new Random(n));
        double[] xs = exp.Samples().Take(n).Select(x => 10 + x).ToArray();
        double g1 = MathNet.Numerics.Statistics.Statistics.Skewness(xs);
        double g2 = MathNet.Numerics.Statistics.Statistics.Kurtosis(xs);
        double sd = MathNet.Numerics.Statistics.Statistics.StandardDeviation(xs);
        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            TextbookReference.Close(g1, f.Skewness, 1e-10, $"n={n} width={w}: Skewness");
            TextbookReference.Close(g2, f.Kurtosis, 1e-10, $"n={n} width={w}: Kurtosis");
            TextbookReference.Close(sd, f.StdDev, 1e-12 * sd, $"n={n} width={w}: StdDev");
        }
    }

    [Fact]
    public void Compute_FewSamples_SkewNaNBelowThreeKurtNaNBelowFour()
    {
        // pandas nanskew: NaN when count < 3; nankurt: NaN when count < 4.
        WindowFeatures three = WindowStatistics.Compute([1.0, 2.0, 4.0]);
        Assert.False(double.IsNaN(three.Skewness));
        Assert.True(double.IsNaN(three.Kurtosis));
        Assert.True(double.IsNaN(WindowStatistics.Compute([1.0, 2.0]).Skewness));
        Assert.True(double.IsNaN(WindowStatistics.Compute([1.0]).Variance));
    }

    [Fact]
    public void Compute_SquareWave_RmsCrestZeroCrossingRateKnown()
    {
        // A ±2 square wave: RMS 2, crest factor 1, a sign change at every sample interval (rate 1).
        var xs = new float[64];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = i % 2 == 0 ? 2f : -2f;
        }

        WindowFeatures f = WindowStatistics.Compute(xs);
        Assert.Equal(2.0, f.Rms, 12);
        Assert.Equal(1.0, f.CrestFactor, 12);
        Assert.Equal(1.0, f.ZeroCrossingRate);
        Assert.Equal(4.0, f.PeakToPeak);
        Assert.Equal(0.0, f.Sum);
    }

    [Fact]
    public void Compute_Sine_RmsIsAmplitudeOverRootTwo()
    {
        // Over whole periods, RMS of A·sin = A/√2 and the crest factor is √2 (sampled at 64 points per period,
        // the discrete sum Σ sin² over a full period is exactly N/2 by orthogonality of the DFT basis).
        var xs = new double[64 * 4];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = 3.0 * Math.Sin(2 * Math.PI * (i + 0.5) / 64);
        }

        WindowFeatures f = WindowStatistics.Compute(xs);
        Assert.Equal(3.0 / Math.Sqrt(2), f.Rms, 12);
        Assert.Equal(2 * 4 - 1, f.ZeroCrossings); // 2 per period; the 4th period's closing crossing (at sample 256) falls outside
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public void Compute_UnsupportedWidth_ThrowsNamingWidth(int bits)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WindowStatistics.Compute(new float[4], bits));
        Assert.Contains($"{bits} bits", e.Message);
    }

    [Fact]
    public void ComputeFloat_MillionOffsetSmallNoise_NoCatastrophicCancellation()
    {
        // 1e6 + N(0, 1): float's ulp at 1e6 is 0.0625, so the samples are multiples of 1/16 near 1e6; d = x - K is exact
        // (Sterbenz) and the float lane sums of d, d² are exact for 64 terms, so the variance matches the double
        // reference to the float-lane bound (TextbookReference.FloatLaneTolerance), where Σx² - (Σx)²/n in float
        // would lose every digit (Chan, Golub and LeVeque 1983, §3).
        float[] xs = ToFloat(Noise(100_003, 21, 1e6, 1.0));
        (WindowFeatures e, _) = TextbookReference.Compute(Widen(xs));
        foreach (int w in Widths.Available())
        {
            WindowFeatures f = WindowStatistics.Compute(xs, w);
            TextbookReference.Close(e.Variance, f.Variance, TextbookReference.FloatLaneTolerance * e.Variance, $"width={w}: Variance");
            TextbookReference.Close(e.Kurtosis, f.Kurtosis, 1e-4, $"width={w}: Kurtosis");
        }
    }

    [Theory]
    [InlineData(1e-12)] // spread below 2⁻²⁰: d⁴ would underflow in float
    [InlineData(1e12)]  // spread above 2³⁰: d⁴ would overflow in float
    public void ComputeFloat_SpreadOutsideFloatLaneRange_WidenedPathKeepsDoubleAccuracy(double scale)
    {
        // The fallback redoes such windows in double lanes, so the double tolerance applies (TextbookReference.AssertMatches).
        float[] xs = ToFloat(Noise(1000, 22, 0.0, scale));
        foreach (int w in Widths.Available())
        {
            TextbookReference.AssertMatches(Widen(xs), WindowStatistics.Compute(xs, w), $"scale={scale} width={w}");
        }
    }
}
