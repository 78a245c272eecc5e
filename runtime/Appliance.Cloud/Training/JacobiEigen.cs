namespace Appliance.Cloud.Training;

/// <summary>
/// Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan, "Matrix
/// Computations", 4th ed., §8.5.2–8.5.3): rotations zero the off-diagonal entries until their Frobenius norm is below
/// 1e-15 of the matrix's. Accurate to working precision for the F ≤ a few hundred features a window model has.
/// </summary>
internal static class JacobiEigen
{
    /// <summary>Decomposes A = V·diag(λ)·Vᵀ.</summary>
    /// <param name="a">Symmetric n×n matrix (row-major); not modified.</param>
    /// <param name="n">n.</param>
    /// <returns>Eigenvalues in descending order and the matching eigenvectors as the columns of an n×n row-major matrix.</returns>
    public static (double[] Values, double[] Vectors) Decompose(double[] a, int n)
    {
        var m = (double[])a.Clone();
        var v = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            v[(i * n) + i] = 1;
        }

        var norm = 0.0;
        foreach (var x in m)
        {
            norm += x * x;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    off += 2 * m[(p * n) + q] * m[(p * n) + q];
                }
            }

            if (off <= 1e-30 * Math.Max(norm, 1e-300))
            {
                break;
            }

            for (var p = 0; p < n - 1; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    var apq = m[(p * n) + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    // Symmetric Schur decomposition (G&VL Algorithm 8.5.1).
                    var tau = (m[(q * n) + q] - m[(p * n) + p]) / (2 * apq);
                    var t = Math.Sign(tau) / (Math.Abs(tau) + Math.Sqrt(1 + (tau * tau)));
                    if (tau == 0)
                    {
                        t = 1;
                    }

                    var c = 1 / Math.Sqrt(1 + (t * t));
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var mkp = m[(k * n) + p];
                        var mkq = m[(k * n) + q];
                        m[(k * n) + p] = (c * mkp) - (s * mkq);
                        m[(k * n) + q] = (s * mkp) + (c * mkq);
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var mpk = m[(p * n) + k];
                        var mqk = m[(q * n) + k];
                        m[(p * n) + k] = (c * mpk) - (s * mqk);
                        m[(q * n) + k] = (s * mpk) + (c * mqk);
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var vkp = v[(k * n) + p];
                        var vkq = v[(k * n) + q];
                        v[(k * n) + p] = (c * vkp) - (s * vkq);
                        v[(k * n) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        var order = Enumerable.Range(0, n).OrderByDescending(i => m[(i * n) + i]).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            values[j] = m[(order[j] * n) + order[j]];
            for (var k = 0; k < n; k++)
            {
                vectors[(k * n) + j] = v[(k * n) + order[j]];
            }
        }

        return (values, vectors);
    }
}
