using Appliance.Drivers.Chips.Adxl345;
using Appliance.Kernels.Detection;
using Appliance.Kernels.Spectral;

namespace Appliance.Runtime.Tests.Detection;

public sealed class SpectralDetectorTests(ITestOutputHelper output)
{
    private static readonly (double, double)[] s_bands = [(10, 100), (100, 500), (500, 1000), (1000, 1500)];

    [Fact]
    public void Observe_BandEnergyStepAfterLearning_AlertsOnceWithHysteresis()
    {
        // log band RMS learnt over 10 windows alternating 1.00 / 1.02 (s = 0.0104 < minsd 0.05): a step to e^0.5 = 1.65 gives
        // z = (0.5 - 0.0099) / 0.05 = 9.8 > 6, one alert; back to the baseline closes the incident after the cool-down; a second
        // step alerts again.
        var d = SpectralDetector.Parse("spectral:learn=10", threshold: null, cooldown: 2);
        int alerts = 0;
        double maxZ = 0;
        for (int i = 0; i < 40; i++)
        {
            double level = i is (>= 15 and < 20) or (>= 30 and < 33) ? Math.Exp(0.5) : i % 2 == 0 ? 1.0 : 1.02;
            d.SetSpectral(new WelchFeatures { Frames = 5, EnvelopeAmplitude = double.NaN }, [level, 1.0]);
            WindowVerdict v = d.Observe(WindowFeatures.Empty);
            alerts += v.Fired ? 1 : 0;
            maxZ = Math.Max(maxZ, v.Score);
            Assert.True(i >= 10 || v.Score == 0); // learning windows score 0
        }

        Assert.Equal(2, alerts);
        Assert.Equal((0.5 - Math.Log(1.01) + 0.0000) / 0.05, maxZ, 0.05);
        Assert.Equal(0, d.LastFeature);
    }

    [Fact]
    public void Observe_WithoutSpectralFeatures_ScoresZeroAndLearnsNothing()
    {
        var d = new SpectralDetector(learn: 3);
        Assert.Equal(0, d.Observe(WindowFeatures.Empty).Score);
        d.SetSpectral(new WelchFeatures { Frames = 0 }, [1.0]);
        Assert.Equal(0, d.Observe(WindowFeatures.Empty).Score);
        Assert.Equal(0, d.Learnt);
    }

