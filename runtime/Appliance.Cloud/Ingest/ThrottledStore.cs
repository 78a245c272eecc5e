using System.Diagnostics;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// A store of known capacity for overload tests and <c>appliance bench overload</c>: it wraps a store and holds each
/// <see cref="Store"/> call until a pacing clock allows its messages at <see cref="Capacity"/> per second
/// (<c>ready = max(ready, now) + count / capacity</c>; the inner store runs, then the call sleeps until <c>ready</c>), so that over any busy period it stores at
/// most <see cref="Capacity"/> messages per second, and, as long as the inner store is faster, exactly that; a sleep that
/// oversleeps is made up by the next call. Everything else is passed to the inner store.
/// </summary>
/// <param name="inner">The store written to; disposed with this one.</param>
/// <param name="capacity">Messages per second; > 0.</param>
public sealed class ThrottledStore(ICollectorStore inner, double capacity) : ForwardingStore(inner)
{
    private readonly object _gate = new();
    private long _readyTicks;
    private long _messages;

    /// <summary>Messages per second this store admits.</summary>
    public double Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "expected messages per second > 0");

    /// <summary>Messages passed to the inner store (stored or duplicate).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <inheritdoc/>
    public override StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long ready;
        lock (_gate)
        {
            _readyTicks = Math.Max(_readyTicks, Stopwatch.GetTimestamp()) + (long)(batch.Count * Stopwatch.Frequency / Capacity);
            ready = _readyTicks;
        }

        // The inner store's own time counts against the budget: only what is left of it is slept.
        StoreBatchResult result = Inner.Store(batch, malformedDropped, receivedNs);
        Interlocked.Add(ref _messages, batch.Count);
        long wait = ready - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
        }

        return result;
    }
}
