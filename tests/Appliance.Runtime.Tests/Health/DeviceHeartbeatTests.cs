namespace Appliance.Runtime.Tests.Health;

public sealed class DeviceHeartbeatTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heartbeat-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Create_JournalSensorsAndRejectedConfig_CarriesEachFigure()
    {
        using var journal = new JournalOutbox(new JournalOptions { Directory = _dir, BudgetBytes = 4 << 20 });
        for (int i = 0; i < 3; i++)
        {
            journal.Append(new byte[] { 1, 2, 3 });
        }

        journal.Sync();
        journal.Acknowledge(1);
        var ok = new SamplingStats("env", "bme280", 10, 1_000_000_000);
        ok.RecordHealth(SensorHealth.Ok);
        var bad = new SamplingStats("adc", "ads1115", 100, 1_000_000_000);
        bad.RecordFault("I2C NACK at 0x48");
        bad.RecordFault(null);
        bad.RecordHealth(SensorHealth.Degraded);
        var gitOps = new GitOpsStatus("abc123", ConfigState.Rejected, "appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000", "def456", null, 0);

        Heartbeat h = DeviceHeartbeat.Create(5000, "CPUExecutionProvider", "abc123", gitOps, journal, null,
            new PipelineCounters(SamplesRead: 100, SampleFaults: 2, Overruns: 0, WindowsSummarised: 9, Alerts: 1, InferenceRuns: 0, LateSamples: 0),
            [ok, bad]);

        Assert.Equal("rejected", h.ConfigState);
        Assert.Equal("appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000", h.ConfigError);
        Assert.Equal("abc123", h.ConfigRevision);
        Assert.Equal("", h.ModelId); // the pipeline exposes no model id yet
        Assert.Equal(3, h.Counters[(int)HeartbeatCounter.SeqWritten]);
        Assert.Equal(1, h.Counters[(int)HeartbeatCounter.SeqAcked]);
        Assert.Equal(4 << 20, h.Counters[(int)HeartbeatCounter.JournalBudgetBytes]);
        Assert.True(h.Counters[(int)HeartbeatCounter.JournalBytes] > 0);
        Assert.Equal(9, h.Counters[(int)HeartbeatCounter.WindowsSummarised]);
        Assert.False(h.Counters.ContainsKey((int)HeartbeatCounter.Retransmits)); // no uplink given
        Assert.Equal(["env", "adc"], h.Sensors.Select(s => s.Name));
        Assert.Equal("ok", h.Sensors[0].Health);
        SensorReport adc = h.Sensors[1];
        Assert.True(adc.IsDegraded);
        Assert.Equal("I2C NACK at 0x48", adc.Reason); // a fault without a message keeps the last one
        Assert.Equal(2, adc.Faults);
        Assert.Equal(0, adc.RateHz); // no deliveries yet: NaN in the snapshot goes out as 0
    }
}
