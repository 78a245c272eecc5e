namespace Appliance.Drivers.Emulation;

/// <summary>
/// The acceleration, in g, on the three axes of an accelerometer mounted on the housing of a rolling-element bearing of a
/// rotating shaft, for an <see cref="Adxl345Emulator"/>: x and y radial, z axial (carrying 1 g of gravity).
/// </summary>
/// <remarks>
/// <para>Radial axes: the shaft rate f_r and its harmonics (imbalance, misalignment), <c>Σ_k a_k · sin(2π k f_r t)</c> on x and the
/// same with cosines at half the amplitude on y; plus, from <see cref="DefectStartNs"/> on, an outer-race defect: one impact per
/// rolling element passing it, at BPFO (<see cref="BearingGeometry.OuterRaceHz"/>), each exciting a structural resonance f_n with
/// damping ratio ζ as the impulse response <c>A · exp(−ζ ω_n τ) · sin(ω_d τ)</c>, ω_d = ω_n √(1 − ζ²) (the single-point
/// defect model of P. D. McFadden and J. D. Smith, "Model for the vibration produced by a single point defect in a rolling
/// element bearing", Journal of Sound and Vibration 96 (1984) 69–82; Randall and Antoni 2011, section 2). The spacing between
/// impacts varies randomly by ± <see cref="Slip"/> of the period, the 1–2 % slip of real bearings (Randall and Antoni 2011,
/// section 2.1), so the impacts are not exactly periodic and the resonance is amplitude-modulated at BPFO: what the envelope
/// spectrum finds. The impact amplitude A grows linearly from 0 at the defect's start to <see cref="DefectPeakG"/> after
/// <see cref="DefectGrowth"/>, and stays there. The outer race is stationary, so the impacts are not modulated by the shaft
/// rate (they are for an inner-race defect, not modelled).</para>
/// <para>Every axis carries Gaussian noise of standard deviation <see cref="NoiseG"/>. Each value is a pure function of
/// (seed, axis, time): the same time gives the same value whatever order it is asked in. Immutable once built; thread-safe.</para>
/// </remarks>
public sealed class BearingVibrationSignal : IChannelSignal
{
    private const double DecayConstants = 7; // impulse responses are summed for 7 time constants (e^−7 < 0.1 %)

    private readonly double _bpfoHz;
    private readonly double _omegaN;
    private readonly double _omegaD;
    private readonly double _decayS;
    private readonly double _growthS;

    /// <summary>Creates the signal.</summary>
    /// <param name="defectStartNs">When the outer-race defect appears, Unix nanoseconds; <see cref="long.MaxValue"/> for a healthy bearing.
    /// It is also the origin of the shaft's phase.</param>
    /// <param name="defectGrowth">How long the impact amplitude takes to grow from 0 to <paramref name="defectPeakG"/>; positive.</param>
    /// <param name="shaftHz">f_r, Hz; positive.</param>
    /// <param name="defectPeakG">The impact amplitude once grown, g; zero or more.</param>
    /// <param name="resonanceHz">f_n, the structural resonance the impacts excite, Hz; positive (below the sampling Nyquist
    /// frequency to be seen: 1.2 kHz is below the 1.6 kHz of the ADXL345's 3200 Hz).</param>
    /// <param name="seed">Seed of the noise and of the slip.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate, the growth or the damping is out of range.</exception>
    public BearingVibrationSignal(long defectStartNs, TimeSpan defectGrowth, double shaftHz = 30, double defectPeakG = 0.5, double resonanceHz = 1200, ulong seed = 21)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(defectGrowth, TimeSpan.Zero);
        if (!(shaftHz > 0) || !(resonanceHz > 0) || !(defectPeakG >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(shaftHz), $"shaft {shaftHz} Hz and resonance {resonanceHz} Hz must be positive, the defect amplitude {defectPeakG} g not negative");
        }

