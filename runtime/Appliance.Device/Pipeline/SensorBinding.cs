using Appliance.Drivers.Sources;

namespace Appliance.Device.Pipeline;

/// <summary>A sample source with the way it is paced.</summary>
/// <param name="Source">The source.</param>
/// <param name="RateHz">Samples per second for a live source.</param>
/// <param name="IsReplay">True for a recording: paced by its own timestamps, and it ends.</param>
public sealed record SensorBinding(ISampleSource Source, double RateHz, bool IsReplay);
