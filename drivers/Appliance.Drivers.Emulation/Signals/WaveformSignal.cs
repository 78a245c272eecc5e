namespace Appliance.Drivers.Emulation;

/// <summary>
/// A deterministic signal per input: <c>offset + amplitude · sin(2π · frequency · t + phase) + noise</c>, with t in seconds since
/// the Unix epoch and uniform noise in ±<c>noise</c> that is a pure function of (seed, input, time). Inputs not set read 0.
/// Values can be changed while an emulator runs (<see cref="Set"/> is thread-safe), so a test can move an input between reads.
/// </summary>
public sealed class WaveformSignal : IChannelSignal
{
    private readonly object _gate = new();
    private readonly ulong _seed;
    private (double Offset, double Amplitude, double FrequencyHz, double Phase, double Noise)[] _inputs = [];

    /// <summary>Creates a signal whose inputs all read 0.</summary>
    /// <param name="seed">Seed of the noise.</param>
    public WaveformSignal(ulong seed = 1) => _seed = seed;

    /// <summary>Creates a signal whose inputs read the constants <paramref name="values"/>.</summary>
    /// <param name="values">One constant per input (input i reads values[i]).</param>
    /// <returns>The signal.</returns>
    public static WaveformSignal Constant(params ReadOnlySpan<double> values)
    {
        var signal = new WaveformSignal();
        for (int i = 0; i < values.Length; i++)
        {
            signal.Set(i, values[i]);
        }

        return signal;
    }

    /// <summary>Sets input <paramref name="input"/> to a waveform.</summary>
    /// <param name="input">The input, 0 to 63.</param>
    /// <param name="offset">Constant part, in the input's unit.</param>
    /// <param name="amplitude">Sine amplitude, in the input's unit.</param>
    /// <param name="frequencyHz">Sine frequency, Hz.</param>
    /// <param name="phase">Sine phase, radians.</param>
    /// <param name="noise">Half-width of the uniform noise, in the input's unit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="input"/> is outside 0..63.</exception>
    public void Set(int input, double offset, double amplitude = 0, double frequencyHz = 0, double phase = 0, double noise = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(input, 63);
        lock (_gate)
        {
            var inputs = _inputs;
            if (input >= inputs.Length)
            {
                Array.Resize(ref inputs, input + 1);
            }
            else
            {
                inputs = (((double, double, double, double, double)[])inputs.Clone());
            }

            inputs[input] = (offset, amplitude, frequencyHz, phase, noise);
            Volatile.Write(ref _inputs, inputs);
        }
    }

    /// <inheritdoc/>
    public double Value(int input, long timeNs)
    {
        var inputs = Volatile.Read(ref _inputs);
        if ((uint)input >= (uint)inputs.Length)
        {
            return 0;
        }

        (double offset, double amplitude, double f, double phase, double noise) = inputs[input];
        double v = offset;
        if (amplitude != 0 && f != 0)
        {
            // Reduce the time modulo the period first so that the phase keeps its precision at Unix-epoch times.
            double periodNs = 1e9 / f;
            double t = timeNs % periodNs;
            v += amplitude * Math.Sin((2 * Math.PI * t / periodNs) + phase);
        }

        if (noise != 0)
        {
            v += noise * SignalNoise.Uniform(SignalNoise.Mix(_seed ^ (ulong)timeNs ^ ((ulong)input << 56)));
        }

        return v;
    }
}
