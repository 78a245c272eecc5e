using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>A streaming detector over one channel's windows: bounded memory, one window at a time, in time order.</summary>
public interface IDetector
{
    /// <summary>The detector's name as sent on the wire (for example <c>ewma-z</c>).</summary>
    string Name { get; }

    /// <summary>Scores one closed window and decides whether it opens an incident.</summary>
    Detection Observe(in WindowFeatures window);
}
