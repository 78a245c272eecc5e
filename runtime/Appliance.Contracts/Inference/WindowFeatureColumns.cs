using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Inference;

/// <summary>
/// The window features a model can take as input, by the names <c>appliance stats --json</c> prints (count, mean, std,
/// min, max, rms, skewness, kurtosis, sum, peak_to_peak, crest_factor, zero_crossing_rate, first, last), so that a model
/// trained on one set of windows sees the same numbers on the device. A model names its columns in its ONNX metadata
/// (<see cref="OnnxScorer.FeaturesKey"/>); a model without that metadata takes <see cref="Default"/>.
/// A feature that is undefined for a window (std of one sample, skewness of a constant) is given as 0, so that a model
/// never sees NaN from a well-formed window.
/// </summary>
public static class WindowFeatureColumns
{
    /// <summary>The columns of a model without feature metadata: the window's mean and sample standard deviation.</summary>
    public static IReadOnlyList<string> Default { get; } = ["mean", "std"];

    /// <summary>Every known column name.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["count", "mean", "std", "min", "max", "rms", "skewness", "kurtosis", "sum", "peak_to_peak", "crest_factor", "zero_crossing_rate", "first", "last"];

    /// <summary>Maps column names to column ids for <see cref="Value"/>.</summary>
    /// <param name="names">Column names, in model input order.</param>
    /// <returns>The ids, one per name.</returns>
    /// <exception cref="ArgumentException">A name is not a known column (the message lists the known ones).</exception>
    public static int[] Resolve(IReadOnlyList<string> names)
    {
        var ids = new int[names.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = IndexOf(names[i]);
            if (ids[i] < 0)
            {
                throw new ArgumentException($"feature '{names[i]}' is not a window feature (expected one of: {string.Join(", ", Names)})");
            }
        }

        return ids;
    }

    /// <summary>The value of column <paramref name="id"/> (from <see cref="Resolve"/>) for window <paramref name="f"/>; 0 where undefined.</summary>
    public static float Value(in WindowFeatures f, int id)
    {
        var v = id switch
        {
            0 => f.Count,
            1 => f.Mean,
            2 => f.StdDev,
            3 => f.Min,
            4 => f.Max,
            5 => f.Rms,
            6 => f.Skewness,
            7 => f.Kurtosis,
            8 => f.Sum,
            9 => f.PeakToPeak,
            10 => f.CrestFactor,
            11 => f.ZeroCrossingRate,
            12 => f.First,
            _ => f.Last,
        };
        return double.IsFinite(v) ? (float)v : 0f;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
