using Appliance.Drivers.Chips.Adxl345;

namespace Appliance.Runtime.Tests.Health;

/// <summary>
/// Issue 21: an ADXL345's FIFO overruns and effective rate reach status.json (<c>sensors[].fifo_overruns</c>,
/// <c>measured_rate_hz</c>) and the heartbeat (counter 22 <c>fifo_overruns</c>, the sensor's <c>rate_hz</c>). The chip's FIFO holds
/// 32 entries (data sheet Rev. G, section "FIFO"): at 3200 Hz a read 20 ms (64 samples) after the last finds it overrun once.
/// </summary>
public sealed class FifoOverrunReportTests
{
    [Fact]
    public void StatusAndHeartbeat_Adxl345FifoOverranOnce_ReportOneOverrunAndTheEffectiveRate()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var chip = new Adxl345Emulator(WaveformSignal.Constant(0, 0, 1), clock);
        using var supervisor = new SensorSupervisor(new Adxl345Sensor("vib", chip, 3200, 16, clock), 3200, clock: clock);
        var values = new float[32 * 3];
        var timestamps = new long[32];
        supervisor.Open();
        for (int i = 0; i < 40; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(2.5)); // 8 samples a read, as the sampling loop wakes
            supervisor.ReadBatch(values, timestamps, out int n);
            supervisor.Stats.RecordDelivery(clock.GetTimestamp(), n);
        }

        clock.Advance(TimeSpan.FromMilliseconds(20)); // 64 samples: the FIFO overflows
        supervisor.ReadBatch(values, timestamps, out int afterGap);
        var heartbeat = DeviceHeartbeat.Create(0, "none", "", null, null, null, null, [supervisor.Stats]);
        var status = Status(supervisor.Stats).GetProperty("sensors")[0];

        Assert.Equal(32, afterGap);
        Assert.Equal(1, ((Adxl345Sensor)supervisor.Inner).FifoOverruns);
        Assert.Equal(1, status.GetProperty("fifo_overruns").GetInt64());
        Assert.Equal(3200, status.GetProperty("measured_rate_hz").GetDouble(), 6); // 39 reads of 8 samples, 2.5 ms apart
        Assert.Equal(1, heartbeat.Counters[(int)HeartbeatCounter.FifoOverruns]);
        Assert.Equal(3200, heartbeat.Sensors[0].RateHz, 6);
        Assert.Equal("fifo_overruns", StoreRowMapping.CounterName(22));
    }

    [Fact]
    public void StatusAndHeartbeat_SensorWithoutFifo_NoFifoOverrunFigure()
    {
        var stats = new SamplingStats("env", "bme280", 1, TimeProvider.System.TimestampFrequency);

        Assert.False(Status(stats).GetProperty("sensors")[0].TryGetProperty("fifo_overruns", out _));
        Assert.False(DeviceHeartbeat.Create(0, "none", "", null, null, null, null, [stats]).Counters.ContainsKey((int)HeartbeatCounter.FifoOverruns));
    }

    private static JsonElement Status(SamplingStats stats)
    {
        var section = new DeviceStatusSection(null!, () => null, () => null, () => null, () => default, () => [stats]);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            section.Write(writer);
            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}
