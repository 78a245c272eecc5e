using System.Text;
using System.Text.Json;

namespace Appliance.Contracts.Wire;

/// <summary>
/// A <see cref="QuantileSketch"/> as one JSON object, the form the collector stores (the <c>summaries.quantiles</c> column)
/// and reads back to roll windows up: <c>{"alpha":0.01,"zero":0,"positive":[offset,[counts...]],"negative":[offset,[counts...]]}</c>.
/// </summary>
public static class QuantileSketchJson
{
    /// <summary>The sketch as compact JSON text.</summary>
    /// <param name="q">The sketch.</param>
    /// <returns>The text.</returns>
    public static string ToJson(QuantileSketch q)
    {
        ArgumentNullException.ThrowIfNull(q);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("alpha"u8, q.Alpha);
            w.WriteNumber("zero"u8, q.ZeroCount);
            Bins(w, "positive"u8, q.PositiveOffset, q.PositiveCounts);
            Bins(w, "negative"u8, q.NegativeOffset, q.NegativeCounts);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <param name="json">The text.</param>
    /// <returns>The sketch.</returns>
    /// <exception cref="FormatException">The text is not a sketch (names what is wrong).</exception>
    public static QuantileSketch Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            var (positiveOffset, positive) = ReadBins(root.GetProperty("positive"));
            var (negativeOffset, negative) = ReadBins(root.GetProperty("negative"));
            var q = new QuantileSketch(root.GetProperty("alpha").GetDouble(), root.GetProperty("zero").GetInt64(), positiveOffset, positive, negativeOffset, negative);
            return q.Problem() is { } problem ? throw new FormatException($"quantile sketch: {problem}") : q;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new FormatException($"quantile sketch: {ex.Message} (expected {{\"alpha\":A,\"zero\":N,\"positive\":[OFFSET,[COUNTS]],\"negative\":[OFFSET,[COUNTS]]}})", ex);
        }
    }

    private static void Bins(Utf8JsonWriter w, ReadOnlySpan<byte> name, int offset, long[] counts)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(offset);
        w.WriteStartArray();
        foreach (long c in counts)
        {
            w.WriteNumberValue(c);
        }

        w.WriteEndArray();
        w.WriteEndArray();
    }

    private static (int Offset, long[] Counts) ReadBins(JsonElement e)
    {
        int offset = e[0].GetInt32();
        JsonElement counts = e[1];
        int n = counts.GetArrayLength();
        if (n > QuantileSketch.MaxBins)
        {
            throw new FormatException($"quantile sketch: {n} bins, expected at most {QuantileSketch.MaxBins}");
        }

        var result = new long[n];
        int i = 0;
        foreach (JsonElement c in counts.EnumerateArray())
        {
            result[i++] = c.GetInt64();
        }

        return (offset, result);
    }
}
