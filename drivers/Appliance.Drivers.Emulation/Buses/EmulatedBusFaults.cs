namespace Appliance.Drivers.Emulation;

/// <summary>
/// The faults an emulated chip injects into its bus transfers, either now (for the next N transfers, or until cleared) or in
/// scheduled windows of the emulator's clock. Every emulator (<c>Chips/*/…Emulator</c>) consults one of these on each transfer.
/// </summary>
/// <remarks>Thread-safe. A fault window is [start, end) in <see cref="TimeProvider.GetTimestamp"/> units of the clock.</remarks>
public sealed class EmulatedBusFaults
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly List<(BusFaultKind Kind, long Start, long End)> _windows = [];
    private int _nackTransfers;
    private int _timeoutTransfers;
    private bool _stuck;
    private bool _wrongChipId;
    private bool _flip;
    private long _nackCount;
    private long _timeoutCount;

    /// <summary>Creates an empty fault set on <paramref name="clock"/>.</summary>
    /// <param name="clock">The emulator's clock; <see cref="TimeProvider.System"/> when null.</param>
    public EmulatedBusFaults(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>How long a <see cref="BusFaultKind.Timeout"/> transfer hangs before it fails; 25 ms by default (the
    /// Linux I2C core's default adapter timeout is 1 s, i2c-bcm2835 uses 35 ms; a short default keeps tests quick).</summary>
    public TimeSpan TimeoutDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The chip id reported while <see cref="BusFaultKind.WrongChipId"/> is active; 0xFF (a floating bus) by default.</summary>
    public byte WrongChipId { get; set; } = 0xFF;

    /// <summary>The register whose reads are corrupted while <see cref="BusFaultKind.BitFlip"/> is active.</summary>
    public byte FlipRegister { get; set; }

    /// <summary>The bits inverted on reads of <see cref="FlipRegister"/> while <see cref="BusFaultKind.BitFlip"/> is active.</summary>
    public byte FlipMask { get; set; } = 0x80;

    /// <summary>Transfers failed with an injected NACK.</summary>
    public long NackCount => Interlocked.Read(ref _nackCount);

    /// <summary>Transfers failed with an injected timeout.</summary>
    public long TimeoutCount => Interlocked.Read(ref _timeoutCount);

    /// <summary>The next <paramref name="transfers"/> transfers fail with a NACK; 0 clears it.</summary>
    /// <param name="transfers">How many transfers fail.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transfers"/> is negative.</exception>
    public void InjectNack(int transfers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transfers);
        lock (_gate)
        {
            _nackTransfers = transfers;
        }
    }

    /// <summary>The next <paramref name="transfers"/> transfers hang for <see cref="TimeoutDelay"/> and fail; 0 clears it.</summary>
    /// <param name="transfers">How many transfers time out.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transfers"/> is negative.</exception>
    public void InjectTimeout(int transfers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transfers);
        lock (_gate)
        {
            _timeoutTransfers = transfers;
        }
    }

    /// <summary>Sets or clears a lasting fault (<see cref="BusFaultKind.StuckValue"/>, <see cref="BusFaultKind.WrongChipId"/>,
    /// <see cref="BusFaultKind.BitFlip"/>); for <see cref="BusFaultKind.Nack"/> and <see cref="BusFaultKind.Timeout"/> it fails every
    /// transfer while set.</summary>
    /// <param name="kind">The fault.</param>
    /// <param name="active">True to set it, false to clear it.</param>
    public void Set(BusFaultKind kind, bool active)
    {
        lock (_gate)
        {
            switch (kind)
            {
                case BusFaultKind.Nack:
                    _nackTransfers = active ? int.MaxValue : 0;
                    break;
                case BusFaultKind.Timeout:
                    _timeoutTransfers = active ? int.MaxValue : 0;
                    break;
                case BusFaultKind.StuckValue:
                    _stuck = active;
                    break;
                case BusFaultKind.WrongChipId:
                    _wrongChipId = active;
                    break;
                default:
                    _flip = active;
                    break;
            }
        }
    }

    /// <summary>Makes <paramref name="kind"/> active from <paramref name="start"/> for <paramref name="length"/>, measured from now on the clock.</summary>
    /// <param name="kind">The fault.</param>
    /// <param name="start">Delay before the fault begins.</param>
    /// <param name="length">How long it lasts.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative or <paramref name="length"/> is not positive.</exception>
    public void Schedule(BusFaultKind kind, TimeSpan start, TimeSpan length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(start, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        long now = _clock.GetTimestamp();
        long s = now + (long)(start.TotalSeconds * _clock.TimestampFrequency);
        long e = s + (long)(length.TotalSeconds * _clock.TimestampFrequency);
        lock (_gate)
        {
            _windows.Add((kind, s, e));
        }
    }

    /// <summary>Called by an emulator at the start of each transfer: throws for an active NACK or timeout (after hanging).</summary>
    /// <param name="chip">The chip's name and address for the message (for example <c>"ADS1115 at 0x48"</c>).</param>
    /// <exception cref="IOException">The transfer fails (NACK or timeout).</exception>
    public void BeginTransfer(string chip)
    {
        bool nack, timeout;
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            nack = _nackTransfers > 0 || InWindow(BusFaultKind.Nack, now);
            if (nack && _nackTransfers > 0)
            {
                _nackTransfers--;
            }

            timeout = !nack && (_timeoutTransfers > 0 || InWindow(BusFaultKind.Timeout, now));
            if (timeout && _timeoutTransfers > 0)
            {
                _timeoutTransfers--;
            }
        }

        if (nack)
        {
            Interlocked.Increment(ref _nackCount);
            throw new IOException($"{chip}: NACK (injected fault)");
        }

        if (timeout)
        {
            Interlocked.Increment(ref _timeoutCount);
            Wait(TimeoutDelay);
            throw new IOException($"{chip}: transfer timed out after {TimeoutDelay.TotalMilliseconds:F0} ms (injected fault)");
        }
    }

    /// <summary>Whether the measurement registers are stuck now.</summary>
    /// <returns>True while <see cref="BusFaultKind.StuckValue"/> is active.</returns>
    public bool IsStuck()
    {
        lock (_gate)
        {
            return _stuck || InWindow(BusFaultKind.StuckValue, _clock.GetTimestamp());
        }
    }

    /// <summary>The chip id to report now.</summary>
    /// <param name="real">The chip's own id.</param>
    /// <returns><paramref name="real"/>, or <see cref="WrongChipId"/> while <see cref="BusFaultKind.WrongChipId"/> is active.</returns>
    public byte ChipId(byte real)
    {
        lock (_gate)
        {
            return _wrongChipId || InWindow(BusFaultKind.WrongChipId, _clock.GetTimestamp()) ? WrongChipId : real;
        }
    }

    /// <summary>A register value as read now.</summary>
    /// <param name="register">The register address.</param>
    /// <param name="value">Its true value.</param>
    /// <returns><paramref name="value"/>, with <see cref="FlipMask"/> inverted when <see cref="BusFaultKind.BitFlip"/> is active on this register.</returns>
    public byte Read(byte register, byte value)
    {
        lock (_gate)
        {
            bool flip = register == FlipRegister && (_flip || InWindow(BusFaultKind.BitFlip, _clock.GetTimestamp()));
            return flip ? (byte)(value ^ FlipMask) : value;
        }
    }

    private bool InWindow(BusFaultKind kind, long now)
    {
        foreach ((BusFaultKind k, long s, long e) in _windows)
        {
            if (k == kind && now >= s && now < e)
            {
                return true;
            }
        }

        return false;
    }

    private void Wait(TimeSpan delay)
    {
        if (ReferenceEquals(Appliance.Drivers.Sampling.SteadyClock.Underlying(_clock), TimeProvider.System))
        {
            Thread.Sleep(delay);
            return;
        }

        using var elapsed = new ManualResetEventSlim(false);
        using ITimer timer = _clock.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan);
        elapsed.Wait();
    }
}
