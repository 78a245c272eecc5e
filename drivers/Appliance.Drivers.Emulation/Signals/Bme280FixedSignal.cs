namespace Appliance.Drivers.Emulation;

/// <summary>
/// A signal that returns the same raw codes on every conversion until <see cref="Sample"/> is set again
/// (for datasheet example values, e.g. BST-BMP280-DS001 section 3.12: adc_T = 519888, adc_P = 415148).
/// </summary>
public sealed class Bme280FixedSignal : IBme280Signal
{
    private Bme280RawSample _sample;

    /// <summary>Creates the signal.</summary>
    /// <param name="sample">The raw codes every conversion returns.</param>
    /// <exception cref="ArgumentOutOfRangeException">A code does not fit its ADC width.</exception>
    public Bme280FixedSignal(Bme280RawSample sample)
    {
        sample.Validate();
        _sample = sample;
    }

    /// <summary>The raw codes the next conversion returns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A code does not fit its ADC width.</exception>
    public Bme280RawSample Sample
    {
        get => _sample;
        set
        {
            value.Validate();
            _sample = value;
        }
    }

    /// <inheritdoc/>
    public Bme280RawSample Next(long timeNs) => _sample;
}
