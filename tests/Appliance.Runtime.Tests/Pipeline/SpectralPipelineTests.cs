namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// A sensor with <c>spectral = { ... }</c>: every window's Summary carries its Welch features (issue 21 items 2-4), the
/// collector stores them and reads them back. Values are analytic: a sine of amplitude A on an FFT bin has band RMS
/// A/√2 (Parseval) and dominant line A at its frequency (<see cref="Kernels.Spectral.WelchEstimator"/>).
/// </summary>
public sealed class SpectralPipelineTests
{
    [Fact]
    public async Task Replay_SineWithSpectralTable_SummariesCarryDominantLineAndBandRms()
    {
        // 12 s at 1000 Hz of 0.5 + 2·sin(2π·125 t): 125 Hz is bin 128 of N = 1024 (Δf = 0.9765625 Hz), so the Hann line
        // sits in bins 127..129, inside [100, 150): band RMS 2/√2, nothing in [200, 400), dominant 125 Hz of amplitude 2.
        // 4 s windows hold 4000 samples: ⌊(4000 − 1024)/512⌋ + 1 = 6 frames each; 3 windows.
        using var store = await ReplayPipelineRun.RunAsync(
            i => (0.5 + (2 * Math.Sin(2 * Math.PI * 125 * i / 1000.0))).ToString("F6", CultureInfo.InvariantCulture),
            "spectral = { size = 1024, bands = [[100, 150], [200, 400]] }\n");
        var rows = store.GetSummaries(null, 0, 100);
        Assert.Equal(3, rows.Count);
        foreach (var r in rows)
        {
            Assert.NotNull(r.Spectral);
            using var doc = JsonDocument.Parse(r.Spectral);
            var s = doc.RootElement;
            Assert.Equal(125.0, s.GetProperty("dominant_hz").GetDouble());
            Assert.Equal(2.0, s.GetProperty("dominant_amplitude").GetDouble(), 4);
            Assert.Equal(125.0, s.GetProperty("centroid_hz").GetDouble(), 2);
            var bands = s.GetProperty("band_rms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(2, bands.Length);
            Assert.Equal(2 / Math.Sqrt(2), bands[0], 4);
            Assert.True(bands[1] < 1e-3, $"[200, 400) holds {bands[1]}");
            Assert.Equal(JsonValueKind.Null, s.GetProperty("envelope_amplitude").ValueKind);
        }
    }

    [Fact]
    public void SqliteStore_FileFromBeforeSpectral_GainsTheColumnAndKeepsItsRows()
    {
        // A summaries table as schema 2 collectors created it (no spectral column): opening adds the column, the old row
        // reads back with Spectral null, and a new schema 3 summary with spectral features is stored beside it.
        var dir = Directory.CreateTempSubdirectory("appliance-spectral-db-").FullName;
        var path = Path.Combine(dir, "cloud.db");
        using (var store = new SqliteStore(path))
        {
            store.Store([Envelope.Create("dev1", 1, WireSamples.SampleSummary())], 0, 1);
        }

        using (var raw = new SqliteConnection($"Data Source={path}"))
        {
            raw.Open();
            using var drop = raw.CreateCommand();
            drop.CommandText = "ALTER TABLE summaries DROP COLUMN spectral;" + Cloud.StoreMigrationTests.BeforeVersionsSql; // a file from before spectral also predates schema_version
            drop.ExecuteNonQuery();
        }

        using var reopened = new SqliteStore(path);
        reopened.Store([Envelope.Create("dev1", 2, WireSamples.SpectralSummaryOf(WireSamples.StartNs + 1_000_000_000, WireSamples.StoredSpectral))], 0, 2);
        var rows = reopened.GetSummaries(null, 0, 10);
        Assert.Null(rows[0].Spectral);
        Assert.Equal(WireSamples.StoredSpectralJson, rows[1].Spectral);
    }
}
