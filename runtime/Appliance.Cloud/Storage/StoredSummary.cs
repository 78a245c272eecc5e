using Appliance.Cloud.Ingest;
using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Storage;

/// <summary>A summary as read back from the collector store.</summary>
/// <param name="DeviceId">Device that sent it.</param>
/// <param name="Sequence">The device's sequence of the message.</param>
/// <param name="Sensor">Sensor name.</param>
/// <param name="Channel">Channel name.</param>
/// <param name="WindowStartNs">Window start, UTC Unix ns, inclusive.</param>
/// <param name="WindowEndNs">Window end, UTC Unix ns, exclusive.</param>
/// <param name="Features">The window's features (NaN fields come back as NaN; SQLite stores them as NULL).</param>
/// <param name="Spectral">The window's spectral features as a JSON object (<see cref="Contracts.Wire.SpectralJson"/>), or null
/// for a summary without them (and rows stored before the column existed).</param>
public sealed record StoredSummary(
    string DeviceId,
    long Sequence,
    string Sensor,
    string Channel,
    long WindowStartNs,
    long WindowEndNs,
    WindowFeatures Features,
    string? Spectral = null);