    [Theory]
    [InlineData("spectral:learn=1", "learn")]
    [InlineData("spectral:warmup=5", "unknown key 'warmup'")]
    [InlineData("spectral:release=7", "release")]
    [InlineData("spectral:minsd=x", "key=number")]
    public void Create_BadSpec_OneLineNamingTheKey(string spec, string expected)
    {
        Assert.True(SensorDetectorSettings.TryParseKind(spec, out DetectorKind kind));
        Assert.Equal(DetectorKind.Spectral, kind);
        var e = Assert.Throws<ArgumentException>(() => WindowDetectors.Create(new SensorDetectorSettings(kind, spec, null, null, double.NaN, double.NaN), new DetectorSettings("ewma-z", 0.1, 4, 30, 1)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BearingDefectAtKnownTime_SpectralAlertsFirst_TimeDomainLaterOrNever()
    {
        // An emulated ADXL345 at 3200 Hz on a simulated clock, read through the driver's FIFO batches, 1 s windows of x. The
        // outer-race defect appears at t0 = 60 s and grows linearly to 0.5 g impacts over 300 s; 420 s in all.
        //   spectral: spectral:learn=40 on band RMS [10,100), [100,500), [500,1000), [1000,1500) Hz and the envelope line at
        //     BPFO (Welch, N = 1024, Hann, 3 harmonics), threshold z = 6;
        //   time-domain RMS: the same detector, the same baseline, threshold and floor, on the window's RMS alone;
        //   default: the [detector] default, ewma-z on the window mean (alpha 0.1, threshold 4, warm-up 30).
        var clock = SimulatedClock.AtNabEpoch();
        long startNs = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        long t0 = startNs + 60_000_000_000;
        var signal = new BearingVibrationSignal(t0, TimeSpan.FromSeconds(300));
        using var sensor = new Adxl345Sensor("vib", new Adxl345Emulator(signal, clock), 3200, 16, clock);
        sensor.Open();
        var options = new SpectralOptions { Size = 1024, Bands = s_bands, Envelope = true, EnvelopeHz = signal.OuterRaceHz, EnvelopeHarmonics = 3 };
        var welch = new WelchEstimator(options, 3200);
        var spectral = new SpectralDetector(learn: 40);
        var rmsOnly = new SpectralDetector(learn: 40);
        var ewma = new EwmaZScoreDetector(0.1, 4, 30, 1);
        var bandRms = new double[s_bands.Length];
        var window = new float[3200];
        var values = new float[96];
        var stamps = new long[32];
        int filled = 0;
        double baselineRms = 0;
        (double Spectral, double Rms, double Default) delay = (double.NaN, double.NaN, double.NaN);
        double rmsAtSpectralAlert = double.NaN;
        long windowEnd = startNs + 1_000_000_000;
        while (windowEnd <= startNs + 420_000_000_000)
        {
            clock.Advance(TimeSpan.FromMilliseconds(5));
            Assert.Equal(SampleStatus.Ok, sensor.ReadBatch(values, stamps, out int n));
            for (int i = 0; i < n; i++)
            {
                window[filled++] = values[i * 3];
                if (filled < window.Length)
                {
                    continue;
                }

                filled = 0;
                WindowFeatures time = WindowStatistics.Compute(window);
                welch.Add(window);
                spectral.SetSpectral(welch.Complete(bandRms), bandRms);
                rmsOnly.SetSpectral(new WelchFeatures { Frames = 1, EnvelopeAmplitude = double.NaN }, [time.Rms]);
                bool before = windowEnd <= t0;
                double seconds = (windowEnd - t0) / 1e9;
                if (spectral.Observe(time).Fired)
                {
                    Assert.False(before, $"spectral false alarm before the defect at {seconds} s");
                    if (double.IsNaN(delay.Spectral))
                    {
                        delay.Spectral = seconds;
                        rmsAtSpectralAlert = time.Rms;
                    }
                }

                if (rmsOnly.Observe(time).Fired && double.IsNaN(delay.Rms))
                {
                    Assert.False(before, $"time-domain false alarm before the defect at {seconds} s");
                    delay.Rms = seconds;
                }

                if (ewma.Observe(time).Fired && double.IsNaN(delay.Default) && !before)
                {
                    delay.Default = seconds;
                }

                baselineRms += before && windowEnd > startNs + 20_000_000_000 ? time.Rms / 40 : 0;
                windowEnd += 1_000_000_000;
            }
        }

        double rmsChange = (rmsAtSpectralAlert / baselineRms) - 1;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"defect at t0 = 60 s, growing to 0.5 g impacts over 300 s; BPFO {signal.OuterRaceHz:F2} Hz"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spectral alert at t0 + {delay.Spectral} s (feature {spectral.LastFeature}; impact amplitude then {signal.ImpactAmplitudeG(t0 + (long)(delay.Spectral * 1e9)):F3} g), time-domain RMS then {rmsChange:P1} from its baseline {baselineRms:F3} m/s^2"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time-domain RMS z (same detector): t0 + {delay.Rms} s; default ewma-z on the mean: t0 + {delay.Default} s (NaN: never)"));
        Assert.InRange(delay.Spectral, 1, 60);
        Assert.True(double.IsNaN(delay.Rms) || delay.Rms > delay.Spectral);
        Assert.True(double.IsNaN(delay.Default) || delay.Default > delay.Spectral);
        Assert.InRange(Math.Abs(rmsChange), 0, 0.05);
        Assert.Equal(0, sensor.FifoOverruns);
    }
}
