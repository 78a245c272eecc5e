using System.Globalization;

namespace Appliance.Cloud.Http.Api;

/// <summary>Times on the API: UTC Unix ns inside, ISO 8601 UTC (<c>2026-12-06T18:00:00.000Z</c>) on the wire.</summary>
public static class ApiTime
{
    /// <summary>Now on the collector's clock, UTC Unix ns.</summary>
    /// <returns>Nanoseconds since 1970-01-01T00:00:00Z.</returns>
    public static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Formats UTC Unix ns as ISO 8601 UTC with milliseconds.</summary>
    /// <param name="unixNs">Nanoseconds since the epoch.</param>
    /// <returns>For example <c>2026-12-06T18:00:00.000Z</c>.</returns>
    public static string Iso(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a time parameter: ISO 8601 (a time without an offset is UTC) or an integer of UTC Unix ns.</summary>
    /// <param name="field">The parameter's name, for the error.</param>
    /// <param name="text">Its value.</param>
    /// <returns>UTC Unix ns.</returns>
    /// <exception cref="ApiInputException">Neither form (400, naming <paramref name="field"/>).</exception>
    public static long Parse(string field, string text)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long ns))
        {
            return ns;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t) && t.UtcDateTime >= DateTime.UnixEpoch)
        {
            return (t.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        }

        throw new ApiInputException(400, field, $"{field}={text}: expected an ISO 8601 UTC time such as 2026-01-01T00:00:00Z, or UTC Unix nanoseconds");
    }
}
