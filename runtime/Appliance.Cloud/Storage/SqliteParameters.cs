using Appliance.Cloud.Ingest;
using Appliance.Kernels.Statistics;
using Microsoft.Data.Sqlite;

namespace Appliance.Cloud.Storage;

/// <summary>Sets named parameters on a reused command (replacing the value when the name exists).</summary>
internal static class SqliteParameters
{
    public static SqliteCommand With(this SqliteCommand command, string name, object value)
    {
        int i = command.Parameters.IndexOf(name);
        if (i >= 0)
        {
            command.Parameters[i].Value = value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>Binds @c0..@c11 to the 12 feature fields, in wire order; NaN becomes NULL.</summary>
    public static SqliteCommand WithFeatures(this SqliteCommand command, in WindowFeatures f) => command
        .With("@c0", f.Count).With("@c1", f.NanCount).With("@c2", Real(f.Min)).With("@c3", Real(f.Max))
        .With("@c4", Real(f.Mean)).With("@c5", Real(f.M2)).With("@c6", Real(f.M3)).With("@c7", Real(f.M4))
        .With("@c8", Real(f.SumOfSquares)).With("@c9", Real(f.First)).With("@c10", Real(f.Last)).With("@c11", f.ZeroCrossings);

    private static object Real(double v) => double.IsNaN(v) ? DBNull.Value : v;
}
