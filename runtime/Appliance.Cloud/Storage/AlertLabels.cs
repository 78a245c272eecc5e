namespace Appliance.Cloud.Storage;

/// <summary>Counts of operator-labelled alerts and the precision they give (<see cref="AlertLabels.Precision"/>).</summary>
/// <param name="TrueAlerts">Alerts labelled a true anomaly (true positives).</param>
/// <param name="FalseAlerts">Alerts labelled a false alarm (false positives).</param>
/// <param name="Unlabelled">Alerts in the range that nobody labelled (left out of the precision).</param>
public readonly record struct LabelPrecision(int TrueAlerts, int FalseAlerts, int Unlabelled)
{
    /// <summary>Labelled alerts: <see cref="TrueAlerts"/> + <see cref="FalseAlerts"/>.</summary>
    public int Labelled => TrueAlerts + FalseAlerts;

    /// <summary>Precision on labelled alerts, TP / (TP + FP) (the usual definition, e.g. Manning, Raghavan &amp; Schütze,
    /// Introduction to Information Retrieval, §8.3), in [0, 1]; NaN when no alert in the range is labelled.</summary>
    public double Precision => Labelled == 0 ? double.NaN : TrueAlerts / (double)Labelled;
}

/// <summary>
/// Operators' labels of alerts as training and gating data (issue 18 item 5): the precision of a set of devices' alerts for
/// a rollout controller, and the alerts labelled true whose windows <c>cloud train --exclude-labelled</c> leaves out.
/// </summary>
public static class AlertLabels
{
    /// <summary>The precision on labelled alerts of <paramref name="devices"/> whose detector fired in [<paramref name="sinceNs"/>,
    /// <paramref name="untilNs"/>) (device clock, UTC Unix ns).</summary>
    /// <param name="store">The collector store (SQLite or PostgreSQL).</param>
    /// <param name="devices">Device ids; null for every device.</param>
    /// <param name="sinceNs">From, inclusive.</param>
    /// <param name="untilNs">To, exclusive.</param>
    /// <returns>True, false and unlabelled counts; <see cref="LabelPrecision.Precision"/> is NaN when none is labelled.</returns>
    public static LabelPrecision Precision(IFleetReader store, IReadOnlyCollection<string>? devices, long sinceNs, long untilNs)
    {
        int t = 0, f = 0, u = 0;
        foreach (var a in Alerts(store, devices, sinceNs, untilNs))
        {
            _ = a.Label switch { true => t++, false => f++, null => u++ };
        }

        return new LabelPrecision(t, f, u);
    }

    /// <summary>The alerts of <paramref name="devices"/> in [<paramref name="sinceNs"/>, <paramref name="untilNs"/>) labelled a true anomaly.</summary>
    /// <param name="store">The collector store.</param>
    /// <param name="devices">Device ids; null for every device.</param>
    /// <param name="sinceNs">From, inclusive (UTC Unix ns).</param>
    /// <param name="untilNs">To, exclusive.</param>
    /// <returns>The alerts, latest first per device.</returns>
    public static IReadOnlyList<StoredAlert> TrueAlerts(IFleetReader store, IReadOnlyCollection<string>? devices, long sinceNs, long untilNs) =>
        [.. Alerts(store, devices, sinceNs, untilNs).Where(a => a.Label == true)];

    /// <summary>Parses an alert id <c>DEVICE:SEQ</c> (the API's and <c>cloud alerts</c>' form; the device id may hold ':').</summary>
    /// <param name="id">The text.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="sequence">The sequence.</param>
    /// <returns>False when it is not of that form.</returns>
    public static bool TryParseId(string id, out string deviceId, out long sequence)
    {
        int colon = id?.LastIndexOf(':') ?? -1;
        deviceId = colon > 0 ? id![..colon] : "";
        sequence = 0;
        return colon > 0 && long.TryParse(id.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }

    private static IEnumerable<StoredAlert> Alerts(IFleetReader store, IReadOnlyCollection<string>? devices, long sinceNs, long untilNs)
    {
        ArgumentNullException.ThrowIfNull(store);
        IEnumerable<string?> which = devices ?? (IEnumerable<string?>)[null];
        return which.SelectMany(d => store.QueryAlerts(new AlertQuery(d, sinceNs, untilNs, Detector: null, Acknowledged: null, int.MaxValue)));
    }
}
