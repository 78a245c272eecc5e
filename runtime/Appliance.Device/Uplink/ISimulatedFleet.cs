namespace Appliance.Device.Uplink;

/// <summary>
/// A fleet of simulated devices driven by <c>appliance bench fleet</c>: full devices (<see cref="SimulatedFleet"/>: an
/// <see cref="UplinkClient"/> and a journal each) or wire-level ones (<see cref="WireFleet"/>: one DEALER each on a shared
/// poller). Every member may be used from any thread.
/// </summary>
public interface ISimulatedFleet : IDisposable
{
    /// <summary>Devices in the fleet.</summary>
    int Count { get; }

    /// <summary>Devices whose first link ping has been answered.</summary>
    int Connected { get; }

    /// <summary>Summaries per second offered by the whole fleet (0: none); may change while running.</summary>
    double Rate { get; set; }

    /// <summary>The devices' uplink counters, summed.</summary>
    UplinkCounters Counters { get; }

    /// <summary>Summaries not enqueued because an outbox stayed full.</summary>
    long OutboxFull { get; }

    /// <summary>Summaries created per device, in device order.</summary>
    long[] ProducedPerDevice { get; }

    /// <summary>Connects every device and starts producing at <see cref="Rate"/>.</summary>
    void Start();

    /// <summary>Waits until every device's first link ping is answered.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when all were connected in time.</returns>
    Task<bool> WaitConnectedAsync(TimeSpan timeout);

    /// <summary>Waits until everything produced is acknowledged.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when drained in time.</returns>
    Task<bool> WaitDrainedAsync(TimeSpan timeout);
}
