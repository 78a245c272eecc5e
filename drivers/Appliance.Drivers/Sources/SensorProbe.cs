namespace Appliance.Drivers.Sources;

/// <summary>
/// Checks which configured sensors answer (for <c>appliance doctor</c>): opens each through <see cref="SensorFactory"/>, checks
/// its identity (<see cref="IBusSensor.Open"/>, the chip's <see cref="Chips.IChipDescriptor.Identity"/>: BME280 0xD0 = 0x60, ADXL345
/// DEVID = 0xE5; the ADCs and GPIO lines have no id, so a clean first conversion or line request stands for it), reads one sample, and closes it again.
/// </summary>
public static class SensorProbe
{
    /// <summary>Probes every sensor in turn.</summary>
    /// <param name="sensors">The configured bus sensors.</param>
    /// <param name="factory">Opens them; a new one on the system clock when null.</param>
    /// <returns>One result per sensor, in order. Nothing is thrown for a sensor that does not answer: the result says why.</returns>
    public static IReadOnlyList<SensorProbeResult> Probe(IEnumerable<SensorDescriptor> sensors, SensorFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        factory ??= new SensorFactory();
        var results = new List<SensorProbeResult>();
        foreach (SensorDescriptor s in sensors)
        {
            results.Add(Probe(s, factory));
        }

        return results;
    }

    /// <summary>Probes one sensor.</summary>
    /// <param name="sensor">The sensor.</param>
    /// <param name="factory">Opens it.</param>
    /// <returns>The result.</returns>
    public static SensorProbeResult Probe(SensorDescriptor sensor, SensorFactory factory)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(factory);
        string bus = sensor.Bus.ToString();
        try
        {
            using IBusSensor opened = factory.Create(sensor);
            opened.Open();
            float[] values = new float[opened.Channels.Count];
            SampleStatus status = opened.Read(values, out _);
            string id = sensor.Chip.Identity is { } identity ? identity + " ok; " : string.Empty;
            return status == SampleStatus.Ok
                ? new SensorProbeResult(sensor.Name, sensor.Chip.Name, bus, true, $"answers; {id}read {string.Join(", ", opened.Channels.Select((c, i) => $"{c}={values[i]:G5}"))}")
                : new SensorProbeResult(sensor.Name, sensor.Chip.Name, bus, false, opened.LastFault ?? "read failed");
        }
        catch (InvalidDataException e)
        {
            // The drivers' refusal of another chip (Bme280Sensor, Adxl345Sensor): the message gives the id read and the one expected.
            return new SensorProbeResult(sensor.Name, sensor.Chip.Name, bus, false, $"wrong chip id: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or PlatformNotSupportedException or DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            return new SensorProbeResult(sensor.Name, sensor.Chip.Name, bus, false, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
