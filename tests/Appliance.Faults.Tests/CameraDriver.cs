using Appliance.Contracts.Config;
using Appliance.Device.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Faults.Tests;

/// <summary>
/// <c>camera --state DIR --endpoint E --clip FILE [--ack-window N]</c>: a device with one file camera (640x480, 10 fps, MJPEG
/// segments, 1 s pre- and post-roll, 4 KiB chunks) on the real journal, uplink client and <see cref="CameraStage"/>; prints
/// <c>started</c>, then <c>journaled EVENTS CLIPS</c> once the file is read, and keeps sending until killed.
/// </summary>
internal static class CameraDriver
{
    public static async Task<int> Run(Dictionary<string, string> a)
    {
        var journal = new JournalOutbox(new JournalOptions { Directory = Path.Combine(a["state"], "outbox"), Fsync = JournalFsync.Batch });
        using var client = new UplinkClient(new UplinkOptions
        {
            Endpoint = a["endpoint"],
            DeviceId = "camera-dev",
            AckWindow = int.Parse(a.GetValueOrDefault("ack-window", "256"), CultureInfo.InvariantCulture),
            ResendAfter = TimeSpan.FromMilliseconds(500),
            PingInterval = TimeSpan.FromMilliseconds(200),
            ReconnectBackoffMax = TimeSpan.FromSeconds(1),
        }, journal);
        client.Start();
        Console.WriteLine("started");
        var camera = new CameraSettings("box", "file:" + a["clip"], CameraSourceKind.File, a["clip"], 640, 480, 10, "yuyv422",
            new SegmentSettings("mjpeg", 1, 1, 30, 4096), new MotionSettings());
        using var stage = new CameraStage(camera, camera.Motion, a["state"], c =>
        {
            long seq = client.Enqueue(c);
            journal.Sync();
            return seq;
        }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        stage.Start();
        await stage.Completion;
        CameraCounters n = stage.Counters;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"journaled {n.Events} {n.Clips.ClipsSent}"));
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
