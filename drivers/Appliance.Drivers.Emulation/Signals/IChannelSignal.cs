namespace Appliance.Drivers.Emulation;

/// <summary>
/// What an emulated chip measures: a value per physical input at a given time (volts on an ADC input, g on an accelerometer
/// axis, hertz of a pulse train on a GPIO line). Implementations are deterministic functions of (input, time) so that a test
/// or a replay gives the same values whatever order it asks in.
/// </summary>
public interface IChannelSignal
{
    /// <summary>The value on <paramref name="input"/> at <paramref name="timeNs"/>.</summary>
    /// <param name="input">The physical input (ADC input 0..7, axis 0..2 = x, y, z, GPIO line number).</param>
    /// <param name="timeNs">Unix nanoseconds (UTC).</param>
    /// <returns>The value in the chip's input unit (V, g, Hz).</returns>
    double Value(int input, long timeNs);
}
