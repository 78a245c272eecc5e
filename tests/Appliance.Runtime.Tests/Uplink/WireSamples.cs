namespace Appliance.Runtime.Tests.Uplink;

/// <summary>Messages shared by the wire tests, with values worked by hand.</summary>
internal static class WireSamples
{
    /// <summary>1.7e18 ns = 2023-11-14T22:13:20Z.</summary>
    public const long StartNs = 1_700_000_000_000_000_000;

    /// <summary>
    /// Features of the window {1.0, 1.5, 2.0}: mean 1.5; M2 = Σ(x-mean)² = 0.25+0+0.25 = 0.5;
    /// M3 = -0.125+0+0.125 = 0; M4 = 0.0625+0+0.0625 = 0.125; Σx² = 1+2.25+4 = 7.25
    /// (central-moment sums as defined by Pébay 2008, SAND2008-6212, eq. 1.1).
    /// </summary>
    public static WindowFeatures Features => new()
    {
        Count = 3, NanCount = 0, Min = 1.0, Max = 2.0, Mean = 1.5, M2 = 0.5, M3 = 0.0, M4 = 0.125,
        SumOfSquares = 7.25, First = 1.0, Last = 2.0, ZeroCrossings = 0,
    };

    public static Summary SampleSummary(long startNs = StartNs) => new()
    {
        Sensor = "bme280-0", Channel = "pressure", WindowStartNs = startNs, WindowEndNs = startNs + 1_000_000_000, Features = Features,
    };

    public static Alert SampleAlert => new()
    {
        Sensor = "bme280-0", Channel = "pressure", TimeNs = StartNs + 1_000_000_000, Score = 3.75, Threshold = 2.5,
        Severity = AlertSeverity.Critical, Detector = "zscore", Features = Features,
    };

    /// <summary><see cref="SampleAlert"/> on another sensor, time, score or detector.</summary>
    public static Alert AlertOf(string sensor = "bme280-0", long timeNs = StartNs + 1_000_000_000, double score = 3.75, string detector = "zscore") => new()
    {
        Sensor = sensor, Channel = "pressure", TimeNs = timeNs, Score = score, Threshold = 2.5,
        Severity = AlertSeverity.Critical, Detector = detector, Features = Features,
    };

    /// <summary><see cref="SampleSummary"/> with spectral features (schema 3 item [5]).</summary>
    public static Summary SpectralSummaryOf(long startNs, SpectralSummary spectral) => new()
    {
        Sensor = "bme280-0", Channel = "pressure", WindowStartNs = startNs, WindowEndNs = startNs + 1_000_000_000, Features = Features, Spectral = spectral,
    };

    /// <summary>Spectral features exact in float32, no envelope line, and the JSON the collector stores for them.</summary>
    public static SpectralSummary StoredSpectral => new() { DominantHz = 87.5f, DominantAmplitude = 1, CentroidHz = 300, Kurtosis = 2, EnvelopeAmplitude = float.NaN, BandRms = new[] { 0.5f } };

    /// <summary><see cref="StoredSpectral"/> as <c>summaries.spectral</c> holds it.</summary>
    public const string StoredSpectralJson = """{"dominant_hz":87.5,"dominant_amplitude":1,"centroid_hz":300,"kurtosis":2,"envelope_amplitude":null,"band_rms":[0.5]}""";

    /// <summary><see cref="SampleSummary"/> on another sensor.</summary>
    public static Summary SummaryOf(string sensor, long startNs) => new()
    {
        Sensor = sensor, Channel = "pressure", WindowStartNs = startNs, WindowEndNs = startNs + 1_000_000_000, Features = Features,
    };

    public static Heartbeat SampleHeartbeat => new()
    {
        UptimeMs = 1000, ExecutionProvider = "CPU", ConfigRevision = "abc",
        Counters = new Dictionary<int, long> { [2] = 300, [1] = 5 },
    };

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
