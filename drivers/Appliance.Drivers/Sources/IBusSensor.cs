namespace Appliance.Drivers.Sources;

/// <summary>
/// A chip read over a bus (I2C, SPI, GPIO): a <see cref="ISampleSource"/> that can be opened (and its identity checked) ahead of
/// the first read, and that keeps the count and the last message of its bus faults. The sampling policy
/// (<see cref="Sampling.SensorSupervisor"/>) uses these to retry, mark the sensor degraded and report why.
/// </summary>
public interface IBusSensor : ISampleSource
{
    /// <summary>The chip, lower case, as in configuration (<c>bme280</c>, <c>ads1115</c>, <c>mcp3008</c>, <c>adxl345</c>, <c>pulse</c>).</summary>
    string Chip { get; }

    /// <summary>Reads that failed (<see cref="SampleStatus.Fault"/>): bus errors, timeouts, a wrong chip id, implausible data.</summary>
    long FaultCount { get; }

    /// <summary>The message of the latest fault, or null when none happened.</summary>
    string? LastFault { get; }

    /// <summary>
    /// Opens the chip: checks its identity where it has one (chip id register) and configures it. Does nothing once it has
    /// succeeded; a fault that may have reset or replaced the chip makes the next <see cref="ISampleSource.Read"/> open it again.
    /// </summary>
    /// <exception cref="InvalidDataException">The chip id is not the expected one: the sensor refuses to read it.</exception>
    /// <exception cref="IOException">The bus failed.</exception>
    void Open();
}
