namespace Appliance.Runtime.Tests.Health;

public sealed class StatusFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "status-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteNow_JournalAndUplink_FlatObjectWithTheDocumentedKeys()
    {
        using var journal = new JournalOutbox(new JournalOptions { Directory = Path.Combine(_dir, "outbox"), BudgetBytes = 8L << 20 });
        using var client = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:9", DeviceId = "d" }, journal);
        client.Enqueue(WireSamples.SampleSummary());
        client.Enqueue(WireSamples.SampleAlert);
        client.Enqueue(WireSamples.SampleHeartbeat);
        journal.Sync();
        Assert.True(journal.Acknowledge(1));

        using var status = new StatusFile(_dir, TimeSpan.FromSeconds(1));
        status.Add(new UplinkStatusSection(journal, client));
        status.WriteNow();

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, StatusFile.FileName)));
        JsonElement root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("seq_written").GetInt64());
        Assert.Equal(1, root.GetProperty("seq_acked").GetInt64());
        Assert.Equal(8L << 20, root.GetProperty("journal_budget_bytes").GetInt64());
        Assert.Equal(journal.Counters.JournalBytes, root.GetProperty("journal_bytes").GetInt64());
        Assert.Equal(0, root.GetProperty("retransmits").GetInt64());
        Assert.Equal(0, root.GetProperty("merged").GetInt64());
        Assert.Equal(0, root.GetProperty("dropped").GetInt64());
        Assert.Equal("connecting", root.GetProperty("link").GetString());
        Assert.Equal(Environment.ProcessId, root.GetProperty("pid").GetInt32());
        Assert.False(File.Exists(Path.Combine(_dir, StatusFile.FileName + ".tmp")));
    }
}
