namespace Appliance.Drivers.Sources;

/// <summary>Whether one configured sensor answers, as <c>appliance doctor</c> prints it.</summary>
/// <param name="Sensor">The sensor's name.</param>
/// <param name="Chip">The chip.</param>
/// <param name="Bus">The bus, as configured.</param>
/// <param name="Answers">True when the chip's identity checked out (chip id register where it has one) and one read succeeded.</param>
/// <param name="Detail">What was found: <c>chip id ok, read 3 channels</c>, or the error (wrong chip id, no device node, NACK …).</param>
public readonly record struct SensorProbeResult(string Sensor, string Chip, string Bus, bool Answers, string Detail);
