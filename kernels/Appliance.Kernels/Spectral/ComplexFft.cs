using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>
/// In-place discrete Fourier transform of M complex samples, M a power of two: forward X[k] = Σₙ z[n]·e^(-2πi·kn/M),
/// inverse z[n] = (1/M)·Σₖ X[k]·e^(+2πi·kn/M) (the sign and scaling of numpy.fft.fft/ifft and MathNet's
/// <c>FourierOptions.Matlab</c>).
/// </summary>
/// <remarks>
/// Iterative radix-2 decimation in time (Cooley and Tukey 1965): a bit-reversal permutation in place, then log₂M stages of
/// butterflies. Arithmetic in double; the twiddles e^(-2πik/M) are precomputed with Math.SinCos, so the error is
/// O(log M)·2⁻⁵³ relative to ‖z‖. A plan allocates its tables once; the transforms allocate nothing. A plan holds no
/// per-call state, but the caller's buffer is transformed in place.
/// </remarks>
public sealed class ComplexFft
{
    private readonly Complex[] _twiddles; // e^(-2πik/M), k < M/2
    private readonly int[] _bitReverse;

    /// <summary>Creates a plan for <paramref name="length"/> complex samples.</summary>
    /// <param name="length">M: a power of two from 1 to 2²⁴.</param>
    /// <exception cref="ArgumentOutOfRangeException">M is not a power of two in that range.</exception>
    public ComplexFft(int length)
    {
        if (length < 1 || length > (1 << 24) || !BitOperations.IsPow2(length))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "complex FFT length must be a power of two from 1 to 16777216");
        }

        Length = length;
        _twiddles = new Complex[Math.Max(length / 2, 1)];
        for (int k = 0; k < _twiddles.Length; k++)
        {
            (double sin, double cos) = Math.SinCos(-2.0 * Math.PI * k / length);
            _twiddles[k] = new Complex(cos, sin);
        }

        _bitReverse = new int[length];
        int bits = BitOperations.Log2((uint)length);
        for (int i = 0; i < length; i++)
        {
            _bitReverse[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
        }
    }

    /// <summary>M, the number of complex samples.</summary>
    public int Length { get; }

    /// <summary>Forward transform of <paramref name="data"/> (M samples) in place.</summary>
    /// <exception cref="ArgumentException">data is not M long.</exception>
    public void Forward(Span<Complex> data) => Transform(data, inverse: false);

    /// <summary>Inverse transform of <paramref name="data"/> (M bins) in place, scaled by 1/M.</summary>
    /// <exception cref="ArgumentException">data is not M long.</exception>
    public void Inverse(Span<Complex> data) => Transform(data, inverse: true);

    private void Transform(Span<Complex> z, bool inverse)
    {
        int m = Length;
        if (z.Length != m)
        {
            throw new ArgumentException($"data has {z.Length} samples, the plan is for {m}", nameof(z));
        }

        for (int i = 0; i < m; i++)
        {
            int j = _bitReverse[i];
            if (i < j)
            {
                (z[i], z[j]) = (z[j], z[i]);
            }
        }

        for (int size = 2; size <= m; size *= 2)
        {
            int half = size / 2;
            int stride = m / size;
            for (int start = 0; start < m; start += size)
            {
                for (int j = 0; j < half; j++)
                {
                    Complex w = _twiddles[j * stride];
                    Complex t = (inverse ? Complex.Conjugate(w) : w) * z[start + j + half];
                    Complex u = z[start + j];
                    z[start + j] = u + t;
                    z[start + j + half] = u - t;
                }
            }
        }

        if (inverse)
        {
            double scale = 1.0 / m;
            for (int i = 0; i < m; i++)
            {
                z[i] *= scale;
            }
        }
    }

    /// <summary>Reverses the 32 bits of <paramref name="v"/>.</summary>
    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
