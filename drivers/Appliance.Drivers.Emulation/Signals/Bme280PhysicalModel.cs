
namespace Appliance.Drivers.Emulation;

/// <summary>
/// A deterministic indoor environment for a <see cref="Bme280Emulator"/>: temperature 22 °C ± 3 °C on a 24 h sine,
/// pressure 101325 Pa ± 120 Pa on a 72 h sine, humidity 45 %RH ∓ 5 %RH against the temperature, each with small
/// uniform noise (±0.05 °C, ±2 Pa, ±0.3 %RH) that is a pure function of (seed, time), so the same time always gives the
/// same values whatever order it is asked in.
/// </summary>
/// <remarks>
/// <see cref="Next"/> turns the physical values into raw ADC codes by inverting the datasheet compensation
/// (<see cref="Bme280Compensation"/>, BST-BME280-DS002 section 8.1) with integer bisection for the given calibration: adc_T
/// first, then adc_P and adc_H with the t_fine of that adc_T, as the chip's consumer will compute them. Values beyond the ADC's
/// range saturate at its ends. The inversion error is the ADC quantisation: about 0.0003 °C, 0.2 Pa and 0.006 %RH per code with
/// the datasheet example calibration.
/// </remarks>
public sealed class Bme280PhysicalModel : IBme280Signal
{
    /// <summary>The temperature step of <see cref="Bme280Fault.HeaterStep"/>, °C.</summary>
    public const double HeaterStepC = 15.0;

    private const long DayNs = 86_400_000_000_000L;
    private const double MeanTemperatureC = 22.0;
    private const double DailyTemperatureAmplitudeC = 3.0;
    private const double MeanPressurePa = 101_325.0;
    private const double PressureAmplitudePa = 120.0;
    private const double MeanHumidityPct = 45.0;
    private const double HumidityAmplitudePct = 5.0;

    private readonly Bme280Calibration _calibration;
    private readonly ulong _seed;
    private readonly List<(Bme280Fault Kind, long StartNs, long EndNs)> _faults = [];

    /// <summary>Creates the model.</summary>
    /// <param name="calibration">The calibration of the emulated chip; <see cref="Bme280Calibration.DatasheetExample"/> when null.</param>
    /// <param name="seed">Seed of the noise; the same seed gives the same values.</param>
    public Bme280PhysicalModel(Bme280Calibration? calibration = null, ulong seed = 1)
    {
        _calibration = calibration ?? Bme280Calibration.DatasheetExample;
        _seed = seed;
    }

    /// <summary>
    /// Adds a fault active for <paramref name="startNs"/> ≤ t &lt; <paramref name="endNs"/> (Unix nanoseconds).
    /// Not thread-safe with <see cref="Next"/>: inject faults before the emulator runs.
    /// </summary>
    /// <param name="kind">The fault.</param>
    /// <param name="startNs">Start of the fault window, Unix ns.</param>
    /// <param name="endNs">End of the fault window (exclusive), Unix ns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined, or <paramref name="endNs"/> ≤ <paramref name="startNs"/>.</exception>
    public void InjectFault(Bme280Fault kind, long startNs, long endNs)
    {
        if (kind != Bme280Fault.HeaterStep)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault (expected HeaterStep).");
        }

        if (endNs <= startNs)
        {
            throw new ArgumentOutOfRangeException(nameof(endNs), endNs, $"The fault window must end after it starts ({startNs} ns).");
        }

