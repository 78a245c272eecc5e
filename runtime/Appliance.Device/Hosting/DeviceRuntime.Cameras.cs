using Appliance.Contracts.Config;
using Appliance.Device.Video;

namespace Appliance.Device.Hosting;

/// <summary>The <c>[[camera]]</c> stages of <see cref="DeviceRuntime"/> (docs/video.md, "Event segments").</summary>
public sealed partial class DeviceRuntime
{
    private CameraStage[] _cameras = []; // replaced whole, never changed: the status and heartbeat threads read it
    private IReadOnlyList<CameraSettings>? _cameraSettings;
    private readonly string _cameraState = "";

    /// <summary>The running camera stages.</summary>
    public IReadOnlyList<CameraStage> Cameras => _cameras;

    /// <summary>Starts the revision's cameras; a revision that leaves <c>[[camera]]</c> unchanged keeps them running.
    /// Their clips go to whichever uplink is current when an event closes.</summary>
    private void ApplyCameras(ApplianceConfig config)
    {
        IReadOnlyList<CameraSettings> wanted = config.Cameras ?? [];
        if (_cameraSettings is not null && _cameraSettings.SequenceEqual(wanted))
        {
            return;
        }

        StopCameras();
        var stages = new CameraStage[wanted.Count];
        for (int i = 0; i < stages.Length; i++)
        {
            stages[i] = new CameraStage(wanted[i], wanted[i].Motion, _cameraState, chunk => _uplink!.Enqueue(chunk), _logging.CreateLogger("camera"));
            stages[i].Start();
        }

        _cameras = stages;
        _cameraSettings = wanted;
    }

    private void StopCameras()
    {
        CameraStage[] old = _cameras;
        _cameras = [];
        _cameraSettings = null;
        foreach (CameraStage c in old)
        {
            c.Dispose();
        }
    }
}
