namespace Appliance.Drivers.Chips.Gpio;

/// <summary>
/// A GPIO driver that knows when the edge it is delivering happened (the GPIO v2 uAPI stamps each edge event in the kernel;
/// an emulated chip computes it). <see cref="PulseCounterSensor"/>'s debounce filter compares these times when the edge
/// callback's sender offers them, and otherwise the time the callback runs.
/// </summary>
public interface IEdgeTimestamps
{
    /// <summary>The monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/> units of the chip's clock) of the edge whose
    /// callback is running now; read only inside an edge callback.</summary>
    long EdgeTimestamp { get; }
}
