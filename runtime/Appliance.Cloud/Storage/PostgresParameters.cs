using Appliance.Cloud.Ingest;
using Appliance.Kernels.Statistics;
using Npgsql;

namespace Appliance.Cloud.Storage;

/// <summary>Appends positional ($1, $2, ...) parameters to an Npgsql command.</summary>
internal static class PostgresParameters
{
    public static NpgsqlCommand Add(this NpgsqlCommand command, object value)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    /// <summary>Appends the 12 feature fields in wire order (NaN stays NaN: float8 holds it).</summary>
    public static NpgsqlCommand AddFeatures(this NpgsqlCommand command, in WindowFeatures f) => command
        .Add(f.Count).Add(f.NanCount).Add(f.Min).Add(f.Max).Add(f.Mean).Add(f.M2).Add(f.M3).Add(f.M4)
        .Add(f.SumOfSquares).Add(f.First).Add(f.Last).Add(f.ZeroCrossings);
}
