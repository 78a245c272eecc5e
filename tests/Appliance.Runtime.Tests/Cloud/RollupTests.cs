using Appliance.Cloud.Rollups;
using Appliance.Kernels.Quantiles;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Rollups across time and devices (issue 17 item 4) on SQLite (PostgreSQL: <see cref="PostgresStoreTests"/>),
/// the quantile sketch on the wire and device labels from heartbeat to store.</summary>
public sealed class RollupTests
{
    [Fact]
    public void Rollup_Sqlite_MomentsAndQuantilesEqualRecomputationFromRawSamples()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        RollupChecks.RollupsEqualRecomputation(store);
    }

    [Fact]
    public void Summary_WithQuantileSketch_RoundTripsTheWireBinForBin()
    {
        var sketch = new DDSketch(RollupChecks.Alpha);
        sketch.Add([-3.5, -0.25, 0.0, 1.0, 2.0, 2.0, 1e6]);
        var q = QuantileSketch.From(sketch);
        var e = Envelope.Create("dev1", 9, new Summary { Sensor = "s", Channel = "c", WindowStartNs = 1, WindowEndNs = 2, Features = WireSamples.Features, Quantiles = q });
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(e), out var back, out string? error), error);
        var got = ((Summary)back.Body).Quantiles!;
        Assert.Null(((Summary)back.Body).Spectral); // item [5] written as nil
        Assert.Equal((q.Alpha, q.ZeroCount, q.PositiveOffset, q.NegativeOffset), (got.Alpha, got.ZeroCount, got.PositiveOffset, got.NegativeOffset));
        Assert.Equal(q.PositiveCounts, got.PositiveCounts);
        Assert.Equal(q.NegativeCounts, got.NegativeCounts);
        Assert.Equal(7, got.Count);
        var rebuilt = new DDSketch(RollupChecks.Alpha);
        got.AddTo(rebuilt);
        Assert.Equal(sketch.Quantile(0.5), rebuilt.Quantile(0.5));
        Assert.Equal(q.PositiveCounts, QuantileSketchJson.Parse(QuantileSketchJson.ToJson(q)).PositiveCounts);

        // A summary without a sketch keeps the 5-item body (older readers and golden bytes unchanged).
        var plain = Envelope.Create("dev1", 9, new Summary { Sensor = "s", Channel = "c", WindowStartNs = 1, WindowEndNs = 2, Features = WireSamples.Features });
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(plain), out var plainBack, out _));
        Assert.Null(((Summary)plainBack.Body).Quantiles);
    }

    [Fact]
    public void Heartbeat_Labels_RoundTripAndAreStoredOnTheDevicesTable()
    {
        var labels = new Dictionary<string, string> { ["site"] = "plant-a", ["line"] = "3" };
        var e = Envelope.Create("dev1", 1, new Heartbeat { ConfigRevision = "r", Labels = labels });
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(e), out var back, out string? error), error);
        Assert.Equal(labels, ((Heartbeat)back.Body).Labels);
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(Envelope.Create("dev1", 2, new Heartbeat { ConfigRevision = "r" })), out var none, out _));
        Assert.Null(((Heartbeat)none.Body).Labels);

        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        store.Store([e], 0, 1);
        Assert.Equal("plant-a", store.GetDeviceLabels()["dev1"]["site"]);
        store.Store([Envelope.Create("dev1", 2, new Heartbeat { ConfigRevision = "r" })], 0, 2); // a heartbeat without labels keeps them
        Assert.Equal("3", store.GetDeviceLabels()["dev1"]["line"]);
    }

    [Fact]
    public void Config_DeviceLabels_ParsedAndBadOnesNamed()
    {
        // DefaultConfig: line 3 is [device], line 5 its id; the labels go on line 6.
        string good = DefaultConfig.Toml.Replace("id = \"demo-1\"\n", "id = \"demo-1\"\nlabels = { site = \"plant-a\", line = \"3\" }\n", StringComparison.Ordinal);
        var config = ConfigLoader.Parse(good, "appliance.toml");
        Assert.Equal("plant-a", config.Device.Labels!["site"]);
        Assert.Null(ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml").Device.Labels);
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(good.Replace("line = \"3\"", "line = 3", StringComparison.Ordinal), "appliance.toml"));
        Assert.Contains("appliance.toml:6", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(good.Replace("labels = {", "labels = \"site\" #", StringComparison.Ordinal), "appliance.toml"));
        Assert.Contains("[device] labels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Migration3_StoreOfVersion2_ReadsWithoutSketchesThenGainsQuantilesAndLabels()
    {
        using var db = new TempDatabase();
        using (var first = new SqliteStore(db.Path))
        {
            first.Store([Envelope.Create("d1", 1, WireSamples.SampleSummary())], 0, 1);
        }

        // Back to version 2 (before quantiles and labels), as a collector of pgingest's schema left it.
        using (var c = new SqliteConnection($"Data Source={db.Path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "ALTER TABLE summaries DROP COLUMN quantiles; ALTER TABLE devices DROP COLUMN labels; DELETE FROM schema_version WHERE version >= 3;";
            cmd.ExecuteNonQuery();
        }

        var query = RollupQuery.Parse("bme280-0", "1h", "label:site", 0, long.MaxValue);
        using (var readOnly = SqliteStore.OpenReadOnly(db.Path))
        {
            var old = Assert.Single(readOnly.QueryRollups(query), r => r.Channel == "pressure");
            Assert.Equal((RollupRow.Unlabelled, 0L), (old.Group, old.SketchCount));
            Assert.Empty(readOnly.GetDeviceLabels()["d1"]);
        }

        using var store = new SqliteStore(db.Path); // migrates to 3
        store.Store([Envelope.Create("d1", 2, new Heartbeat { ConfigRevision = "r", Labels = new Dictionary<string, string> { ["site"] = "a" } })], 0, 2);
        Assert.Equal("a", Assert.Single(store.QueryRollups(query), r => r.Channel == "pressure").Group);
    }

    [Fact]
    public void RollupQuery_Parse_RefusesWhatItDoesNotKnow()
    {
        Assert.Equal("site", RollupQuery.Parse("s", "1h", "label:site", 0, 1).LabelKey);
        Assert.Equal("every", Assert.Throws<ArgumentException>(() => RollupQuery.Parse("s", "5m", "device", 0, 1)).ParamName);
        Assert.Equal("by", Assert.Throws<ArgumentException>(() => RollupQuery.Parse("s", "1m", "label:site=a", 0, 1)).ParamName);
        Assert.Equal("since", Assert.Throws<ArgumentException>(() => RollupQuery.Parse("s", "1m", "device", 2, 1)).ParamName);
    }
}
