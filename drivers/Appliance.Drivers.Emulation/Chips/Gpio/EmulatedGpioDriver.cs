using System.Device;
using System.Device.Gpio;
using Appliance.Drivers.Chips.Gpio;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// An emulated GPIO chip for System.Device.Gpio (a <see cref="GpioDriver"/>, used through a <see cref="GpioController"/> as the
/// libgpiod driver on <c>/dev/gpiochipN</c> is): input lines carry a 50 % duty square wave whose frequency (Hz) is the
/// <see cref="IChannelSignal"/>'s value for that line number; output lines keep what is written and count their transitions.
/// </summary>
/// <remarks>
/// Edges are produced from the signal by integrating its frequency over time: the phase advances by f · Δt at each step, a rising
/// edge at every whole cycle and a falling edge half a cycle later. Time is observed at every driver call (and <see cref="Pump"/>),
/// so edge callbacks run on the caller's thread, in order, before the call returns — as the libgpiod driver's event thread would
/// have delivered them by then. Bus faults (<see cref="Faults"/>): a NACK or timeout makes a call throw <see cref="IOException"/>
/// (as a failed GPIO ioctl does); a stuck value freezes the input lines (no edges). Contact bounce (<see cref="SetBounce"/>): each
/// rising edge of a line is followed by extra falling and rising edges a fixed spacing apart. Each callback can read the time of its
/// edge (<see cref="EdgeTimestamp"/>), as the GPIO v2 uAPI stamps edge events. Thread-safe.
/// </remarks>
public sealed class EmulatedGpioDriver : GpioDriver, IEdgeTimestamps
{
    private readonly object _gate = new();
    private readonly IChannelSignal _signal;
    private readonly TimeProvider _clock;
    private readonly string _name;
    private readonly Dictionary<int, Line> _lines = [];
    private readonly Dictionary<int, (int Extra, long SpacingTicks)> _bounce = [];
    private long _edgeTimestamp;

