namespace Appliance.Kernels.Windows;

/// <summary>
/// Sees every run of samples a <see cref="TumblingWindow"/> folds into its open window, where the ring holds them, and
/// each close: for per-window computations beside the fused statistics (for example spectral features) that need the
/// samples themselves. Called on the window's one consumer thread.
/// </summary>
public interface IWindowTap
{
    /// <summary>The next run of one channel's samples in the open window, oldest first, in one or two segments of the
    /// ring's storage (valid only during the call).</summary>
    /// <param name="channel">The channel, 0..C−1.</param>
    /// <param name="first">The older segment.</param>
    /// <param name="second">The newer segment where the run crosses the ring's wrap; else empty.</param>
    void Take(int channel, ReadOnlySpan<float> first, ReadOnlySpan<float> second);

    /// <summary>The open window closed: true when it is emitted (it held samples), false when it is discarded.</summary>
    /// <param name="emitted">Whether the window's features were written to the caller.</param>
    void Close(bool emitted);
}
