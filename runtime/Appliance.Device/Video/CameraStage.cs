using Appliance.Contracts.Inference;
using System.Globalization;
using Appliance.Contracts.Config;
using Appliance.Contracts.Wire;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Video;

/// <summary>A camera's counters (monotonic).</summary>
/// <param name="FramesRead">Whole frames analysed.</param>
/// <param name="FramesDropped">Frames lost: a short last frame of the pipe (counted by the frame source, never padded).</param>
/// <param name="Events">Motion events closed.</param>
/// <param name="Clips">The clip counters (<see cref="ClipSender"/>).</param>
/// <param name="EventsScored">Events whose frames the camera's model scored (<c>[[camera]] model</c>).</param>
/// <param name="EventsAboveThreshold">Of those, events scored at or above the model's threshold.</param>
public readonly record struct CameraCounters(long FramesRead, long FramesDropped, long Events, ClipCounters Clips, long EventsScored = 0, long EventsAboveThreshold = 0);

/// <summary>
/// One <c>[[camera]]</c> on the device (docs/video.md, "Event segments"): ONE ffmpeg child reads the source and writes two
/// outputs, raw gray frames to its standard output for the motion analysis (<see cref="FfmpegFrameSource"/>) and the
/// encoded stream into the camera's pre-roll ring (<see cref="SegmentRing"/>, under <c>STATE/cameras/NAME</c>). Each frame
/// goes through <see cref="MotionDetector"/> and <see cref="MotionEventTracker"/> in one reused buffer (no allocation per
/// frame); a closed event waits until the ring holds its post-roll, then <see cref="ClipSender"/> journals its clip.
/// </summary>
/// <remarks>
/// Times: a network stream's frames carry the UTC clock when read, a capture device's frame n the start time + n / fps, and a
/// file's frame n the file's modification time + n / fps,
/// so a file read again after a restart gives the same event ids. The last event id journaled is kept in
/// <c>STATE/cameras/NAME/sent</c> (written after its chunks are in the journal), and events up to it are not sent again:
/// after a crash the journal resends what the collector did not acknowledge, and the clip arrives once.
/// </remarks>
public sealed class CameraStage : IDisposable
{
    private const long CheckEveryNs = 500_000_000;

    private readonly CameraSettings _camera;
    private readonly MotionSettings _motion;
    private readonly string _directory;
    private readonly ClipSender _sender;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private FfmpegFrameSource? _source;
    private long _frames;
    private long _short;
    private long _events;
    private readonly EventFrameScorer? _scorer;
    private long _eventsScored;
    private long _eventsAbove;

    /// <summary>Creates the stage; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="camera">The camera's settings.</param>
    /// <param name="motion">Its motion settings (<c>motion = {...}</c>); the pre- and post-roll are the <c>segment</c> table's.</param>
    /// <param name="stateDirectory">The device's state directory.</param>
    /// <param name="enqueue">Appends a chunk to the journal (<c>UplinkClient.Enqueue(ClipChunk)</c>).</param>
    /// <param name="logger">Log.</param>
    /// <param name="scorer">The camera's event model (<c>[[camera]] model</c>): scores each event's frames in one ONNX run when
    /// the event closes (<see cref="EventFrameScorer"/>); owned and disposed by the stage; null for none.</param>
    public CameraStage(CameraSettings camera, MotionSettings motion, string stateDirectory, Func<ClipChunk, long> enqueue, ILogger logger, EventFrameScorer? scorer = null)
    {
        _scorer = scorer;
        ArgumentNullException.ThrowIfNull(camera);
        _camera = camera;
        _motion = motion with { PreRollS = camera.Segment.PreRoll, PostRollS = camera.Segment.PostRoll };
        _directory = Path.Combine(stateDirectory, "cameras", camera.Name);
        _sender = new ClipSender(camera.Name, camera.Segment, enqueue);
        _logger = logger;
    }

    /// <summary>The camera's name.</summary>
    public string Name => _camera.Name;

    /// <summary>The counters so far.</summary>
    public CameraCounters Counters => new(Interlocked.Read(ref _frames), Interlocked.Read(ref _short), Interlocked.Read(ref _events), _sender.Counters,
        Interlocked.Read(ref _eventsScored), Interlocked.Read(ref _eventsAbove));

    /// <summary>Completes when the source ends (a file read to its end) or the stage stops; faults with the source's error.</summary>
    public Task Completion => _done.Task;

