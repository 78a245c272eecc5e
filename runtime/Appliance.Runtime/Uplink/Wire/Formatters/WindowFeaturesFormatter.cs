using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Runtime.Uplink.Wire.Formatters;

/// <summary>
/// <see cref="WindowFeatures"/> on the wire: a positional array of 12 items.
/// <code>
/// [0] count uint  [1] nan_count uint  [2] min f64  [3] max f64  [4] mean f64  [5] m2 f64
/// [6] m3 f64      [7] m4 f64          [8] sum_of_squares f64    [9] first f64 [10] last f64
/// [11] zero_crossings uint
/// </code>
/// Floats are float64, not float32: a pressure of 100653.27 Pa needs 8 significant digits and the moment
/// sums grow with the window, both beyond float32's 24-bit mantissa. Counts are shortest-form integers.
/// </summary>
internal sealed class WindowFeaturesFormatter : IMessagePackFormatter<WindowFeatures>
{
    private const int Fields = 12;

    public void Serialize(ref MessagePackWriter writer, WindowFeatures value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Count);
        writer.Write(value.NanCount);
        writer.Write(value.Min);
        writer.Write(value.Max);
        writer.Write(value.Mean);
        writer.Write(value.M2);
        writer.Write(value.M3);
        writer.Write(value.M4);
        writer.Write(value.SumOfSquares);
        writer.Write(value.First);
        writer.Write(value.Last);
        writer.Write(value.ZeroCrossings);
    }

    public WindowFeatures Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReading.ReadArrayHeader(ref reader, Fields, "features");
        var f = new WindowFeatures
        {
            Count = WireReading.ReadInteger(ref reader, "features.count"),
            NanCount = WireReading.ReadInteger(ref reader, "features.nan_count"),
            Min = WireReading.ReadFloat(ref reader, "features.min"),
            Max = WireReading.ReadFloat(ref reader, "features.max"),
            Mean = WireReading.ReadFloat(ref reader, "features.mean"),
            M2 = WireReading.ReadFloat(ref reader, "features.m2"),
            M3 = WireReading.ReadFloat(ref reader, "features.m3"),
            M4 = WireReading.ReadFloat(ref reader, "features.m4"),
            SumOfSquares = WireReading.ReadFloat(ref reader, "features.sum_of_squares"),
            First = WireReading.ReadFloat(ref reader, "features.first"),
            Last = WireReading.ReadFloat(ref reader, "features.last"),
            ZeroCrossings = WireReading.ReadInteger(ref reader, "features.zero_crossings"),
        };
        WireReading.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return f;
    }
}
