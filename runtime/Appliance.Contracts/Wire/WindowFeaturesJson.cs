using System.Text.Json;
using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Wire;

/// <summary>
/// Window features as JSON members, the same for every printer of them (<c>appliance stats --json</c>, <c>cloud rollup
/// --json</c>, <c>GET /api/rollups</c>): numbers that are not finite are null (RFC 8259 §6 has no NaN or infinity).
/// </summary>
public static class WindowFeaturesJson
{
    /// <summary>Writes <c>count</c>, <c>nan_count</c>, <c>mean</c>, <c>std</c> (ddof 1), <c>min</c>, <c>max</c>, <c>rms</c>,
    /// <c>skewness</c>, <c>kurtosis</c> (pandas conventions, <see cref="WindowFeatures"/>) into the open object.</summary>
    /// <param name="w">A writer inside an object.</param>
    /// <param name="f">The features.</param>
    public static void WriteShape(Utf8JsonWriter w, in WindowFeatures f)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteNumber("count"u8, f.Count);
        w.WriteNumber("nan_count"u8, f.NanCount);
        Number(w, "mean"u8, f.Mean);
        Number(w, "std"u8, f.StdDev);
        Number(w, "min"u8, f.Min);
        Number(w, "max"u8, f.Max);
        Number(w, "rms"u8, f.Rms);
        Number(w, "skewness"u8, f.Skewness);
        Number(w, "kurtosis"u8, f.Kurtosis);
    }

    /// <summary>Writes one number member, null when <paramref name="value"/> is NaN or infinite.</summary>
    /// <param name="w">A writer inside an object.</param>
    /// <param name="name">The member's name.</param>
    /// <param name="value">The value.</param>
    public static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
