using Appliance.Kernels.Statistics;

namespace Appliance.Kernels.Windows;

/// <summary>
/// Receives the windows a <see cref="HoppingWindow"/> closes. Implement it on a struct and pass it by reference: the call
/// is then direct (no delegate, no allocation).
/// </summary>
public interface IWindowSink
{
    /// <summary>One closed window.</summary>
    /// <param name="start">Window start, inclusive: a sample position (Count basis) or nanoseconds since the epoch (Time basis).</param>
    /// <param name="end">Window end, exclusive, in the same units: start + length.</param>
    /// <param name="features">The features of the window's samples (merged from its panes).</param>
    void OnWindow(long start, long end, in WindowFeatures features);
}
