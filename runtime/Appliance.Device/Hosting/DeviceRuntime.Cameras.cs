using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Device.GitOps;
using Appliance.Device.Video;

namespace Appliance.Device.Hosting;

/// <summary>The <c>[[camera]]</c> stages of <see cref="DeviceRuntime"/> (docs/video.md, "Event segments").</summary>
public sealed partial class DeviceRuntime
{
    private CameraStage[] _cameras = []; // replaced whole, never changed: the status and heartbeat threads read it
    private IReadOnlyList<CameraSettings>? _cameraSettings;
    private readonly string _cameraState = "";
    private string? _cameraModels;

    /// <summary>The running camera stages.</summary>
    public IReadOnlyList<CameraStage> Cameras => _cameras;

    /// <summary>Starts the revision's cameras; a revision that leaves <c>[[camera]]</c> unchanged keeps them running.
    /// Their clips go to whichever uplink is current when an event closes.</summary>
    private void ApplyCameras(ConfigBundle bundle)
    {
        IReadOnlyList<CameraSettings> wanted = bundle.Config.Cameras ?? [];
        string models = string.Join(",", wanted.Select(c => c.Model is null ? "" : bundle.Models.FirstOrDefault(p => p.Name == c.Model)?.Id));
        if (_cameraSettings is not null && _cameraSettings.SequenceEqual(wanted) && _cameraModels == models)
        {
            return;
        }

        StopCameras();
        var stages = new CameraStage[wanted.Count];
        for (int i = 0; i < stages.Length; i++)
        {
            // A camera's model was verified with the revision (RevisionLoader.Models); its frame shape is checked here.
            ModelPackage? model = wanted[i].Model is { } name ? bundle.Models.First(p => p.Name == name) : null;
            var scorer = model is null ? null : new EventFrameScorer(model, wanted[i].Width, wanted[i].Height, bundle.Config.Inference.Gpu);
            stages[i] = new CameraStage(wanted[i], wanted[i].Motion, _cameraState, chunk => _uplink!.Enqueue(chunk), _logging.CreateLogger("camera"), scorer);
            stages[i].Start();
        }

        _cameras = stages;
        _cameraSettings = wanted;
        _cameraModels = models;
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
