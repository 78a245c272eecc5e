using Appliance.Kernels.Motion;

namespace Appliance.Contracts.Config;

/// <summary>
/// Reads a camera's <c>motion = { ... }</c> table (inline or <c>[camera.motion]</c>) into <see cref="MotionSettings"/>:
/// absent keys keep <see cref="MotionSettings"/>'s defaults; an unknown key, a value of the wrong type or out of range is a
/// <see cref="ConfigException"/> naming the file, line and key.
/// </summary>
/// <remarks>
/// Keys and ranges: <c>block_size</c> (integer, 4 to 128 px), <c>pixel_threshold</c> (integer, 0 to 254),
/// <c>adaptation_shift</c> (integer, 1 to 8: rate 2^-shift), <c>min_active_fraction</c> (number, above 0, at most 1),
/// <c>min_region_blocks</c> (integer, 1 to 100000), <c>pre_roll_s</c>, <c>post_roll_s</c>, <c>min_event_s</c>,
/// <c>hold_s</c> (numbers, 0 to 60 seconds).
/// </remarks>
public static class MotionSettingsReader
{
    private static readonly string[] s_keys =
        ["block_size", "pixel_threshold", "adaptation_shift", "min_active_fraction", "min_region_blocks", "pre_roll_s", "post_roll_s", "min_event_s", "hold_s"];

    /// <summary>
    /// The motion settings of the first <c>[[camera]]</c> of the TOML file at <paramref name="path"/> (or of the one whose
    /// <c>name</c> is <paramref name="camera"/>); the defaults when the file has no <c>[[camera]]</c> or it has no
    /// <c>motion</c> table. Only the camera tables are read (the rest of the file is the configuration loader's).
    /// </summary>
    /// <param name="path">The configuration file (appliance.toml).</param>
    /// <param name="camera">A camera name, or null for the first camera.</param>
    /// <exception cref="ConfigException">The file is missing, not TOML, <paramref name="camera"/> is not in it, or the
    /// motion table is invalid (file:line and key named).</exception>
    public static MotionSettings Load(string path, string? camera = null)
    {
        var origins = new KeyOrigins();
        var root = ConfigText.Parse(ConfigText.Read(path), path, origins, null);
        var doc = new TableReader(path, root, origins, string.Empty);
        foreach (var c in doc.TableArray("camera"))
        {
            if (camera is null || c.String("name", required: false) == camera)
            {
                return Read(c);
            }
        }

        return camera is null ? new MotionSettings() : throw new ConfigException(path, 0, $"[[camera]] name = \"{camera}\": no such camera");
    }

    /// <summary>The settings of <paramref name="camera"/>'s <c>motion</c> table (a <c>[[camera]]</c> table), or the defaults when it has none.</summary>
    /// <exception cref="ConfigException">An unknown key, a wrong type or a value out of range (file:line and key named).</exception>
    internal static MotionSettings Read(TableReader camera)
    {
        var m = camera.Table("motion", required: false);
        if (!m.Exists)
        {
            return new MotionSettings();
        }

        m.RejectUnknown(s_keys);
        var d = new MotionSettings();
        double fraction = m.Number("min_active_fraction", d.MinActiveFraction, 0, 1);
        if (fraction <= 0)
        {
            throw m.Error("min_active_fraction", "0: must be above 0 and at most 1");
        }

        return new MotionSettings
        {
            BlockSize = (int)m.Integer("block_size", d.BlockSize, 4, 128),
            PixelThreshold = (int)m.Integer("pixel_threshold", d.PixelThreshold, 0, 254),
            AdaptationShift = (int)m.Integer("adaptation_shift", d.AdaptationShift, 1, 8),
            MinActiveFraction = fraction,
            MinRegionBlocks = (int)m.Integer("min_region_blocks", d.MinRegionBlocks, 1, 100_000),
            PreRollS = m.Number("pre_roll_s", d.PreRollS, 0, 60),
            PostRollS = m.Number("post_roll_s", d.PostRollS, 0, 60),
            MinEventS = m.Number("min_event_s", d.MinEventS, 0, 60),
            HoldS = m.Number("hold_s", d.HoldS, 0, 60),
        };
    }
}