        DefectStartNs = defectStartNs;
        DefectGrowth = defectGrowth;
        ShaftHz = shaftHz;
        DefectPeakG = defectPeakG;
        ResonanceHz = resonanceHz;
        Seed = seed;
        _bpfoHz = Bearing.OuterRaceHz(shaftHz);
        _omegaN = 2 * Math.PI * resonanceHz;
        _omegaD = _omegaN * Math.Sqrt(1 - (DampingRatio * DampingRatio));
        _decayS = 1 / (DampingRatio * _omegaN);
        _growthS = defectGrowth.TotalSeconds;
    }

    /// <summary>When the defect appears, Unix nanoseconds.</summary>
    public long DefectStartNs { get; }

    /// <summary>How long the impact amplitude takes to grow to <see cref="DefectPeakG"/>.</summary>
    public TimeSpan DefectGrowth { get; }

    /// <summary>f_r, the shaft rate, Hz (30 Hz: 1800 rpm).</summary>
    public double ShaftHz { get; }

    /// <summary>The impact amplitude once the defect has grown, g.</summary>
    public double DefectPeakG { get; }

    /// <summary>f_n, the structural resonance, Hz.</summary>
    public double ResonanceHz { get; }

    /// <summary>The seed of the noise and the slip.</summary>
    public ulong Seed { get; }

    /// <summary>The bearing (<see cref="BearingGeometry.Skf6205"/>).</summary>
    public BearingGeometry Bearing { get; } = BearingGeometry.Skf6205;

    /// <summary>ζ, the damping ratio of the resonance (0.05: the ringing decays by e in 1 / (ζ ω_n) = 2.7 ms at 1.2 kHz).</summary>
    public double DampingRatio { get; } = 0.05;

    /// <summary>The random variation of the spacing of impacts, a fraction of the BPFO period (0.01).</summary>
    public double Slip { get; } = 0.01;

    /// <summary>The amplitudes a_1, a_2, a_3 of the shaft rate's first three harmonics on x, g (0.2, 0.05, 0.02).</summary>
    public IReadOnlyList<double> HarmonicsG { get; } = [0.2, 0.05, 0.02];

    /// <summary>The standard deviation of the Gaussian noise on every axis, g (0.02).</summary>
    public double NoiseG { get; } = 0.02;

    /// <summary>BPFO of <see cref="Bearing"/> at <see cref="ShaftHz"/>, Hz.</summary>
    public double OuterRaceHz => _bpfoHz;

    /// <summary>The impact amplitude at a time: 0 before the defect, then growing linearly to <see cref="DefectPeakG"/>.</summary>
    /// <param name="timeNs">Unix nanoseconds.</param>
    /// <returns>g.</returns>
    public double ImpactAmplitudeG(long timeNs) =>
        timeNs < DefectStartNs ? 0 : DefectPeakG * Math.Min(1, (timeNs - DefectStartNs) * 1e-9 / _growthS);

    /// <inheritdoc/>
    /// <remarks>Input 0 is x, 1 is y, 2 is z; any other input reads 0.</remarks>
    public double Value(int input, long timeNs)
    {
        if ((uint)input > 2)
        {
            return 0;
        }

        double noise = NoiseG * SignalNoise.Gaussian(Seed ^ (ulong)timeNs ^ ((ulong)input << 56));
        if (input == 2)
        {
            return 1 + noise;
        }

        // Seconds from the defect's start (the shaft's phase origin), exact in double for years either side.
        double t = (timeNs - DefectStartNs) * 1e-9;
        double shaft = 0;
        for (int k = 0; k < HarmonicsG.Count; k++)
        {
            double phase = 2 * Math.PI * (k + 1) * ShaftHz * t;
            shaft += HarmonicsG[k] * (input == 0 ? Math.Sin(phase) : 0.5 * Math.Cos(phase));
        }

        double defect = Defect(t);
        return shaft + (input == 0 ? defect : 0.5 * defect) + noise;
    }

    // The impulse responses of the impacts of the last DecayConstants time constants: impact j is due at j / BPFO, moved by slip.
    private double Defect(double t)
    {
        if (t < 0 || DefectPeakG == 0)
        {
            return 0;
        }

        double period = 1 / _bpfoHz;
        double sum = 0;
        for (long j = (long)Math.Floor(t / period) + 1; j >= 0; j--)
        {
            double tj = (j * period) + (Slip * period * SignalNoise.Uniform(SignalNoise.Mix(Seed ^ 0xB7E151628AED2A6BUL ^ (ulong)j)));
            double age = t - tj;
            if (age > DecayConstants * _decayS + period)
            {
                break;
            }

            if (age < 0 || tj < 0)
            {
                continue;
            }

            double amplitude = DefectPeakG * Math.Min(1, tj / _growthS);
            sum += amplitude * Math.Exp(-age / _decayS) * Math.Sin(_omegaD * age);
        }

        return sum;
    }
}
