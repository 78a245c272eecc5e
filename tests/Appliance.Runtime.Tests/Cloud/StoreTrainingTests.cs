namespace Appliance.Runtime.Tests.Cloud;

/// <summary><c>cloud train</c> and alert labels on SQLite (<see cref="StoreTrainingChecks"/>), and the refusals.</summary>
public sealed class StoreTrainingTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly string _out = Directory.CreateTempSubdirectory("appliance-cloud-train-").FullName;

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public void Train_GaussianWindowsInSqlite_ThresholdIsChiSquare1Quantile()
    {
        using var store = new SqliteStore(_db.Path);
        StoreTrainingChecks.ThresholdIsChiSquareQuantile(store, Path.Combine(_out, "m"));
    }

    [Fact]
    public void LabelAlert_Sqlite_PrecisionAndTrueAlertWindowsLeftOut()
    {
        using var store = new SqliteStore(_db.Path);
        StoreTrainingChecks.LabelsGatePrecisionAndTraining(store, Path.Combine(_out, "m"));
    }

    [Fact]
    public void Train_HeldOutPartIsTheLatestWindows_ThresholdFromThemOnly()
    {
        // The last 20 % of the windows in time (stored first, as a reconnecting device's backlog may be) are 3x wider: a
        // chronological split holds exactly them out, so the threshold is 3² x the χ²(1) quantile, not the quantile itself.
        using var store = new SqliteStore(_db.Path);
        long t0 = WireSamples.StartNs;
        var rng = new Random(5);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var late = Enumerable.Range(4000, 1000).Select(w => Window(w, 3 * Normal(), 3 * Normal()));
        var early = Enumerable.Range(0, 4000).Select(w => Window(w, Normal(), Normal()));
        store.Store([.. late], 0, t0);
        store.Store([.. early], 0, t0);

        var r = StoreTrainer.Train(store, StoreTrainingChecks.Request(t0, Path.Combine(_out, "m"), "t1") with { UntilNs = t0 + (5000 * StoreTrainingChecks.Second) });
        Assert.Equal(1000, r.Model.HeldOutRows);
        Assert.InRange(r.Model.Threshold, 9 * (StoreTrainingChecks.Chi2Of1Quantile95 - 0.9), 9 * (StoreTrainingChecks.Chi2Of1Quantile95 + 0.9));

        Envelope Window(int w, double a, double b) => Envelope.Create("t1", 1 + w, new Summary
        {
            Sensor = "vib", Channel = "x", WindowStartNs = t0 + (w * StoreTrainingChecks.Second), WindowEndNs = t0 + ((w + 1) * StoreTrainingChecks.Second),
            Features = Appliance.Kernels.Statistics.WindowStatistics.Compute([a, b]),
        });
    }

    [Theory]
    [InlineData("nope", 0, 2000, "--devices: device 'nope' is unknown (the store has 3 devices: t1, t2, t3)")]
    [InlineData("label:site=z", 0, 2000, "--devices: label:site=z matches no device")]
    [InlineData("*", 3000, 4000, "no windows in range")]
    [InlineData("*", 5, 5, "--since 2023-11-14T22:13:25Z is not before --until 2023-11-14T22:13:25Z")]
    public void Train_BadInput_OneLineNamingIt(string devices, int fromS, int toS, string expected)
    {
        using var store = new SqliteStore(_db.Path);
        long t0 = WireSamples.StartNs;
        StoreTrainingChecks.Seed(store, t0);
        var e = Assert.Throws<ArgumentException>(() => StoreTrainer.Train(store, StoreTrainingChecks.Request(t0, Path.Combine(_out, "m"), devices)
            with { SinceNs = t0 + (fromS * StoreTrainingChecks.Second), UntilNs = t0 + (toS * StoreTrainingChecks.Second) }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
