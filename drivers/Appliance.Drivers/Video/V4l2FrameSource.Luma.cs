using System.Runtime.Intrinsics;

namespace Appliance.Drivers.Video;

/// <summary>Where the luma samples of a V4L2 pixel format lie in a row of the captured buffer.</summary>
internal enum LumaLayout
{
    /// <summary>Not a format this source reads.</summary>
    Unsupported,

    /// <summary>A plane of 8-bit Y samples first (GREY; the Y plane of NV12, NV21, YU12, YV12): the row's first width bytes.</summary>
    Plane,

    /// <summary>Packed 4:2:2 with Y in the even bytes (YUYV = Y0 U0 Y1 V0, YVYU = Y0 V0 Y1 U0).</summary>
    EvenBytes,

    /// <summary>Packed 4:2:2 with Y in the odd bytes (UYVY = U0 Y0 V0 Y1, VYUY = V0 Y0 U0 Y1).</summary>
    OddBytes,
}

/// <summary>The pixel formats whose luma this source takes, and the copy of one frame's Y plane out of a driver buffer.</summary>
internal static class V4l2Luma
{
    /// <summary>
    /// Formats in the order a source asks for them when none is named: GREY needs no conversion, then the packed 4:2:2
    /// formats webcams give (UVC), then the 4:2:0 planes. Layouts from the kernel's V4L2 uAPI, section 2.11 "YUV Formats":
    /// "Packed YUV formats" (YUYV, UYVY, YVYU, VYUY), "Planar YUV formats" (NV12, NV21, YUV420 = YU12, YVU420 = YV12) and
    /// section 2.10 "Luma-Only Formats" (GREY).
    /// </summary>
    public static readonly uint[] Preferred =
    [
        V4l2.FourCc('G', 'R', 'E', 'Y'), V4l2.FourCc('Y', 'U', 'Y', 'V'), V4l2.FourCc('U', 'Y', 'V', 'Y'),
        V4l2.FourCc('Y', 'V', 'Y', 'U'), V4l2.FourCc('V', 'Y', 'U', 'Y'), V4l2.FourCc('N', 'V', '1', '2'),
        V4l2.FourCc('N', 'V', '2', '1'), V4l2.FourCc('Y', 'U', '1', '2'), V4l2.FourCc('Y', 'V', '1', '2'),
    ];

    /// <summary>Where a format keeps its luma; <see cref="LumaLayout.Unsupported"/> for any other FourCC.</summary>
    public static LumaLayout LayoutOf(uint fourCc) => V4l2.FourCcName(fourCc) switch
    {
        "GREY" or "NV12" or "NV21" or "YU12" or "YV12" => LumaLayout.Plane,
        "YUYV" or "YVYU" => LumaLayout.EvenBytes,
        "UYVY" or "VYUY" => LumaLayout.OddBytes,
        _ => LumaLayout.Unsupported,
    };

    /// <summary>The FourCC of a configured pixel format name (case-insensitive): a FourCC of <see cref="Preferred"/>, or
    /// <c>yuv420</c> (= YU12) / <c>yvu420</c> (= YV12).</summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the accepted ones.</exception>
    public static uint Parse(string name)
    {
        string upper = name.Trim().ToUpperInvariant() switch
        {
            "YUV420" => "YU12",
            "YVU420" => "YV12",
            var s => s,
        };
        if (upper.Length == 4 && LayoutOf(V4l2.FourCc(upper[0], upper[1], upper[2], upper[3])) != LumaLayout.Unsupported)
        {
            return V4l2.FourCc(upper[0], upper[1], upper[2], upper[3]);
        }

        throw new ArgumentException($"pixel format '{name}': expected one of grey, yuyv, uyvy, yvyu, vyuy, nv12, nv21, yu12 (yuv420), yv12");
    }

    /// <summary>
    /// Copies the luma of one frame out of <paramref name="source"/> (rows <paramref name="bytesPerLine"/> apart) into
    /// <paramref name="luma"/> (<paramref name="width"/> × <paramref name="height"/>, no padding). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer shorter than the frame.</exception>
    public static void Extract(LumaLayout layout, ReadOnlySpan<byte> source, int width, int height, int bytesPerLine, Span<byte> luma)
    {
        int rowBytes = layout == LumaLayout.Plane ? width : 2 * width;
        if (bytesPerLine < rowBytes || source.Length < ((long)bytesPerLine * (height - 1)) + rowBytes || luma.Length < width * height)
        {
            throw new ArgumentException($"frame buffer of {source.Length} bytes (bytesperline {bytesPerLine}) or luma buffer of {luma.Length} bytes too short for {width}x{height}");
        }

        for (int y = 0; y < height; y++)
        {
            var row = source.Slice(y * bytesPerLine, rowBytes);
            var dst = luma.Slice(y * width, width);
            switch (layout)
            {
                case LumaLayout.Plane:
                    row.CopyTo(dst);
                    break;
                case LumaLayout.EvenBytes:
                    Deinterleave(row, dst, 0);
                    break;
                case LumaLayout.OddBytes:
                    Deinterleave(row, dst, 8);
                    break;
                default:
                    throw new ArgumentException($"layout {layout}: no luma to extract");
            }
        }
    }

    /// <summary>dst[i] = row[2i] (shift 0) or row[2i + 1] (shift 8): the low or high byte of each little-endian 16-bit pair,
    /// 16 pixels per step with Vector128 where accelerated (Narrow keeps the low byte of each 16-bit lane).</summary>
    private static void Deinterleave(ReadOnlySpan<byte> row, Span<byte> dst, int shift)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var mask = Vector128.Create((ushort)0x00FF);
            for (; i + 16 <= dst.Length; i += 16)
            {
                var lo = Vector128.Create(row.Slice(2 * i, 16)).AsUInt16();
                var hi = Vector128.Create(row.Slice((2 * i) + 16, 16)).AsUInt16();
                Vector128.Narrow((lo >>> shift) & mask, (hi >>> shift) & mask).CopyTo(dst.Slice(i, 16));
            }
        }

        int offset = shift >> 3;
        for (; i < dst.Length; i++)
        {
            dst[i] = row[(2 * i) + offset];
        }
    }
}
