using System.Collections.Concurrent;
using Appliance.Contracts.Wire;
using NetMQ;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// The collector's store worker: batches received on the poller thread wait in a bounded queue and are committed on a thread
/// of their own, so the poller goes on answering link pings while the store is busy (a device that sees its pings answered
/// does not take a slow collector for a dead one). Acknowledgements go back to the poller thread (the socket's owner) through
/// a queue, after the commit. docs/uplink.md, "Flow control".
/// </summary>
public sealed partial class Collector
{
    /// <summary>Most device messages waiting for the store at once. A frame that arrives while the queue is full is shed:
    /// counted (<see cref="CollectorCounters.Shed"/>), neither stored nor acknowledged, so its device resends it after its resend
    /// timeout. With each device's ack window bounding what it has in flight, the queue holds at most the sum of the windows
    /// (256 each by default): 65,536 is 256 devices at full window.</summary>
    public const int StoreQueueCapacity = 65_536;

    /// <summary>Most messages the worker merges from the queue into one store call (one transaction). Kept well below what the
    /// devices have in flight together, so that while one batch commits the next is already arriving: a store call that took
    /// everything queued would leave the store idle for a round trip after each commit (measured: 72 % of capacity with 16
    /// devices of window 256 and 4,096-message calls, <c>appliance bench overload</c>).</summary>
    public const int StoreBatchLimit = BatchLimit;

    private readonly BlockingCollection<StoreWork> _storeQueue = new(new ConcurrentQueue<StoreWork>());
    private readonly NetMQQueue<StoreWork> _committed = new();
    private readonly Dictionary<string, long> _inStore = new(StringComparer.Ordinal); // device → messages queued or in the store (poller thread)
    private Thread? _storeThread;
    private long _queuedMessages;
    private long _shed;

    /// <summary>Messages waiting for, or in, the store now.</summary>
    private long StoreQueueDepth => Interlocked.Read(ref _queuedMessages);

    /// <summary>One store call's worth: messages with their routes, the refused frames to acknowledge once the malformed count
    /// commits, and that count; filled in by the worker with its result.</summary>
    private sealed class StoreWork(List<Envelope> batch, List<byte[]> routes, List<(byte[] Route, Envelope Envelope)> refused, long malformed)
    {
        public List<Envelope> Batch { get; } = batch;
        public List<byte[]> Routes { get; } = routes;
        public List<(byte[] Route, Envelope Envelope)> Refused { get; } = refused;
        public long Malformed { get; } = malformed;
        public BisectingWriter.Result? Result { get; set; }
    }

    private void StartStoreWorker()
    {
        _committed.ReceiveReady += OnCommitted;
        _poller.Add(_committed);
        _storeThread = new Thread(StoreLoop) { IsBackground = true, Name = "collector-store" };
        _storeThread.Start();
    }

    private void StopStoreWorker()
    {
        _storeQueue.CompleteAdding();
        if (_storeThread is null || _storeThread.Join(TimeSpan.FromSeconds(1.5)))
        {
            _storeQueue.Dispose(); // else the worker is still in a store call: it ends with the collection, left to the finalizer
        }
    }

    /// <summary>Counts a device message into the current batch: it is held from now on (reported in pongs) until acknowledged.</summary>
    private void Hold(string deviceId) => _inStore[deviceId] = _inStore.GetValueOrDefault(deviceId) + 1;

    private void Release(string deviceId)
    {
        long left = _inStore.GetValueOrDefault(deviceId) - 1;
        if (left <= 0)
        {
            _inStore.Remove(deviceId);
        }
        else
        {
            _inStore[deviceId] = left;
        }
    }

    /// <summary>Hands the batch received on the poller thread to the store worker, or sheds it when the queue is full.</summary>
    private void HandOff()
    {
        if (_batch.Count == 0 && _pendingMalformed == 0 && _refusedInBatch.Count == 0)
        {
            return;
        }

        if (_batch.Count > 0 && StoreQueueDepth + _batch.Count > StoreQueueCapacity)
        {
            Interlocked.Add(ref _shed, _batch.Count);
            foreach (Envelope env in _batch)
            {
                Release(env.DeviceId);
            }

            _batch.Clear();
            _batchRoutes.Clear();
            if (_pendingMalformed == 0 && _refusedInBatch.Count == 0)
            {
                return;
            }
        }

        var work = new StoreWork([.. _batch], [.. _batchRoutes], [.. _refusedInBatch], _pendingMalformed);
        _pendingMalformed = 0;
        Interlocked.Add(ref _queuedMessages, work.Batch.Count);
        if (!_storeQueue.TryAdd(work))
        {
            // Disposed: nothing more is stored, so nothing more is acknowledged.
            Interlocked.Add(ref _queuedMessages, -work.Batch.Count);
        }
    }

