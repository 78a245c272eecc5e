namespace Appliance.Drivers.Sampling;

/// <summary>The health of one sensor as its <see cref="SensorSupervisor"/> sees it.</summary>
public enum SensorHealth
{
    /// <summary>Not read yet.</summary>
    Starting,

    /// <summary>Reads succeed.</summary>
    Ok,

    /// <summary>Reads keep failing (bus errors, timeouts, wrong chip id, stuck or implausible data): the sensor is probed with
    /// bounded backoff and its samples are missing until it recovers.</summary>
    Degraded,
}
