namespace Appliance.Drivers.Emulation;

/// <summary>Noise that is a pure function of its key (seed, input, time), so an emulated signal gives the same value whatever order it is asked in.</summary>
internal static class SignalNoise
{
    /// <summary>SplitMix64 finaliser (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", OOPSLA 2014).</summary>
    /// <param name="z">The key.</param>
    /// <returns>64 well-mixed bits.</returns>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [−1, 1) from the top 53 bits.</summary>
    /// <param name="bits">Mixed bits.</param>
    /// <returns>The value.</returns>
    public static double Uniform(ulong bits) => ((bits >> 11) * (1.0 / (1UL << 53)) * 2.0) - 1.0;

    /// <summary>Standard normal (mean 0, variance 1) by the Box–Muller transform (Box and Muller, Ann. Math. Statist. 29, 1958) of two mixes of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public static double Gaussian(ulong key)
    {
        ulong a = Mix(key);
        ulong b = Mix(a ^ 0xD1B54A32D192ED03UL);
        double u1 = ((a >> 11) + 1.0) * (1.0 / (1UL << 53)); // (0, 1]: the logarithm stays finite
        double u2 = (b >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
