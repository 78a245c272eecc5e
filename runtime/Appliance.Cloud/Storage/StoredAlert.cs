namespace Appliance.Cloud.Storage;

/// <summary>An alert as read back from the collector store (<c>appliance cloud alerts</c>).</summary>
/// <param name="DeviceId">Device that sent it.</param>
/// <param name="Sequence">The device's sequence of the message.</param>
/// <param name="Sensor">Sensor name.</param>
/// <param name="Channel">Channel name.</param>
/// <param name="TimeNs">When the window that fired closed, UTC Unix ns.</param>
/// <param name="Score">The detector's score (may be infinite: an EWMA z-score after a constant history).</param>
/// <param name="Threshold">The threshold the score crossed.</param>
/// <param name="Severity">The severity the device gave it.</param>
/// <param name="Detector">The detector that fired.</param>
public sealed record StoredAlert(string DeviceId, long Sequence, string Sensor, string Channel, long TimeNs, double Score, double Threshold, long Severity, string Detector);
