namespace Appliance.Kernels.Windows;

/// <summary>What a window's length and hop are measured in.</summary>
public enum WindowBasis
{
    /// <summary>Samples: a window of length 100 holds 100 consecutive samples; positions count from the first sample fed, 0.</summary>
    Count,

    /// <summary>Time in nanoseconds: windows are aligned to whole multiples of the hop since the Unix epoch (timestamp 0).</summary>
    Time,
}
