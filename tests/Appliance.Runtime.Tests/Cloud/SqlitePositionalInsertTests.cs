namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// The SQLite collector's positional inserts (<see cref="SqliteRowInserts"/>, prepared once and bound by position through
/// SQLitePCLRaw) against the ADO.NET named-parameter path they replace: the same rows, column by column and storage class
/// by storage class (<c>typeof()</c>, https://www.sqlite.org/datatype3.html), the same duplicates, and no allocation per row.
/// </summary>
public sealed class SqlitePositionalInsertTests
{
    private static readonly StoreSql Sql = new(SqlDialect.Sqlite);

    /// <summary>A batch touching every column kind: NaN and infinite floats (NULL in SQLite), a non-ASCII device id and
    /// channel, an incarnation, spectral and quantile JSON, an alert, a heartbeat and two devices.</summary>
    private static Envelope[] Batch()
    {
        var sketch = new Appliance.Kernels.Quantiles.DDSketch(0.01);
        sketch.Add([-3.5, 0.0, 1.0, 2.0, 1e6]);
        var nanFeatures = new WindowFeatures { Count = 0, NanCount = 10, Min = double.NaN, Max = double.PositiveInfinity, Mean = double.NaN, M2 = -0.0, First = double.NaN, Last = double.NegativeInfinity, ZeroCrossings = 7 };
        return
        [
            Envelope.Create("dev1", 1, WireSamples.SampleSummary()),
            Envelope.Create("gerät-ü", 2, new Summary { Sensor = "mcp3008-0", Channel = "ch-ø", WindowStartNs = -5, WindowEndNs = long.MaxValue, Features = nanFeatures }, incarnation: long.MaxValue),
            Envelope.Create("dev1", 3, new Summary
            {
                Sensor = "s", Channel = "c", WindowStartNs = 1, WindowEndNs = 2, Features = WireSamples.Features, Spectral = WireSamples.StoredSpectral,
                Quantiles = QuantileSketch.From(sketch),
            }),
            Envelope.Create("dev1", 4, WireSamples.SampleAlert),
            Envelope.Create("gerät-ü", 5, new Alert
            {
                Sensor = "s", Channel = "c", TimeNs = 3, Score = double.NaN, Threshold = double.NegativeInfinity, Severity = AlertSeverity.Warning,
                Detector = "ewma-z", Features = nanFeatures,
            }, incarnation: 9),
            Envelope.Create("dev1", 6, WireSamples.SampleHeartbeat),
        ];
    }

    [Fact]
    public void Write_PositionalAndNamed_StoreTheSameRowsEveryColumnAndTheSameDuplicates()
    {
        using var positionalDb = new TempDatabase();
        using var namedDb = new TempDatabase();

        (StoreBatchResult First, StoreBatchResult Again, string[] Rows) positional = WriteTwice(positionalDb.Path, positional: true);
        (StoreBatchResult First, StoreBatchResult Again, string[] Rows) named = WriteTwice(namedDb.Path, positional: false);

        Assert.Equal(new StoreBatchResult(6, 0), named.First);
        Assert.Equal(new StoreBatchResult(0, 6), named.Again);
        Assert.Equal(named.First, positional.First);
        Assert.Equal(named.Again, positional.Again);
        Assert.Equal(named.Rows, positional.Rows);
        Assert.Contains(positional.Rows, r => r.StartsWith("summaries|text:gerät-ü|integer:2|text:mcp3008-0|text:ch-ø|integer:-5|", StringComparison.Ordinal));
        Assert.Contains(positional.Rows, r => r.StartsWith("alerts|text:gerät-ü|integer:5|text:s|text:c|integer:3|null:|real:-Infinity|integer:1|text:ewma-z|", StringComparison.Ordinal));
        Assert.Contains(positional.Rows, r => r.StartsWith("devices|text:dev1|integer:42|integer:6|", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_PositionalSummaries_AllocatesNothingPerRow()
    {
        using var db = new TempDatabase();
        new SqliteStore(db.Path).Dispose();
        using var connection = new SqliteConnection($"Data Source={db.Path};Pooling=False");
        connection.Open();
        using var rows = new RowWriter(connection, Sql);
        Envelope[] small = Summaries(0, 100);
        Envelope[] large = Summaries(1000, 2100);
        Write(connection, rows, Summaries(100_000, 100_100)); // first use: statements, buffers, JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        Write(connection, rows, small);
        long smallBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Write(connection, rows, large);
        long largeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // The ADO.NET path boxed every bound value (about 20 objects, 480+ bytes a row); per batch costs cancel out.
        double perRow = (largeBytes - smallBytes) / (double)(large.Length - small.Length);
        Assert.True(perRow < 4, $"{perRow:F1} bytes allocated per stored summary (batch of {small.Length}: {smallBytes} B, of {large.Length}: {largeBytes} B)");
    }

    private static Envelope[] Summaries(int from, int to) =>
        Enumerable.Range(from, to - from).Select(i => Envelope.Create("dev-" + (i % 4), i + 1, WireSamples.SampleSummary(startNs: i))).ToArray();

    private static StoreBatchResult Write(SqliteConnection connection, RowWriter rows, Envelope[] batch)
    {
        using SqliteTransaction tx = connection.BeginTransaction();
        StoreBatchResult result = rows.Write(tx, batch, 42, Path.GetTempPath());
        tx.Commit();
        return result;
    }

    private static (StoreBatchResult First, StoreBatchResult Again, string[] Rows) WriteTwice(string path, bool positional)
    {
        new SqliteStore(path).Dispose(); // the schema
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        StoreBatchResult first, again;
        using (var rows = new RowWriter(connection, Sql, positional))
        {
            first = Write(connection, rows, Batch());
            again = Write(connection, rows, Batch());
        }

        var all = new List<string>();
        foreach (string table in (string[])["devices", "summaries", "alerts", "heartbeats"])
        {
            all.AddRange(Rows(connection, table));
        }

        return (first, again, all.ToArray());
    }

    /// <summary>Every row of <paramref name="table"/> in key order, each column as its storage class and its value (floats round-trip).</summary>
    private static List<string> Rows(SqliteConnection connection, string table)
    {
        using SqliteCommand columns = connection.CreateCommand();
        columns.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
        var names = new List<string>();
        using (SqliteDataReader r = columns.ExecuteReader())
        {
            while (r.Read())
            {
                names.Add(r.GetString(0));
            }
        }

        using SqliteCommand q = connection.CreateCommand();
        q.CommandText = $"SELECT {string.Join(", ", names.Select(n => $"typeof(\"{n}\"), \"{n}\""))} FROM {table} ORDER BY rowid";
        var rows = new List<string>();
        using SqliteDataReader reader = q.ExecuteReader();
        while (reader.Read())
        {
            var row = new StringBuilder(table);
            for (int i = 0; i < reader.FieldCount; i += 2)
            {
                object value = reader.GetValue(i + 1);
                row.Append('|').Append(reader.GetString(i)).Append(':').Append(value switch
                {
                    double x => x.ToString("R", CultureInfo.InvariantCulture),
                    long x => x.ToString(CultureInfo.InvariantCulture),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                });
            }

            rows.Add(row.ToString());
        }

        Assert.NotEmpty(rows);
        return rows;
    }
}
