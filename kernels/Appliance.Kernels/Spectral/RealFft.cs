using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>
/// Forward discrete Fourier transform of real input of a power-of-two length N:
/// X[k] = Σₙ x[n]·e^(-2πi·kn/N) for k = 0..N/2 (the other half is the conjugate mirror), the sign and scaling of
/// numpy.fft.rfft and MathNet's <c>FourierOptions.Matlab</c>.
/// </summary>
/// <remarks>
/// The N real samples are packed into N/2 complex ones z[n] = x[2n] + i·x[2n+1], transformed by <see cref="ComplexFft"/>
/// (iterative radix-2 decimation in time, Cooley and Tukey 1965), and split with
/// X[k] = (Z[k] + Z*[N/2-k])/2 - (i/2)·e^(-2πik/N)·(Z[k] - Z*[N/2-k]) (the "real FFT via half-length complex FFT" of
/// Press et al., Numerical Recipes, 3rd ed., §12.3.1). Arithmetic is in double; twiddles are precomputed with
/// Math.SinCos at construction, so the error is O(log N)·2⁻⁵³ relative to ‖x‖. A plan allocates its tables and a
/// scratch buffer once; <see cref="Forward"/> allocates nothing. A plan is not thread-safe (it owns the scratch).
/// </remarks>
public sealed class RealFft
{
    private readonly ComplexFft _half;         // the half-length (M = N/2) complex transform
    private readonly Complex[] _splitTwiddles; // e^(-2πik/N), k ≤ N/2
    private readonly Complex[] _z;

    /// <summary>Creates a plan for real input of <paramref name="length"/> samples.</summary>
    /// <param name="length">N: a power of two from 2 to 2²⁴.</param>
    /// <exception cref="ArgumentOutOfRangeException">N is not a power of two in that range.</exception>
    public RealFft(int length)
    {
        if (length < 2 || length > (1 << 24) || !BitOperations.IsPow2(length))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "FFT length must be a power of two from 2 to 16777216");
        }

        Length = length;
        int m = length / 2;
        _z = new Complex[m];
        _half = new ComplexFft(m);
        _splitTwiddles = new Complex[m + 1];
        for (int k = 0; k <= m; k++)
        {
            (double sin, double cos) = Math.SinCos(-2.0 * Math.PI * k / length);
            _splitTwiddles[k] = new Complex(cos, sin);
        }
    }

    /// <summary>N, the number of real input samples.</summary>
    public int Length { get; }

    /// <summary>Number of output bins, N/2 + 1 (0 Hz to the Nyquist frequency).</summary>
    public int BinCount => (Length / 2) + 1;

    /// <summary>Transforms <paramref name="input"/> (N samples) into <paramref name="output"/> (N/2 + 1 bins, DC first).</summary>
    /// <exception cref="ArgumentException">input is not N long or output is shorter than N/2 + 1.</exception>
    public void Forward(ReadOnlySpan<double> input, Span<Complex> output)
    {
        if (input.Length != Length)
        {
            throw new ArgumentException($"input has {input.Length} samples, the plan is for {Length}", nameof(input));
        }

        if (output.Length < BinCount)
        {
            throw new ArgumentException($"output has {output.Length} bins, expected at least {BinCount}", nameof(output));
        }

        int m = Length / 2;
        Span<Complex> z = _z;
        for (int i = 0; i < m; i++)
        {
            z[i] = new Complex(input[2 * i], input[(2 * i) + 1]);
        }

        _half.Forward(z);

        // Split the half-length transform into the real transform's bins 0..m.
        Complex minusHalfI = new(0.0, -0.5);
        for (int k = 0; k <= m; k++)
        {
            Complex zk = z[k % m];
            Complex zc = Complex.Conjugate(z[(m - k) % m]);
            output[k] = (0.5 * (zk + zc)) + (minusHalfI * _splitTwiddles[k] * (zk - zc));
        }
    }
}