        _faults.Add((kind, startNs, endNs));
    }

    /// <summary>The physical values at <paramref name="timeNs"/>, faults included.</summary>
    /// <param name="timeNs">Unix nanoseconds (UTC).</param>
    /// <returns>Temperature (°C), pressure (Pa), humidity (%RH).</returns>
    public Bme280PhysicalSample PhysicalAt(long timeNs)
    {
        double dayPhase = 2.0 * Math.PI * (double)(((timeNs % DayNs) + DayNs) % DayNs) / DayNs;
        double pressurePhase = 2.0 * Math.PI * (double)(((timeNs % (3 * DayNs)) + (3 * DayNs)) % (3 * DayNs)) / (3 * DayNs);
        ulong h = Mix(_seed ^ (ulong)timeNs);
        double temperature = MeanTemperatureC + (DailyTemperatureAmplitudeC * Math.Sin(dayPhase)) + (0.05 * Uniform(h));
        double pressure = MeanPressurePa + (PressureAmplitudePa * Math.Sin(pressurePhase)) + (2.0 * Uniform(Mix(h)));
        double humidity = MeanHumidityPct - (HumidityAmplitudePct * Math.Sin(dayPhase)) + (0.3 * Uniform(Mix(Mix(h))));
        foreach ((Bme280Fault _, long startNs, long endNs) in _faults)
        {
            if (timeNs >= startNs && timeNs < endNs)
            {
                temperature += HeaterStepC;
            }
        }

        return new Bme280PhysicalSample(temperature, pressure, humidity);
    }

    /// <inheritdoc/>
    public Bme280RawSample Next(long timeNs) => ToRaw(PhysicalAt(timeNs));

    /// <summary>
    /// Inverts the datasheet compensation (section 8.1) for this model's calibration: the raw codes whose compensated
    /// values are nearest to <paramref name="physical"/>.
    /// </summary>
    /// <param name="physical">Temperature (°C), pressure (Pa), humidity (%RH).</param>
    /// <returns>adc_T and adc_P (20-bit), adc_H (16-bit), saturated at the ADC range.</returns>
    public Bme280RawSample ToRaw(Bme280PhysicalSample physical)
    {
        Bme280Calibration c = _calibration;

        // Temperature rises with adc_T (dig_T2 > 0 on every chip).
        int lo = 0, hi = Bme280RawSample.Max20Bit;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (Bme280Compensation.Temperature(mid, c, out _) < physical.TemperatureC)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        int adcT = Nearest(Channel.Temperature, lo, physical.TemperatureC, 0.0, c);
        Bme280Compensation.Temperature(adcT, c, out double tFine);

        // Pressure falls as adc_P rises (p = 1048576 - adc_P in the formula).
        lo = 0;
        hi = Bme280RawSample.Max20Bit;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (Bme280Compensation.Pressure(mid, tFine, c) > physical.PressurePa)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        int adcP = Nearest(Channel.Pressure, lo, physical.PressurePa, tFine, c);

        // Humidity rises with adc_H (clamped at 0 and 100 %RH by the formula).
        lo = 0;
        hi = Bme280RawSample.Max16Bit;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (Bme280Compensation.Humidity(mid, tFine, c) < physical.HumidityPct)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        int adcH = Nearest(Channel.Humidity, lo, physical.HumidityPct, tFine, c);
        return new Bme280RawSample(adcT, adcP, adcH);
    }

    private enum Channel
    {
        Temperature,
        Pressure,
        Humidity,
    }

    // The bisection finds the first code on the far side of the target; the code before it may be nearer.
    private static int Nearest(Channel channel, int code, double target, double tFine, Bme280Calibration c)
    {
        if (code == 0)
        {
            return 0;
        }

        double before = Compensate(channel, code - 1, tFine, c);
        double at = Compensate(channel, code, tFine, c);
        return Math.Abs(before - target) <= Math.Abs(at - target) ? code - 1 : code;
    }

    private static double Compensate(Channel channel, int code, double tFine, Bme280Calibration c) => channel switch
    {
        Channel.Temperature => Bme280Compensation.Temperature(code, c, out _),
        Channel.Pressure => Bme280Compensation.Pressure(code, tFine, c),
        _ => Bme280Compensation.Humidity(code, tFine, c),
    };

    // SplitMix64 finaliser (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", OOPSLA 2014).
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Top 53 bits to a double in [-1, 1).
    private static double Uniform(ulong bits) => ((bits >> 11) * (1.0 / (1UL << 53)) * 2.0) - 1.0;
}
