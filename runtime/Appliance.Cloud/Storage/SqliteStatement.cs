using System.Text;
using Appliance.Kernels.Statistics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Appliance.Cloud.Storage;

/// <summary>
/// One SQLite statement prepared once on a <see cref="SqliteConnection"/>'s handle and bound by 1-based POSITION through
/// SQLitePCLRaw (<c>sqlite3_prepare_v2</c>, <c>sqlite3_bind_*</c>, <c>sqlite3_step</c>, <c>sqlite3_reset</c>:
/// https://www.sqlite.org/c3ref/stmt.html), the library Microsoft.Data.Sqlite sits on. Microsoft.Data.Sqlite looks each
/// parameter up by name on every execution (<c>sqlite3_bind_parameter_index</c>) and boxes every value; the collector's
/// per-row inserts (<see cref="SqliteRowInserts"/>) bind here instead, without allocating: text is encoded to UTF-8 into a
/// buffer the statement keeps and copied by SQLite (<c>SQLITE_TRANSIENT</c>). Statements run inside whatever transaction the
/// connection has open (<c>BEGIN</c> is per connection, not per statement). Not thread-safe: the owning store holds its lock.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;
    private byte[] _utf8 = new byte[256];

    /// <summary>Prepares <paramref name="sql"/> (one statement) on <paramref name="connection"/>, which must be open.</summary>
    /// <exception cref="SqliteException">SQLite rejects the statement (message from <c>sqlite3_errmsg</c>).</exception>
    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("SqliteStatement: the connection is not open");
        int rc = raw.sqlite3_prepare_v2(_db, sql, out _stmt);
        SqliteException.ThrowExceptionForRC(rc, _db);
        Parameters = raw.sqlite3_bind_parameter_count(_stmt);
    }

    /// <summary>Number of parameters the statement has (<c>sqlite3_bind_parameter_count</c>).</summary>
    public int Parameters { get; }

    /// <summary>Binds a 64-bit integer to parameter <paramref name="position"/> (1-based).</summary>
    public SqliteStatement Bind(int position, long value)
    {
        Check(raw.sqlite3_bind_int64(_stmt, position, value));
        return this;
    }

    /// <summary>Binds a float64 to parameter <paramref name="position"/>; NaN as NULL (SQLite has no NaN:
    /// https://www.sqlite.org/c3ref/bind_blob.html; <see cref="StoreRowMapping"/> reads NULL back as NaN).</summary>
    public SqliteStatement Bind(int position, double value)
    {
        Check(double.IsNaN(value) ? raw.sqlite3_bind_null(_stmt, position) : raw.sqlite3_bind_double(_stmt, position, value));
        return this;
    }

    /// <summary>Binds text to parameter <paramref name="position"/>, NULL when <paramref name="value"/> is null. The UTF-8 bytes
    /// go through a buffer this statement keeps (grown when a longer text comes; no allocation in steady state).</summary>
    public SqliteStatement Bind(int position, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_stmt, position));
            return this;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }

        int n = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_stmt, position, new ReadOnlySpan<byte>(_utf8, 0, n)));
        return this;
    }

    /// <summary>Binds the 12 feature fields in column order (<see cref="FeatureColumns"/>) from parameter <paramref name="first"/> on.</summary>
    public SqliteStatement BindFeatures(int first, in WindowFeatures f)
    {
        var sink = new FeatureBinder(this, first);
        FeatureColumns.Write(ref sink, f);
        return this;
    }

    /// <summary>Steps the statement to its end and resets it (bindings are kept until bound again).</summary>
    /// <returns>Rows the statement inserted, updated or deleted (<c>sqlite3_changes</c>): 0 for an <c>INSERT OR IGNORE</c> whose key exists.</returns>
    /// <exception cref="SqliteException">The statement failed (constraint, busy, I/O, full disk: SQLite's code and message).</exception>
    public int Execute()
    {
        int rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt); // the step's error stays with the connection for sqlite3_errmsg below
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _db);
        }

        return raw.sqlite3_changes(_db);
    }

    /// <summary>Finalizes the statement (before its connection closes).</summary>
    public void Dispose() => _stmt.Dispose();

    private readonly struct FeatureBinder(SqliteStatement statement, int first) : IFeatureSink
    {
        public void Int(int column, long value) => statement.Bind(first + column, value);

        public void Real(int column, double value) => statement.Bind(first + column, value);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
