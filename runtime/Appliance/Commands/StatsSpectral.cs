using System.Globalization;
using System.Text.Json;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Spectral;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance stats --spectral</c>: the Welch spectral features (<see cref="WelchEstimator"/>, the same kernel and
/// options as a sensor's <c>spectral</c> table) of each window of rows, added to its JSON line as <c>dominant_hz</c>,
/// <c>dominant_amplitude</c>, <c>centroid_hz</c>, <c>spectral_kurtosis</c> (the line's <c>kurtosis</c> stays the time-domain
/// one), <c>band_rms</c> (in the order of <c>--bands</c>) and, with <c>--envelope-hz</c>, <c>envelope_amplitude</c>; null
/// for a window shorter than <c>--size</c> rows (the last one may be).
/// </summary>
internal sealed class StatsSpectral
{
    private readonly WelchEstimator _welch;
    private readonly float[] _samples;
    private readonly double[] _bands;
    private readonly float[] _bandsOut;
    private readonly bool _envelope;

    private StatsSpectral(SpectralOptions options, double rateHz, int window)
    {
        _welch = new WelchEstimator(options, rateHz);
        _samples = new float[window];
        _bands = new double[options.Bands.Count];
        _bandsOut = new float[options.Bands.Count];
        _envelope = options.Envelope;
    }

    /// <summary>Checks the flags and builds the estimator.</summary>
    /// <param name="rateHz">--rate: the CSV's sample rate in Hz (required).</param>
    /// <param name="bands">--bands: <c>LOW-HIGH,LOW-HIGH</c> in Hz, or null for none.</param>
    /// <param name="size">--size: samples per FFT frame, a power of two.</param>
    /// <param name="windowFunction">--window-fn: <c>hann</c> or <c>none</c>.</param>
    /// <param name="envelopeHz">--envelope-hz: characteristic frequency of the envelope line, or null for no envelope.</param>
    /// <param name="window">--window: rows per window (at least --size).</param>
    /// <returns>The per-window computation.</returns>
    /// <exception cref="ArgumentException">A flag is missing or out of range (the message names it).</exception>
    public static StatsSpectral Create(double? rateHz, string? bands, int size, string windowFunction, double? envelopeHz, int window)
    {
        if (rateHz is not { } rate || !(rate > 0) || !double.IsFinite(rate))
        {
            throw new ArgumentException($"--rate {rateHz?.ToString(CultureInfo.InvariantCulture) ?? "missing"}: --spectral needs the CSV's sample rate in Hz (> 0)");
        }

        var function = windowFunction switch
        {
            "hann" => WindowFunction.Hann,
            "none" => WindowFunction.None,
            _ => throw new ArgumentException($"--window-fn {windowFunction}: expected hann or none"),
        };
        var options = new SpectralOptions
        {
            Size = size,
            Window = function,
            Bands = ParseBands(bands),
            Envelope = envelopeHz is not null,
            EnvelopeHz = envelopeHz ?? double.NaN,
        };
        if (options.Validate(rate) is { } error)
        {
            string flag = error.StartsWith("size", StringComparison.Ordinal) ? "--size"
                : error.StartsWith("bands", StringComparison.Ordinal) ? "--bands"
                : "--envelope-hz";
            throw new ArgumentException($"{flag}: {error}");
        }

        if (window < size)
        {
            throw new ArgumentException($"--window {window}: a window of fewer rows than --size {size} has no spectrum (expected --window >= --size)");
        }

        return new StatsSpectral(options, rate, window);
    }

    /// <summary>Computes the spectral features of <paramref name="rows"/> and writes them into the open JSON object.</summary>
    public void Write(Utf8JsonWriter w, ReadOnlySpan<double> rows)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            _samples[i] = (float)rows[i];
        }

        WelchFeatures f = _welch.Analyze(_samples.AsSpan(0, rows.Length), [], _bands);
        for (int b = 0; b < _bands.Length; b++)
        {
            _bandsOut[b] = (float)_bands[b];
        }

        var s = new SpectralSummary
        {
            DominantHz = (float)f.DominantHz,
            DominantAmplitude = (float)f.DominantAmplitude,
            CentroidHz = (float)f.CentroidHz,
            Kurtosis = (float)f.Kurtosis,
            EnvelopeAmplitude = (float)f.EnvelopeAmplitude,
            BandRms = _bandsOut,
        };
        SpectralJson.WriteProperties(w, s, _envelope, "spectral_kurtosis"u8);
    }

    private static List<(double Low, double High)> ParseBands(string? text)
    {
        var bands = new List<(double Low, double High)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return bands;
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length != 2
                || !double.TryParse(ends[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
                || !double.TryParse(ends[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high))
            {
                throw new ArgumentException($"--bands {text}: '{part}' is not LOW-HIGH in Hz (expected e.g. 10-100,100-500)");
            }

            bands.Add((low, high));
        }

        return bands;
    }
}