    /// <summary>Creates the chip.</summary>
    /// <param name="signal">The frequency (Hz) of the pulse train on each input line (input = line number).</param>
    /// <param name="lineCount">Lines on the chip (54 on a Raspberry Pi's gpiochip0).</param>
    /// <param name="clock">Time for the pulse trains; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="chip">The chip number, for messages.</param>
    /// <exception cref="ArgumentNullException"><paramref name="signal"/> is null.</exception>
    public EmulatedGpioDriver(IChannelSignal signal, int lineCount = 54, TimeProvider? clock = null, int chip = 0)
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _clock = clock ?? TimeProvider.System;
        PinCount = lineCount;
        _name = $"emulated gpiochip{chip}";
        Faults = new EmulatedBusFaults(_clock);
    }

    /// <inheritdoc/>
    public long EdgeTimestamp => Volatile.Read(ref _edgeTimestamp);

    /// <summary>
    /// Makes every rising edge of input <paramref name="line"/> bounce: <paramref name="extraEdges"/> more rising edges follow it,
    /// <paramref name="spacing"/> apart (each after a falling edge half a spacing before it), as a reed switch or relay contact
    /// closing does. Zero extra edges stops the bounce.
    /// </summary>
    /// <param name="line">The line number.</param>
    /// <param name="extraEdges">Extra rising edges per real one.</param>
    /// <param name="spacing">Time between them.</param>
    public void SetBounce(int line, int extraEdges, TimeSpan spacing)
    {
        lock (_gate)
        {
            _bounce[line] = (extraEdges, (long)(spacing.TotalSeconds * _clock.TimestampFrequency));
        }
    }

    /// <summary>The faults this chip injects.</summary>
    public EmulatedBusFaults Faults { get; }

    /// <inheritdoc/>
    protected override int PinCount { get; }

    /// <summary>The level last written to an output line.</summary>
    /// <param name="line">The line number.</param>
    /// <returns>The level, or <see cref="PinValue.Low"/> for a line never written.</returns>
    public PinValue OutputLevel(int line)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(line, out Line? l) ? l.Output : PinValue.Low;
        }
    }

    /// <summary>Level changes written to an output line so far.</summary>
    /// <param name="line">The line number.</param>
    /// <returns>The count.</returns>
    public long OutputTransitions(int line)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(line, out Line? l) ? l.Transitions : 0;
        }
    }

    /// <summary>Delivers the edges due up to now on every input line with callbacks.</summary>
    public void Pump()
    {
        lock (_gate)
        {
            Advance();
        }
    }

    /// <inheritdoc/>
    protected override void OpenPin(int pinNumber)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            CheckLine(pinNumber);
            if (!_lines.ContainsKey(pinNumber))
            {
                _lines[pinNumber] = new Line { Last = _clock.GetTimestamp() };
            }
        }
    }

    /// <inheritdoc/>
    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _lines.Remove(pinNumber);
        }
    }

    /// <inheritdoc/>
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Get(pinNumber).Mode = mode;
        }
    }

    /// <inheritdoc/>
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return Get(pinNumber).Mode;
        }
    }

    /// <inheritdoc/>
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    /// <inheritdoc/>
    protected override PinValue Read(int pinNumber)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            Line line = Get(pinNumber);
            return line.Mode == PinMode.Output ? line.Output : (line.Phase - Math.Floor(line.Phase) < 0.5 ? PinValue.High : PinValue.Low);
        }
    }

    /// <inheritdoc/>
    protected override void Toggle(int pinNumber) => Write(pinNumber, OutputLevel(pinNumber) == PinValue.High ? PinValue.Low : PinValue.High);

    /// <inheritdoc/>
    protected override void Write(int pinNumber, PinValue value)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            Line line = Get(pinNumber);
            if (line.Output != value)
            {
                line.Transitions++;
            }

            line.Output = value;
        }
    }

    /// <inheritdoc/>
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        throw new NotSupportedException($"{_name}: WaitForEvent is not emulated; register a callback instead.");
    }

    /// <inheritdoc/>
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            Line line = Get(pinNumber);
            line.Callbacks.Add((eventTypes, callback));
        }
    }

    /// <inheritdoc/>
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_lines.TryGetValue(pinNumber, out Line? line))
            {
                line.Callbacks.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    /// <inheritdoc/>
    public override ComponentInformation QueryComponentInformation() => new(this, _name);

    private void CheckLine(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"{_name} has lines 0..{PinCount - 1}.");
        }
    }

    private Line Get(int pinNumber)
    {
        CheckLine(pinNumber);
        return _lines.TryGetValue(pinNumber, out Line? line)
            ? line
            : throw new InvalidOperationException($"{_name}: line {pinNumber} is not open.");
    }

    private void Advance()
    {
        long now = _clock.GetTimestamp();
        bool stuck = Faults.IsStuck();
        long unixNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        foreach ((int number, Line line) in _lines)
        {
            long from = line.Last;
            double dt = (double)(now - line.Last) / _clock.TimestampFrequency;
            line.Last = now;
            if (line.Mode == PinMode.Output || stuck || dt <= 0)
            {
                continue;
            }

            double before = line.Phase;
            double after = before + (Math.Max(0, _signal.Value(number, unixNs)) * dt);
            line.Phase = after;
            if (line.Callbacks.Count == 0)
            {
                continue;
            }

            // Edges in phase order: rising at whole cycles, falling at half cycles; each at its time between the two readings (the
            // frequency is constant in between), and a rising one followed by its bounce.
            _bounce.TryGetValue(number, out var bounce);
            for (double edge = Math.Floor(before * 2) + 1; edge <= Math.Floor(after * 2); edge++)
            {
                long at = from + (long)((now - from) * (((edge / 2) - before) / (after - before)));
                PinEventTypes type = edge % 2 == 0 ? PinEventTypes.Rising : PinEventTypes.Falling;
                Deliver(line, number, type, at);
                for (int k = 1; type == PinEventTypes.Rising && k <= bounce.Extra; k++)
                {
                    Deliver(line, number, PinEventTypes.Falling, at + (((2 * k) - 1) * bounce.SpacingTicks / 2));
                    Deliver(line, number, PinEventTypes.Rising, at + (k * bounce.SpacingTicks));
                }
            }
        }
    }

    private void Deliver(Line line, int number, PinEventTypes type, long at)
    {
        Volatile.Write(ref _edgeTimestamp, at);
        foreach ((PinEventTypes wanted, PinChangeEventHandler handler) in line.Callbacks)
        {
            if ((wanted & type) != 0)
            {
                handler(this, new PinValueChangedEventArgs(type, number));
            }
        }
    }

    private sealed class Line
    {
        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Output { get; set; } = PinValue.Low;

        public long Transitions { get; set; }

        public double Phase { get; set; }

        public long Last { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
