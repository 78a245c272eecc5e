using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Storage;

/// <summary>Receives the 12 feature columns of a row (<see cref="FeatureColumns.Write"/>), each by its 0-based position among them.</summary>
internal interface IFeatureSink
{
    /// <summary>An integer column (count, nan_count, zero_crossings).</summary>
    void Int(int column, long value);

    /// <summary>A float64 column (may be NaN or infinite; the sink decides how its database stores NaN).</summary>
    void Real(int column, double value);
}

/// <summary>
/// The one place that lists the window-feature columns in wire order (count, nan_count, min, max, mean, m2, m3, m4,
/// sum_of_squares, first, last, zero_crossings: the <c>StoreSql</c> column order), for every writer: ADO.NET parameters
/// (<see cref="StoreStatements.SetFeatures"/>), SQLite positional binds (<see cref="SqliteStatement.BindFeatures"/>) and
/// PostgreSQL binary COPY (<see cref="PostgresBulkWriter"/>). Generic over a struct sink, so nothing is boxed.
/// </summary>
internal static class FeatureColumns
{
    /// <summary>Hands the 12 feature fields of <paramref name="f"/> to <paramref name="sink"/> in column order.</summary>
    public static void Write<T>(ref T sink, in WindowFeatures f)
        where T : struct, IFeatureSink
    {
        sink.Int(0, f.Count);
        sink.Int(1, f.NanCount);
        sink.Real(2, f.Min);
        sink.Real(3, f.Max);
        sink.Real(4, f.Mean);
        sink.Real(5, f.M2);
        sink.Real(6, f.M3);
        sink.Real(7, f.M4);
        sink.Real(8, f.SumOfSquares);
        sink.Real(9, f.First);
        sink.Real(10, f.Last);
        sink.Int(11, f.ZeroCrossings);
    }
}
