using System.Diagnostics;

namespace Appliance.Device.Pipeline;

/// <summary>
/// Windowing: the pipeline's one worker thread. It drains every sensor's ring into its <see cref="Kernels.Windows.TumblingWindow"/>
/// (the fused kernel runs over the ring's own storage and merges into each open window: no sample is copied) and hands each
/// closed window to the <see cref="BatchScoringStage"/>. On stop, or when every replay has ended, it closes the open windows,
/// scores the last batch and completes.
/// </summary>
internal sealed class WindowingStage
{
    private readonly SensorStream[] _streams;
    private readonly SamplingStage _sampling;
    private readonly BatchScoringStage _batch;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Health.StageSupervisor _supervisor;
    private readonly Action? _fault;
    private Thread? _thread;
    private long _lastTurn = Environment.TickCount64;

    public WindowingStage(SensorStream[] streams, SamplingStage sampling, BatchScoringStage batch, Health.StageSupervisor supervisor, Action? fault)
    {
        _supervisor = supervisor;
        _fault = fault;
        _streams = streams;
        _sampling = sampling;
        _batch = batch;
    }

    /// <summary>Completes when every replayed source has ended and its last window has been handed on; never for live sources.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts the worker; it ends once <paramref name="stop"/> is cancelled and the rings are drained.</summary>
    public void Start(CancellationToken stop)
    {
        Volatile.Write(ref _lastTurn, Environment.TickCount64);
        // A throw restarts the loop after a backoff (the rings keep the samples meanwhile); repeated failure escalates.
        _thread = new Thread(() => _supervisor.Run("pipeline", Run, stop)) { IsBackground = true, Name = "pipeline" };
        _thread.Start();
    }

    /// <summary>When the worker's loop last turned (<see cref="Environment.TickCount64"/>, ms): it turns at least every 20 ms
    /// while it runs, so an old value means the worker is stuck or restarting.</summary>
    public long LastTurn => Volatile.Read(ref _lastTurn);

    /// <summary>Waits for the worker (at most <paramref name="timeout"/>).</summary>
    public void Join(TimeSpan timeout) => _thread?.Join(timeout);

    private void Run(CancellationToken stop)
    {
        var allReplay = _streams.All(s => s.Binding.IsReplay);
        long stopSeen = 0;
        while (true)
        {
            Volatile.Write(ref _lastTurn, Environment.TickCount64);
            _fault?.Invoke();
            var idle = true;
            foreach (var s in _streams)
            {
                // A sensor whose window waits for the batch is not read further: its next window must not close (and its
                // samples stay in its ring) until the batch that holds this one is scored. The window takes the samples
                // where the ring holds them (no copy) and may hold some there, unread, until its window closes.
                while (!s.Pending && s.Window.Unread > 0)
                {
                    idle = false;
                    if (s.Window.Drain(s.Closed, out var start, out var end))
                    {
                        _batch.Add(s, start, end);
                    }
                }
            }

            var stopping = stop.IsCancellationRequested;
            if (stopping && stopSeen == 0)
            {
                stopSeen = Stopwatch.GetTimestamp();
            }

            var replaysDone = allReplay && _sampling.ReplaysRunning == 0;
            // On stop, a sampling thread may still be writing the sample it has just read (and counted): wait for the
            // sampling threads to end, so that every sample counted in SamplesRead reaches a window, but not longer than
            // a second, in case one is stuck in a bus call.
            var sourcesDone = _streams.All(s => s.Ended) || (stopping && Stopwatch.GetElapsedTime(stopSeen) > TimeSpan.FromSeconds(1));
            if ((stopping || replaysDone) && _streams.All(s => s.Window.Unread == 0) && sourcesDone)
            {
                foreach (var s in _streams)
                {
                    if (s.Window.Flush(s.Closed, out var start, out var end))
                    {
                        _batch.Add(s, start, end);
                    }
                }

                _batch.Flush();
                _completion.TrySetResult();
                return;
            }

            if (_batch.PendingCount > 0 && _batch.Ready())
            {
                _batch.Flush();
            }

            if (idle)
            {
                var target = WaitTarget();
                target.Ring.WaitForData(TimeSpan.FromMilliseconds(_batch.PendingCount > 0 ? 2 : 20), target.Window.Held);
            }
        }
    }

    /// <summary>The ring to wait on when idle: the first sensor that is still expected to close a window.</summary>
    private SensorStream WaitTarget()
    {
        foreach (var s in _streams)
        {
            if (!s.Pending && !s.Ended)
            {
                return s;
            }
        }

        return _streams[0];
    }
}
