namespace Appliance.Kernels.Motion;

/// <summary>
/// The tuning of <see cref="MotionDetector"/> (pixels and blocks) and of <see cref="MotionEventTracker"/> (event timing).
/// The defaults are the device's defaults; <c>[[camera]] motion = { ... }</c> overrides them key by key
/// (keys in <c>snake_case</c>: <c>block_size</c>, <c>pixel_threshold</c>, <c>adaptation_shift</c>,
/// <c>min_active_fraction</c>, <c>min_region_blocks</c>, <c>pre_roll_s</c>, <c>post_roll_s</c>, <c>min_event_s</c>,
/// <c>hold_s</c>).
/// </summary>
/// <remarks>
/// The method is a running-average background with selective update (M. Piccardi, "Background subtraction techniques:
/// a review", IEEE SMC 2004, §2 "running Gaussian average"; R. Cucchiara et al., "Detecting moving objects, ghosts and
/// shadows in video streams", IEEE PAMI 25(10), 2003, for the selective update): a pixel is active when
/// |luma − background| &gt; <see cref="PixelThreshold"/>; the background moves toward each frame by
/// 2^−<see cref="AdaptationShift"/> of the difference (2^−(shift+3) where the pixel is active, so that a passing object
/// leaves no ghost); a block is active when at least <see cref="MinActiveFraction"/> of its pixels are; motion is a
/// 4-connected region of at least <see cref="MinRegionBlocks"/> active blocks.
/// </remarks>
public readonly record struct MotionSettings
{
    /// <summary>Creates the defaults.</summary>
    public MotionSettings()
    {
    }

    /// <summary>Side of a square block in pixels (4 to 128; default 16). Edge blocks of a frame whose size is not a multiple are smaller.</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>A pixel is active when its luma differs from the background by more than this (0 to 254, 8-bit luma units; default 25).</summary>
    public int PixelThreshold { get; init; } = 25;

    /// <summary>Background adaptation rate as a power of two: the background moves 2^−shift of the difference per frame
    /// (1 to 8; default 5, i.e. 1/32). Active pixels adapt 8 times slower (2^−(shift+3)).</summary>
    public int AdaptationShift { get; init; } = 5;

    /// <summary>A block is active when at least this fraction of its pixels are active (0 exclusive to 1; default 0.25).</summary>
    public double MinActiveFraction { get; init; } = 0.25;

    /// <summary>Motion needs a 4-connected region of at least this many active blocks (1 to 100000; default 4).</summary>
    public int MinRegionBlocks { get; init; } = 4;

    /// <summary>Seconds of video kept before an event's first motion frame in its segment (0 to 60; default 1).</summary>
    public double PreRollS { get; init; } = 1.0;

    /// <summary>Seconds of video kept after an event's last motion frame in its segment (0 to 60; default 1).</summary>
    public double PostRollS { get; init; } = 1.0;

    /// <summary>Events whose first-to-last motion span is shorter than this are dropped (counted) as flicker (0 to 60 s; default 0.3).</summary>
    public double MinEventS { get; init; } = 0.3;

    /// <summary>A gap without motion up to this long does not end an event (0 to 60 s; default 1).</summary>
    public double HoldS { get; init; } = 1.0;

    /// <summary>Checks every value against its range.</summary>
    /// <exception cref="ArgumentException">A value out of range; the message names the setting (its config key) and the range.</exception>
    public void Validate()
    {
        Check(BlockSize is >= 4 and <= 128, "block_size", BlockSize, "4 to 128 pixels");
        Check(PixelThreshold is >= 0 and <= 254, "pixel_threshold", PixelThreshold, "0 to 254");
        Check(AdaptationShift is >= 1 and <= 8, "adaptation_shift", AdaptationShift, "1 to 8 (rate 2^-shift)");
        Check(MinActiveFraction is > 0 and <= 1, "min_active_fraction", MinActiveFraction, "above 0 and at most 1");
        Check(MinRegionBlocks is >= 1 and <= 100_000, "min_region_blocks", MinRegionBlocks, "1 to 100000");
        Check(PreRollS is >= 0 and <= 60, "pre_roll_s", PreRollS, "0 to 60 seconds");
        Check(PostRollS is >= 0 and <= 60, "post_roll_s", PostRollS, "0 to 60 seconds");
        Check(MinEventS is >= 0 and <= 60, "min_event_s", MinEventS, "0 to 60 seconds");
        Check(HoldS is >= 0 and <= 60, "hold_s", HoldS, "0 to 60 seconds");
    }

    private static void Check(bool ok, string key, double value, string range)
    {
        if (!ok)
        {
            throw new ArgumentException($"motion {key} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected {range}");
        }
    }
}
