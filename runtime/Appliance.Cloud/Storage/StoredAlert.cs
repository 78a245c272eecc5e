namespace Appliance.Cloud.Storage;

/// <summary>An alert as read back from the collector store, with its acknowledgement (<see cref="IFleetReader"/>).</summary>
/// <param name="DeviceId">Device that sent it.</param>
/// <param name="Sequence">The device's sequence of the message; with <paramref name="DeviceId"/> the alert's key.</param>
/// <param name="Sensor">Sensor name.</param>
/// <param name="Channel">Channel name.</param>
/// <param name="TimeNs">When the detector fired (end of the window that fired), UTC Unix ns, device clock.</param>
/// <param name="Score">The detector's score (NaN when the store holds none; may be infinite).</param>
/// <param name="Threshold">The threshold the score crossed (NaN when none).</param>
/// <param name="Severity">Severity as sent (wire <c>Severity</c> value).</param>
/// <param name="Detector">Detector name (e.g. <c>ewma-z</c>).</param>
/// <param name="ReceivedNs">When the collector stored it, UTC Unix ns, collector clock.</param>
/// <param name="AcknowledgedNs">When an operator acknowledged it, UTC Unix ns (collector clock); 0 while unacknowledged.</param>
/// <param name="AcknowledgedBy">Who acknowledged it (free text from the API call); empty while unacknowledged.</param>
/// <param name="Label">The operator's label (issue 18 item 5): true = a true anomaly, false = a false alarm, null = not labelled.</param>
/// <param name="LabelledNs">When it was last labelled, UTC Unix ns (collector clock); 0 while unlabelled.</param>
public sealed record StoredAlert(
    string DeviceId,
    long Sequence,
    string Sensor,
    string Channel,
    long TimeNs,
    double Score,
    double Threshold,
    long Severity,
    string Detector,
    long ReceivedNs,
    long AcknowledgedNs,
    string AcknowledgedBy,
    bool? Label = null,
    long LabelledNs = 0)
{
    /// <summary>True once acknowledged.</summary>
    public bool Acknowledged => AcknowledgedNs != 0;
}
