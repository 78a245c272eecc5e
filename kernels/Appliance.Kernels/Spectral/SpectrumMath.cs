using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>The frame and bin arithmetic that <see cref="SpectralAnalyzer"/> and <see cref="WelchEstimator"/> share.</summary>
internal static class SpectrumMath
{
    /// <summary>Fills <paramref name="window"/> with the N-point window and returns S₂ = Σ w[n]² (Heinzel et al. 2002, eq. 20).</summary>
    public static double FillWindow(Span<double> window, WindowFunction function)
    {
        int n = window.Length;
        double s2 = 0.0;
        for (int i = 0; i < n; i++)
        {
            window[i] = function == WindowFunction.Hann ? 0.5 - (0.5 * Math.Cos(2.0 * Math.PI * i / n)) : 1.0;
            s2 += window[i] * window[i];
        }

        return s2;
    }

    /// <summary>Writes (x[n] − mean)·w[n] to <paramref name="output"/>, NaN samples replaced by the mean of the others (a gap,
    /// not a spike); returns that mean (0 when every sample is NaN).</summary>
    public static double Detrend(ReadOnlySpan<float> frame, ReadOnlySpan<double> window, Span<double> output)
    {
        double sum = 0.0;
        int numbers = 0;
        foreach (float x in frame)
        {
            if (!float.IsNaN(x))
            {
                sum += x;
                numbers++;
            }
        }

        double mean = numbers == 0 ? 0.0 : sum / numbers;
        for (int n = 0; n < frame.Length; n++)
        {
            double x = float.IsNaN(frame[n]) ? mean : frame[n];
            output[n] = (x - mean) * window[n];
        }

        return mean;
    }

    /// <summary>Adds the one-sided power c_k·|X_k|²·scale of bins 0..N/2 to <paramref name="sums"/> (c_k = 1 at DC and Nyquist, else 2).</summary>
    public static void AccumulatePower(ReadOnlySpan<Complex> spectrum, double scale, Span<double> sums)
    {
        int last = sums.Length - 1;
        for (int k = 0; k <= last; k++)
        {
            double c = k == 0 || k == last ? 1.0 : 2.0;
            sums[k] += c * scale * ((spectrum[k].Real * spectrum[k].Real) + (spectrum[k].Imaginary * spectrum[k].Imaginary));
        }
    }

    /// <summary>The bins k (0 ≤ k ≤ last) with low ≤ k·binHz &lt; high, as [from, to] inclusive (empty when to &lt; from).</summary>
    public static (int From, int To) BandBins(double low, double high, double binHz, int last) =>
        (Math.Max(0, (int)Math.Ceiling(low / binHz)), Math.Min(last, (int)Math.Ceiling(high / binHz) - 1));

    /// <summary>Σ power[k] over [from, to].</summary>
    public static double Sum(ReadOnlySpan<double> power, int from, int to)
    {
        double e = 0.0;
        for (int k = from; k <= to; k++)
        {
            e += power[k];
        }

        return e;
    }
}
