using Appliance.Drivers.Sampling;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// Sampling: one thread per source, each running the drivers' <see cref="SamplingLoop"/> (the one pacer for every source):
/// a live source at its configured rate on the loop's scheduler, a replay at its own timestamps' pace
/// (<see cref="PipelineOptions.ReplaySpeed"/>; as fast as the ring takes samples at speed 0). Every sample goes into its
/// sensor's ring; a replay waits for room, a live source never waits (a full ring counts an overrun).
/// </summary>
internal sealed class SamplingStage
{
    private readonly SensorStream[] _streams;
    private readonly PipelineOptions _options;
    private readonly PipelineTally _tally;
    private readonly ILogger _logger;
    private readonly Health.StageSupervisor _supervisor;
    private readonly List<Thread> _threads = [];
    private int _replaysRunning;

    public SamplingStage(SensorStream[] streams, PipelineOptions options, PipelineTally tally, ILogger logger, Health.StageSupervisor supervisor)
    {
        _supervisor = supervisor;
        _streams = streams;
        _options = options;
        _tally = tally;
        _logger = logger;
    }

    /// <summary>The error that stopped a source early, as "sensor: message"; null while none did.</summary>
    public string? SourceFailure { get; private set; }

    /// <summary>Replayed sources still being read.</summary>
    public int ReplaysRunning => Volatile.Read(ref _replaysRunning);

    /// <summary>Starts one sampling thread per source; they run until <paramref name="token"/> is cancelled or the source ends.</summary>
    public void Start(CancellationToken token)
    {
        foreach (var s in _streams)
        {
            if (s.Binding.IsReplay)
            {
                Interlocked.Increment(ref _replaysRunning);
            }

            _threads.Add(new Thread(() => Run(s, token)) { IsBackground = true, Name = "sample:" + s.Name });
        }

        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    /// <summary>Waits for the sampling threads (each at most <paramref name="timeout"/>).</summary>
    public void Join(TimeSpan timeout)
    {
        foreach (var t in _threads)
        {
            t.Join(timeout);
        }
    }

    private void Run(SensorStream s, CancellationToken token)
    {
        try
        {
            // A throw other than the source's own end (below) restarts the loop after a backoff; the ring and its samples stay.
            _supervisor.Run("sample:" + s.Name, t => Sample(s, t), token);
        }
        finally
        {
            s.FaultsCounted = CountFaults(s.Supervisor, s.FaultsCounted);
            s.Ended = true;
            if (s.Binding.IsReplay)
            {
                Interlocked.Decrement(ref _replaysRunning);
            }
        }
    }

    private void Sample(SensorStream s, CancellationToken token)
    {
        var supervisor = s.Supervisor;
        var ring = s.Ring;
        SamplingLoop loop;
        SampleHandler handler;
        if (s.Binding.IsReplay)
        {
            loop = SamplingLoop.ForRecording(supervisor, _options.ReplaySpeed);
            handler = (ts, v) =>
            {
                Interlocked.Increment(ref _tally.SamplesRead);
                ring.WaitForSpace(token);
                ring.TryWrite(ts, v);
            };
        }
        else
        {
            // Absolute deadlines, FIFO batches, retries, degraded marking; rate and jitter in the supervisor's statistics.
            loop = new SamplingLoop(supervisor, s.Binding.RateHz);
            handler = (ts, v) =>
            {
                Interlocked.Increment(ref _tally.SamplesRead);
                ring.TryWrite(ts, v);
            };
        }

        try
        {
            Volatile.Write(ref s.LastTurn, Environment.TickCount64);
            while (loop.RunOnce(handler, token))
            {
                Volatile.Write(ref s.LastTurn, Environment.TickCount64); // the watchdog's progress signal: one store per turn, no allocation
                s.FaultsCounted = CountFaults(supervisor, s.FaultsCounted);
            }
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            Interlocked.Increment(ref _tally.SampleFaults);
            SourceFailure = $"{s.Name}: {e.Message}";
            PipelineLog.SourceFailed(_logger, s.Name, e.Message);
        }
    }

    private long CountFaults(SensorSupervisor supervisor, long counted)
    {
        var now = supervisor.Stats.FailedSamples;
        if (now != counted)
        {
            Interlocked.Add(ref _tally.SampleFaults, now - counted);
        }

        return now;
    }
}
