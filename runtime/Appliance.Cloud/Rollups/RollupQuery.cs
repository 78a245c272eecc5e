namespace Appliance.Cloud.Rollups;

/// <summary>
/// One rollup request (<c>appliance cloud rollup</c>, <c>GET /api/rollups</c>): a sensor's windows merged per time bucket
/// and per device or per value of a device label.
/// </summary>
/// <param name="Sensor">The sensor name, as the devices configure it.</param>
/// <param name="EveryNs">Bucket length in ns (1 min = 6e10, 1 h = 3.6e12); buckets are aligned to the Unix epoch, and a
/// window belongs to the bucket that holds its start.</param>
/// <param name="LabelKey">Null to group per device; else the label key (<c>label:site</c>: <c>site</c>) whose value groups
/// the devices; devices without that label form the group <see cref="RollupRow.Unlabelled"/>.</param>
/// <param name="SinceNs">Windows starting at or after this UTC Unix ns.</param>
/// <param name="UntilNs">Windows starting before this UTC Unix ns.</param>
public sealed record RollupQuery(string Sensor, long EveryNs, string? LabelKey, long SinceNs, long UntilNs)
{
    /// <summary>One minute in ns.</summary>
    public const long MinuteNs = 60_000_000_000L;

    /// <summary>One hour in ns.</summary>
    public const long HourNs = 60 * MinuteNs;

    /// <summary>The query of the CLI's options or the API's parameters (same names: sensor, every, by, since, until).</summary>
    /// <param name="sensor">The sensor.</param>
    /// <param name="every"><c>1m</c> or <c>1h</c>.</param>
    /// <param name="by"><c>device</c> or <c>label:KEY</c>.</param>
    /// <param name="sinceNs">From, UTC Unix ns.</param>
    /// <param name="untilNs">To, UTC Unix ns (after <paramref name="sinceNs"/>).</param>
    /// <returns>The query.</returns>
    /// <exception cref="ArgumentException">A value is not what it expects; <see cref="ArgumentException.ParamName"/> names the option.</exception>
    public static RollupQuery Parse(string sensor, string every, string by, long sinceNs, long untilNs)
    {
        if (string.IsNullOrEmpty(sensor))
        {
            throw new ArgumentException("sensor: expected a sensor name", nameof(sensor));
        }

        if (!TryParseEvery(every, out long everyNs))
        {
            throw new ArgumentException($"every {every}: expected 1m or 1h", nameof(every));
        }

        if (!TryParseBy(by, out string? label))
        {
            throw new ArgumentException($"by {by}: expected device or label:KEY (for example label:site)", nameof(by));
        }

        return sinceNs < untilNs ? new RollupQuery(sensor, everyNs, label, sinceNs, untilNs)
            : throw new ArgumentException($"since: expected a time before until ({untilNs} ns)", "since");
    }

    /// <summary>Parses <c>--every</c>: <c>1m</c> or <c>1h</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="everyNs">The bucket length in ns.</param>
    /// <returns>False when the text is neither.</returns>
    public static bool TryParseEvery(string? text, out long everyNs)
    {
        everyNs = text switch { "1m" => MinuteNs, "1h" => HourNs, _ => 0 };
        return everyNs > 0;
    }

    /// <summary>Parses <c>--by</c>: <c>device</c>, or <c>label:KEY</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="labelKey">Null for <c>device</c>, else the label key.</param>
    /// <returns>False when the text is neither.</returns>
    public static bool TryParseBy(string? text, out string? labelKey)
    {
        labelKey = null;
        if (text == "device")
        {
            return true;
        }

        if (text is not null && Contracts.Wire.DeviceLabels.TryParseSelector(text, out string key, out string? value) && value is null)
        {
            labelKey = key;
            return true;
        }

        return false;
    }
}
