namespace Appliance.Cloud.Storage;

/// <summary>
/// What differs between the SQL the two collector stores speak; everything else (tables, columns, statements) is written
/// once in <see cref="StoreSql"/>. SQLite: https://www.sqlite.org/lang.html; PostgreSQL manual, "SQL Commands".
/// </summary>
internal sealed class SqlDialect
{
    /// <summary>SQLite through Microsoft.Data.Sqlite: named parameters <c>@p1..</c>, <c>INSERT OR IGNORE</c>, the two-argument
    /// scalar <c>max()</c>, INTEGER/REAL columns, no NaN (bound as NULL, https://www.sqlite.org/c3ref/bind_blob.html), and no
    /// <c>ADD COLUMN IF NOT EXISTS</c> (the store checks <c>pragma_table_info</c> instead).</summary>
    public static readonly SqlDialect Sqlite = new()
    {
        Name = "sqlite",
        Integer = "INTEGER",
        Real = "REAL",
        ParameterPrefix = "@p",
        NamedParameters = true,
        NaNAsNull = true,
        Greatest = "max",
        InsertIgnorePrefix = "INSERT OR IGNORE INTO",
        InsertIgnoreSuffix = "",
        TextCast = "",
        AddColumnIfNotExists = false,
    };

    /// <summary>PostgreSQL through Npgsql: positional parameters <c>$1..</c>, <c>INSERT ... ON CONFLICT DO NOTHING</c>,
    /// <c>GREATEST</c>, BIGINT/DOUBLE PRECISION columns (float8 holds NaN), <c>ADD COLUMN IF NOT EXISTS</c>.</summary>
    public static readonly SqlDialect Postgres = new()
    {
        Name = "postgresql",
        Integer = "BIGINT",
        Real = "DOUBLE PRECISION",
        ParameterPrefix = "$",
        NamedParameters = false,
        NaNAsNull = false,
        Greatest = "GREATEST",
        InsertIgnorePrefix = "INSERT INTO",
        InsertIgnoreSuffix = " ON CONFLICT DO NOTHING",
        TextCast = "::text",
        AddColumnIfNotExists = true,
    };

    private SqlDialect()
    {
    }

    /// <summary>Dialect name, for messages.</summary>
    public required string Name { get; init; }

    /// <summary>The 64-bit integer column type.</summary>
    public required string Integer { get; init; }

    /// <summary>The float64 column type.</summary>
    public required string Real { get; init; }

    /// <summary>Text before a parameter's 1-based position.</summary>
    public required string ParameterPrefix { get; init; }

    /// <summary>True when parameters are bound by name (<c>@p1</c>), false when by position.</summary>
    public required bool NamedParameters { get; init; }

    /// <summary>True when a NaN float must be bound as NULL (read back as NaN by <see cref="StoreRowMapping"/>).</summary>
    public required bool NaNAsNull { get; init; }

    /// <summary>The larger-of-two function.</summary>
    public required string Greatest { get; init; }

    /// <summary>How an insert that skips a row whose key exists begins.</summary>
    public required string InsertIgnorePrefix { get; init; }

    /// <summary>How such an insert ends.</summary>
    public required string InsertIgnoreSuffix { get; init; }

    /// <summary>Cast that types a text parameter compared with NULL.</summary>
    public required string TextCast { get; init; }

    /// <summary>True when <c>ALTER TABLE ... ADD COLUMN IF NOT EXISTS</c> exists.</summary>
    public required bool AddColumnIfNotExists { get; init; }

    /// <summary>The placeholder of the 1-based parameter <paramref name="position"/>.</summary>
    public string P(int position) => ParameterPrefix + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bound value of a float64: NaN as <see cref="DBNull"/> where the dialect has no NaN.</summary>
    public object Real64(double value) => NaNAsNull && double.IsNaN(value) ? DBNull.Value : value;
}
