using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>The query string of one API call, read field by field; every refusal is an <see cref="ApiInputException"/>
/// naming the field. A parameter given twice is refused (which one was meant is unknown).</summary>
/// <param name="query">The request's query.</param>
public sealed class QueryArguments(IQueryCollection query)
{
    /// <summary>Most rows one call returns.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Longest time range of one summaries call: 31 days.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>A text parameter; null when absent.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ApiInputException">Given twice, empty, or over 200 characters.</exception>
    public string? Text(string name)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]) || values[0]!.Length > 200)
        {
            throw new ApiInputException(400, name, $"{name}: expected one non-empty value of at most 200 characters");
        }

        return values[0];
    }

    /// <summary>A time parameter (<see cref="ApiTime.Parse"/>); <paramref name="fallback"/> when absent.</summary>
    public long Time(string name, long fallback) => Text(name) is { } t ? ApiTime.Parse(name, t) : fallback;

    /// <summary>The <c>limit</c> parameter: 1..<see cref="MaxLimit"/>; <paramref name="fallback"/> when absent.</summary>
    public int Limit(int fallback)
    {
        string? text = Text("limit");
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxLimit ? n
            : throw new ApiInputException(400, "limit", $"limit={text}: expected an integer from 1 to {MaxLimit}");
    }

    /// <summary>A boolean parameter (<c>true</c> or <c>false</c>); null when absent.</summary>
    public bool? Bool(string name) => Text(name) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        { } other => throw new ApiInputException(400, name, $"{name}={other}: expected true or false"),
    };

    /// <summary>The range [from, to) of a summaries call: <c>to</c> defaults to now + 1 min, <c>from</c> to an hour before
    /// <c>to</c>; <c>from</c> must precede <c>to</c> by at most <see cref="MaxRange"/>.</summary>
    public (long FromNs, long ToNs) Range(long nowNs)
    {
        long to = Time("to", nowNs + 60_000_000_000L);
        long from = Time("from", to - 3_600_000_000_000L);
        if (from >= to)
        {
            throw new ApiInputException(400, "from", $"from={ApiTime.Iso(from)}: expected a time before to={ApiTime.Iso(to)}");
        }

        if (to - from > MaxRange.Ticks * 100)
        {
            throw new ApiInputException(400, "to", $"from={ApiTime.Iso(from)} to={ApiTime.Iso(to)}: the range is longer than {MaxRange.TotalDays:0} days (expected at most that; page with to=)");
        }

        return (from, to);
    }
}
