using Appliance.Kernels.Statistics;

namespace Appliance.Kernels.Windows;

/// <summary>One channel's features for one closed window.</summary>
/// <param name="Sensor">The sensor's name.</param>
/// <param name="Channel">The channel's name (with its SI unit suffix).</param>
/// <param name="StartNs">Window start, Unix ns (inclusive).</param>
/// <param name="EndNs">Window end, Unix ns (exclusive).</param>
/// <param name="Features">The window's features.</param>
public readonly record struct ClosedWindow(string Sensor, string Channel, long StartNs, long EndNs, WindowFeatures Features);