    /// <summary>Starts the capture thread <c>camera:NAME</c>.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "camera:" + _camera.Name };
        _thread.Start();
    }

    /// <summary>Stops ffmpeg and the thread.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        Volatile.Read(ref _source)?.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        _scorer?.Dispose();
    }

    private void Run()
    {
        try
        {
            Capture();
            _done.TrySetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            if (_stop.IsCancellationRequested)
            {
                _done.TrySetResult();
                return;
            }

            CameraLog.Failed(_logger, _camera.Name, ex.Message);
            _done.TrySetException(ex);
        }
    }

    private void Capture()
    {
        // The frame source stamps a network stream's frames with the UTC clock and a file's or device's with n / fps.
        long offsetNs = _camera.SourceKind switch
        {
            CameraSourceKind.File => (File.GetLastWriteTimeUtc(_camera.Target).Ticks - DateTime.UnixEpoch.Ticks) * 100,
            CameraSourceKind.V4l2 => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100,
            _ => 0,
        };
        var ring = new SegmentRing(Path.Combine(_directory, "ring"), _camera.Segment, offsetNs);
        ring.Prepare();
        string sentPath = Path.Combine(_directory, "sent");
        long sentUpTo = File.Exists(sentPath) && long.TryParse(File.ReadAllText(sentPath), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : long.MinValue;
        string filter = $"scale={_camera.Width}:{_camera.Height},fps={_camera.Fps.ToString(CultureInfo.InvariantCulture)}";
        var source = new FfmpegFrameSource(_camera.Target, _camera.Width, _camera.Height, _camera.Fps,
            secondOutput: ["-an", "-vf", filter, .. ring.FfmpegOutput(_camera.Fps)]);
        Volatile.Write(ref _source, source);
        using (source)
        {
            var detector = new MotionDetector(_camera.Width, _camera.Height, _motion);
            var tracker = new MotionEventTracker(_motion);
            byte[] luma = new byte[source.Format.LumaBytes];
            var pending = new Queue<MotionEvent>();
            long last = 0;
            long checkedAt = long.MinValue;
            while (!_stop.IsCancellationRequested && source.TryReadFrame(luma, out long t))
            {
                last = t + offsetNs;
                if (ring.BaseNs == 0)
                {
                    ring.BaseNs = last; // a network stream's time 0 is its first frame
                }

                Interlocked.Increment(ref _frames);
                long dropped = tracker.Dropped;
                if (tracker.Update(last, detector.Analyze(luma).Motion) is { } closed)
                {
                    pending.Enqueue(closed);
                    Score(closed);
                }
                else if (tracker.Dropped != dropped)
                {
                    _scorer?.Discard(); // too short to be an event: its frames are forgotten
                }

                if (tracker.InEvent)
                {
                    _scorer?.Add(luma);
                }

                if (pending.Count > 0 && last - checkedAt >= CheckEveryNs)
                {
                    checkedAt = last;
                    SendReady(ring, pending, ref sentUpTo, sentPath, final: false);
                }
            }

            Interlocked.Exchange(ref _short, source.ShortFrames);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (tracker.Flush(last) is { } open)
            {
                pending.Enqueue(open);
                Score(open);
            }

            // The frame pipe ended: ffmpeg has exited (FfmpegFrameSource waited for it), so every segment is final.
            SendReady(ring, pending, ref sentUpTo, sentPath, final: true);
        }
    }

    // One ONNX run over the closed event's sampled frames (EventFrameScorer); the score is logged and counted.
    private void Score(MotionEvent e)
    {
        if (_scorer is null)
        {
            return;
        }

        float score = _scorer.Close();
        Interlocked.Increment(ref _eventsScored);
        if (score >= _scorer.Threshold)
        {
            Interlocked.Increment(ref _eventsAbove);
        }

        CameraLog.Scored(_logger, _camera.Name, e.StartNs, score, _scorer.Threshold);
    }

    private void SendReady(SegmentRing ring, Queue<MotionEvent> pending, ref long sentUpTo, string sentPath, bool final)
    {
        List<SegmentFile> segments = ring.Read();
        while (pending.Count > 0)
        {
            MotionEvent e = pending.Peek();
            if (!final && (segments.Count == 0 || segments[^1].EndNs < e.SegmentEndNs))
            {
                return; // its post-roll is not in the ring yet
            }

            pending.Dequeue();
            Interlocked.Increment(ref _events);
            if (e.StartNs <= sentUpTo)
            {
                continue; // journaled before a restart
            }

            ClipOutcome outcome = _sender.Send(e.StartNs, e.EndNs, ring.Cut(segments, e.StartNs, e.EndNs), (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100);
            CameraLog.Event(_logger, _camera.Name, e.StartNs, e.EndNs, outcome);
            sentUpTo = e.StartNs;
            using var f = new FileStream(sentPath, FileMode.Create, FileAccess.Write);
            f.Write(System.Text.Encoding.ASCII.GetBytes(sentUpTo.ToString(CultureInfo.InvariantCulture)));
            f.Flush(flushToDisk: true);
        }
    }
}

/// <summary>The camera stage's log lines.</summary>
internal static partial class CameraLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "camera {Camera}: event {StartNs}..{EndNs} ns, clip {Outcome}")]
    public static partial void Event(ILogger logger, string camera, long startNs, long endNs, ClipOutcome outcome);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "camera {Camera}: {Error}")]
    public static partial void Failed(ILogger logger, string camera, string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "camera {Camera}: event {StartNs} ns scored {Score} by its model (threshold {Threshold})")]
    public static partial void Scored(ILogger logger, string camera, long startNs, float score, double threshold);
}
