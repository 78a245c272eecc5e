namespace Appliance.Runtime.Tests.Cloud;

/// <summary>The same <see cref="IFleetReader"/> assertions on both stores (SQLite and PostgreSQL).</summary>
internal static class FleetReaderChecks
{
    private const long Second = 1_000_000_000;

    /// <summary>Summaries and alerts come back latest first, filtered; an acknowledgement is stored once, and an unknown
    /// alert is null. Infinite scores survive (the EWMA z-score after a constant history).</summary>
    public static void QueriesAndAcknowledgement<TStore>(TStore store)
        where TStore : ICollectorStore, IFleetReader
    {
        long t0 = WireSamples.StartNs;
        store.Store(
        [
            Envelope.Create("d1", 1, WireSamples.SampleSummary(t0)),
            Envelope.Create("d1", 2, WireSamples.SampleSummary(t0 + Second)),
            Envelope.Create("d2", 1, WireSamples.SampleSummary(t0 + Second)),
            Envelope.Create("d1", 3, WireSamples.AlertOf(timeNs: t0 + Second, score: double.PositiveInfinity)),
            Envelope.Create("d1", 4, WireSamples.AlertOf(timeNs: t0 + (2 * Second), detector: "cusum")),
        ], 0, 7);

        var summaries = store.QuerySummaries(new SummaryQuery("d1", "bme280-0", t0, t0 + (5 * Second), 10));
        Assert.Equal([2L, 1L], summaries.Select(s => s.Sequence));
        Assert.Equal(2, store.QuerySummaries(new SummaryQuery(null, null, t0 + Second, t0 + (2 * Second), 10)).Count);

        var alerts = store.QueryAlerts(new AlertQuery("d1", 0, long.MaxValue, null, null, 10));
        Assert.Equal([4L, 3L], alerts.Select(a => a.Sequence));
        Assert.Equal(double.PositiveInfinity, alerts[1].Score);
        Assert.False(alerts[0].Acknowledged);

        StoredAlert? acked = store.AcknowledgeAlert("d1", 3, 1234, "ops");
        Assert.Equal((1234L, "ops"), (acked!.AcknowledgedNs, acked.AcknowledgedBy));
        Assert.Equal((1234L, "ops"), (store.AcknowledgeAlert("d1", 3, 9999, "other")!.AcknowledgedNs, "ops"));
        Assert.Null(store.AcknowledgeAlert("d1", 99, 1, "ops"));
        Assert.Equal([4L], store.QueryAlerts(new AlertQuery(null, 0, long.MaxValue, null, false, 10)).Select(a => a.Sequence));
        Assert.Equal([3L], store.QueryAlerts(new AlertQuery(null, 0, long.MaxValue, null, true, 10)).Select(a => a.Sequence));
        Assert.Equal([4L], store.QueryAlerts(new AlertQuery(null, 0, long.MaxValue, "cusum", null, 10)).Select(a => a.Sequence));
    }
}
