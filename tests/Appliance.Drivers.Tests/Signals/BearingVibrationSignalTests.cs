using Appliance.Kernels.Spectral;

namespace Appliance.Drivers.Tests.Signals;

public sealed class BearingVibrationSignalTests
{
    private const long T0 = 1_709_294_400_000_000_000L; // 2024-03-01 12:00 UTC
    private const double Fs = 3200;

    [Fact]
    public void OuterRaceHz_Skf6205_Is3Point5848TimesShaftRate()
    {
        // Case Western Reserve University bearing data centre, "Bearing Information" (6205-2RS JEM SKF, drive end): BPFO = 3.5848 x
        // shaft speed; from n = 9, d = 0.3126 in, D = 1.537 in: 4.5 x (1 - 0.3126 / 1.537) = 3.5847.
        Assert.Equal(3.5848 * 30, BearingGeometry.Skf6205.OuterRaceHz(30), 0.01);
        Assert.Equal(4.5 * 30 * (1 - (7.94 / 39.04 * Math.Cos(Math.PI / 12))), (BearingGeometry.Skf6205 with { ContactAngleDeg = 15 }).OuterRaceHz(30), 1e-12);
    }

    [Fact]
    public void Value_BeforeTheDefect_IsTheHealthyBearing()
    {
        var defective = new BearingVibrationSignal(T0, TimeSpan.FromSeconds(1));
        var healthy = new BearingVibrationSignal(T0, TimeSpan.FromSeconds(1), defectPeakG: 0);

        for (long k = -3200; k < 0; k++)
        {
            long t = T0 + (k * 312_500);
            Assert.Equal(healthy.Value(0, t), defective.Value(0, t));
        }

        Assert.Equal(0, defective.ImpactAmplitudeG(T0 - 1));
        Assert.Equal(0.25, defective.ImpactAmplitudeG(T0 + 500_000_000), 12);
        Assert.Equal(0.5, defective.ImpactAmplitudeG(T0 + 5_000_000_000), 12);
    }

    [Fact]
    public void Value_HealthyAxes_HaveTheStatedShaftHarmonicsGravityAndNoise()
    {
        // Over 10 s: x mean square = (0.2² + 0.05² + 0.02²) / 2 + 0.02² = 0.02185 g²; z mean 1 g with standard deviation 0.02 g.
        var healthy = new BearingVibrationSignal(T0, TimeSpan.FromSeconds(1), defectPeakG: 0);
        double sx2 = 0, sz = 0, sz2 = 0;
        const int n = 32_000;
        for (long k = 0; k < n; k++)
        {
            long t = T0 + (k * 312_500);
            double x = healthy.Value(0, t);
            double z = healthy.Value(2, t);
            sx2 += x * x;
            sz += z;
            sz2 += z * z;
        }

        double zMean = sz / n;
        Assert.Equal(0.02185, sx2 / n, 0.0005);
        Assert.Equal(1.0, zMean, 0.001);
        Assert.Equal(0.02, Math.Sqrt((sz2 / n) - (zMean * zMean)), 0.001);
    }

    [Fact]
    public void Value_GrownDefect_RingsAtTheResonanceAndIsModulatedAtBpfo()
    {
        // The defect's part alone (defective minus healthy: the same seed gives the same noise): its spectrum peaks near the
        // 1200 Hz resonance, and its squared envelope (the square, mean removed) near BPFO = 107.5 Hz: the envelope method.
        var defective = new BearingVibrationSignal(T0, TimeSpan.FromSeconds(1));
        var healthy = new BearingVibrationSignal(T0, TimeSpan.FromSeconds(1), defectPeakG: 0);
        const int n = 8192;
        var part = new float[n];
        var squared = new float[n];
        for (int k = 0; k < n; k++)
        {
            long t = T0 + 2_000_000_000 + (k * 312_500L);
            double d = defective.Value(0, t) - healthy.Value(0, t);
            part[k] = (float)d;
            squared[k] = (float)(d * d);
        }

        var analyzer = new SpectralAnalyzer(n, Fs, []);
        double resonance = analyzer.Analyze(part, []).DominantFrequencyHz;
        double modulation = analyzer.Analyze(squared, []).DominantFrequencyHz;

        Assert.InRange(resonance, 1150, 1250);
        Assert.Equal(defective.OuterRaceHz, modulation, 2 * analyzer.BinWidthHz);
    }
}
