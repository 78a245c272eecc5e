using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>
/// Forward discrete Fourier transform of real input of a power-of-two length N:
/// X[k] = Σₙ x[n]·e^(-2πi·kn/N) for k = 0..N/2 (the other half is the conjugate mirror), the sign and scaling of
/// numpy.fft.rfft and MathNet's <c>FourierOptions.Matlab</c>.
/// </summary>
/// <remarks>
/// The N real samples are packed into N/2 complex ones z[n] = x[2n] + i·x[2n+1], transformed by an iterative radix-2
/// decimation-in-time FFT (Cooley and Tukey 1965; bit-reversed order, in place), and split with
/// X[k] = (Z[k] + Z*[N/2-k])/2 - (i/2)·e^(-2πik/N)·(Z[k] - Z*[N/2-k]) (the "real FFT via half-length complex FFT" of
/// Press et al., Numerical Recipes, 3rd ed., §12.3.1). Arithmetic is in double; twiddles are precomputed with
/// Math.SinCos at construction, so the error is O(log N)·2⁻⁵³ relative to ‖x‖. A plan allocates its tables and a
/// scratch buffer once; <see cref="Forward"/> allocates nothing. A plan is not thread-safe (it owns the scratch).
/// </remarks>
public sealed class RealFft
{
    private readonly Complex[] _twiddles;      // e^(-2πik/M), k < M/2, M = N/2
    private readonly Complex[] _splitTwiddles; // e^(-2πik/N), k ≤ N/4 .. N/2
    private readonly int[] _bitReverse;
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
        _twiddles = new Complex[Math.Max(m / 2, 1)];
        for (int k = 0; k < _twiddles.Length; k++)
        {
            (double sin, double cos) = Math.SinCos(-2.0 * Math.PI * k / m);
            _twiddles[k] = new Complex(cos, sin);
        }

        _splitTwiddles = new Complex[m + 1];
        for (int k = 0; k <= m; k++)
        {
            (double sin, double cos) = Math.SinCos(-2.0 * Math.PI * k / length);
            _splitTwiddles[k] = new Complex(cos, sin);
        }

        _bitReverse = new int[m];
        int bits = BitOperations.Log2((uint)m);
        for (int i = 0; i < m; i++)
        {
            _bitReverse[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
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
            z[_bitReverse[i]] = new Complex(input[2 * i], input[(2 * i) + 1]);
        }

        // Iterative radix-2 butterflies over the bit-reversed sequence.
        for (int size = 2; size <= m; size *= 2)
        {
            int half = size / 2;
            int stride = m / size;
            for (int start = 0; start < m; start += size)
            {
                for (int j = 0; j < half; j++)
                {
                    Complex t = _twiddles[j * stride] * z[start + j + half];
                    Complex u = z[start + j];
                    z[start + j] = u + t;
                    z[start + j + half] = u - t;
                }
            }
        }

        // Split the half-length transform into the real transform's bins 0..m.
        Complex minusHalfI = new(0.0, -0.5);
        for (int k = 0; k <= m; k++)
        {
            Complex zk = z[k % m];
            Complex zc = Complex.Conjugate(z[(m - k) % m]);
            output[k] = (0.5 * (zk + zc)) + (minusHalfI * _splitTwiddles[k] * (zk - zc));
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
