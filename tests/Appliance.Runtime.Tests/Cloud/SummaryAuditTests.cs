using Appliance.Device.Uplink;
using Appliance.Kernels.Statistics;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// <see cref="SummaryAudit"/>, the loss and duplication figures of <c>appliance bench fleet</c>, read from the rows: the
/// expected values are counted by hand from the rows the test writes (the store's key is (device, incarnation, sequence), so a
/// window stored twice under two sequences or incarnations is two rows, which is what the audit must find).
/// </summary>
public sealed class SummaryAuditTests
{
    private static readonly WindowFeatures Features = WindowStatistics.Compute([1f, 2f, 3f]);

    private static Envelope Window(string device, long seq, long window, long incarnation = 1) => Envelope.Create(device, seq, new Summary
    {
        Sensor = "sim", Channel = "x",
        WindowStartNs = SimulatedDevice.FirstWindowNs + (window * SimulatedDevice.WindowNs),
        WindowEndNs = SimulatedDevice.FirstWindowNs + ((window + 1) * SimulatedDevice.WindowNs),
        Features = Features,
    }, incarnation);

    [Fact]
    public void Count_MissingWindowSecondRowAndUnproducedWindow_CountedFromRows()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path, SqliteSynchronous.Normal);
        // Device a produced windows 0..9: window 3 never stored (lost 1); window 5 stored again under sequence 20 and under a
        // new incarnation (2 duplicates); window 50, which it never produced, stored (1 more). Device b: 0..4, all once.
        var batch = new List<Envelope>();
        batch.AddRange(Enumerable.Range(0, 10).Where(w => w != 3).Select(w => Window("a", w + 1, w)));
        batch.Add(Window("a", 20, 5));
        batch.Add(Window("a", 6, 5, incarnation: 2));
        batch.Add(Window("a", 21, 50));
        batch.AddRange(Enumerable.Range(0, 5).Select(w => Window("b", w + 1, w)));
        store.Store(batch, 0, SimulatedDevice.FirstWindowNs);

        SummaryAuditResult r = SummaryAudit.Count(store, new Dictionary<string, long> { ["a"] = 10, ["b"] = 5, ["c"] = 2 }, SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);

        Assert.Equal(12 + 5, r.Rows);
        Assert.Equal(1 + 2, r.Lost); // a's window 3, and c's two windows (no rows at all)
        Assert.Equal(3, r.DuplicatesStored);
    }

    [Fact]
    public void Count_NotASqlStore_Refused()
    {
        using var db = new TempDatabase();
        using var inner = new SqliteStore(db.Path, SqliteSynchronous.Normal);
        using var throttled = new ThrottledStore(inner, 10);
        Assert.Throws<ArgumentException>(() => SummaryAudit.Count(throttled, new Dictionary<string, long>(), 0, 1));
    }
}
