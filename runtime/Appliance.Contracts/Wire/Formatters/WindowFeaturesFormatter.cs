using Appliance.Kernels.Windows;
using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary>
/// <see cref="WindowFeatures"/> on the wire: a positional array of 12 items.
/// <code>
/// [0] count uint  [1] nan_count uint  [2] min f  [3] max f  [4] mean f  [5] m2 f
/// [6] m3 f        [7] m4 f            [8] sum_of_squares f  [9] first f [10] last f
/// [11] zero_crossings uint
/// </code>
/// Counts are shortest-form integers. Schema 1 wrote every float as float64 (0xcb); schema 2 writes a float
/// as float32 (0xca) whenever float32 holds it to its own precision, i.e. within a relative 2^-24 (not
/// overflowing to infinity, not losing it in a subnormal), else float64; NaN and infinities are float32.
/// Why that rule holds for every feature: the samples reach the kernel as float32 (SampleRing stores
/// <c>float</c>), so min, max, first and last are float32 values exactly (lossless), and the mean and the
/// moment sums computed from them carry the float32 quantisation of their inputs already; rounding them
/// to float32 once more adds at most the same relative 2^-24 (6e-8), far below any sensor's resolution
/// (BME280 pressure: 0.18 Pa at 1e5 Pa = 1.8e-6, datasheet BST-BME280-DS002 table 2). Variance and the
/// shape statistics come from m2..m4 (Pébay 2008), never from sum_of_squares minus n·mean², so no
/// cancellation amplifies the rounding. Merged windows whose sums outgrow float32 go as float64.
/// Readers accept both widths (spec: float 32 0xca, float 64 0xcb, https://github.com/msgpack/msgpack/blob/master/spec.md).
/// </summary>
internal sealed class WindowFeaturesFormatter : IMessagePackFormatter<WindowFeatures>
{
    private const int Fields = 12;

    /// <summary>2^-126, the smallest normal float32 (IEEE 754-2008 binary32); below it float32 loses relative precision.</summary>
    private const double SmallestNormalFloat = 1.1754943508222875e-38;

    public void Serialize(ref MessagePackWriter writer, WindowFeatures value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Count);
        writer.Write(value.NanCount);
        WriteFeature(ref writer, value.Min);
        WriteFeature(ref writer, value.Max);
        WriteFeature(ref writer, value.Mean);
        WriteFeature(ref writer, value.M2);
        WriteFeature(ref writer, value.M3);
        WriteFeature(ref writer, value.M4);
        WriteFeature(ref writer, value.SumOfSquares);
        WriteFeature(ref writer, value.First);
        WriteFeature(ref writer, value.Last);
        writer.Write(value.ZeroCrossings);
    }

    /// <summary>
    /// Writes <paramref name="v"/> as float32 when float32 holds it within a relative 2^-24 (normal range, or
    /// NaN/infinity), otherwise as float64. Allocates nothing.
    /// </summary>
    internal static void WriteFeature(ref MessagePackWriter writer, double v)
    {
        double magnitude = Math.Abs(v);
        if (!double.IsFinite(v) || v == 0 || (magnitude <= float.MaxValue && magnitude >= SmallestNormalFloat))
        {
            writer.Write((float)v);
        }
        else
        {
            writer.Write(v);
        }
    }

    public WindowFeatures Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "features");
        var f = new WindowFeatures
        {
            Count = WireReadRules.ReadInteger(ref reader, "features.count"),
            NanCount = WireReadRules.ReadInteger(ref reader, "features.nan_count"),
            Min = WireReadRules.ReadFloat(ref reader, "features.min"),
            Max = WireReadRules.ReadFloat(ref reader, "features.max"),
            Mean = WireReadRules.ReadFloat(ref reader, "features.mean"),
            M2 = WireReadRules.ReadFloat(ref reader, "features.m2"),
            M3 = WireReadRules.ReadFloat(ref reader, "features.m3"),
            M4 = WireReadRules.ReadFloat(ref reader, "features.m4"),
            SumOfSquares = WireReadRules.ReadFloat(ref reader, "features.sum_of_squares"),
            First = WireReadRules.ReadFloat(ref reader, "features.first"),
            Last = WireReadRules.ReadFloat(ref reader, "features.last"),
            ZeroCrossings = WireReadRules.ReadInteger(ref reader, "features.zero_crossings"),
        };
        WireReadRules.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return f;
    }
}