    /// <summary>The worker: takes what is queued (merged up to <see cref="StoreBatchLimit"/> messages), commits it, and hands the
    /// result back to the poller thread.</summary>
    private void StoreLoop()
    {
        try
        {
            foreach (StoreWork first in _storeQueue.GetConsumingEnumerable())
            {
                StoreWork work = first;
                while (work.Batch.Count < StoreBatchLimit && _storeQueue.TryTake(out StoreWork? next))
                {
                    work = new StoreWork([.. work.Batch, .. next.Batch], [.. work.Routes, .. next.Routes], [.. work.Refused, .. next.Refused], work.Malformed + next.Malformed);
                }

                Commit(work);
                Interlocked.Add(ref _queuedMessages, -work.Batch.Count);
                if (!_disposed)
                {
                    _committed.Enqueue(work);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while committing: the poller is gone; what committed is acknowledged on the devices' resend.
        }
    }

    /// <summary>Stores one work item (store worker thread); counts what it stored, duplicates and faults.</summary>
    private void Commit(StoreWork work)
    {
        BisectingWriter.Result result;
        try
        {
            result = BisectingWriter.Write(_store, work.Batch, work.Malformed, UnixNowNs(), (env, ex) =>
            {
                Interlocked.Increment(ref _quarantined);
                CollectorLog.Quarantined(_logger, ex, env.DeviceId, env.Sequence, env.MessageType);
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A defect, not a store fault: counted, nothing acknowledged, the worker goes on.
            Interlocked.Increment(ref _faults);
            CollectorLog.Fault(_logger, ex);
            result = new BisectingWriter.Result(0, 0, new bool[work.Batch.Count], 0, new bool[work.Batch.Count], ex, false);
        }

        if (result.Fault is not null && result.Quarantined == 0)
        {
            // The batch failed and no single message explains it (the store itself failed; its parts may have committed
            // on retry and are acknowledged). What did not commit is not acknowledged: every device resends it once its
            // pongs show the collector no longer holds it, and the store stays idempotent.
            Interlocked.Increment(ref _storeFaults);
            CollectorLog.StoreFailed(_logger, result.Fault, work.Batch.Count);
        }

        Interlocked.Add(ref _stored, result.Stored);
        Interlocked.Add(ref _duplicates, result.Duplicates);
        work.Result = result;
    }

    private void OnCommitted(object? sender, NetMQQueueEventArgs<StoreWork> e)
    {
        try
        {
            while (e.Queue.TryDequeue(out StoreWork? work, TimeSpan.Zero))
            {
                Acknowledge(work);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            CollectorLog.Fault(_logger, ex);
        }
    }

    /// <summary>Acknowledges a committed work item (poller thread): one Ack per device and incarnation, for its sequences that
    /// committed, were quarantined (a message the store refuses alone would be refused on every resend and stall its device), or
    /// were refused as out of bounds (counted with the malformed frames: acknowledged once that count committed).</summary>
    private void Acknowledge(StoreWork work)
    {
        BisectingWriter.Result result = work.Result!;
        if (!result.MalformedCommitted)
        {
            _pendingMalformed += work.Malformed; // persisted with a later batch
        }

        var acks = new AckGroups();
        long now = Environment.TickCount64;
        for (int i = 0; i < work.Batch.Count; i++)
        {
            Release(work.Batch[i].DeviceId);
            if (result.Committed[i] || result.QuarantinedAt[i])
            {
                acks.Add(work.Routes[i], work.Batch[i]);
                StoredFrom(work.Batch[i].DeviceId, work.Routes[i], now);
            }
        }

        foreach ((byte[] route, Envelope env) in result.MalformedCommitted ? work.Refused : [])
        {
            acks.Add(route, env);
        }

        foreach ((byte[] route, string deviceId, long incarnation, Ack ack) in acks.Acks())
        {
            if (Send(route, deviceId, Envelope.Create(deviceId, ++_outSequence, ack, incarnation)))
            {
                Interlocked.Increment(ref _acksSent);
            }
        }
    }
}
