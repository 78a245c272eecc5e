namespace Appliance.Drivers.Emulation;

/// <summary>The signal given to an <see cref="IChipEmulator"/>, checked for the kind its chip measures.</summary>
internal static class SignalCheck
{
    /// <summary>The signal as <typeparamref name="T"/>, or null when none was given.</summary>
    /// <exception cref="ArgumentException">A signal of another kind was given; the message names the sensor.</exception>
    public static T? As<T>(SensorDescriptor sensor, object? signal)
        where T : class =>
        signal is null ? null : signal as T
            ?? throw new ArgumentException($"sensor '{sensor.Name}': an emulated {sensor.Chip.Name} measures a {typeof(T).Name}, not a {signal.GetType().Name}.");
}
