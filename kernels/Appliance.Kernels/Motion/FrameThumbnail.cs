namespace Appliance.Kernels.Motion;

/// <summary>
/// Downsamples an 8-bit luma plane of <c>width × height</c> to a fixed <c>G × G</c> thumbnail of float32 in [0, 1] by area
/// averaging (a box filter over a partition of the frame): cell (gx, gy) is the mean of the pixels with
/// ⌊gx·W/G⌋ ≤ x &lt; ⌊(gx+1)·W/G⌋ and ⌊gy·H/G⌋ ≤ y &lt; ⌊(gy+1)·H/G⌋, divided by 255. Every pixel lands in exactly one
/// cell; cells differ in size by at most one pixel each way when W or H is not a multiple of G.
/// </summary>
/// <remarks>The input of an event's frame model (<c>docs/video.md</c>, "Scoring an event's frames"). All tables are
/// allocated by the constructor; <see cref="Compute"/> allocates nothing. Not thread-safe.</remarks>
public sealed class FrameThumbnail
{
    /// <summary>The default thumbnail side G (32: a 1024-value row per frame).</summary>
    public const int DefaultSize = 32;

    private readonly int _width;
    private readonly int _height;
    private readonly int[] _cellOfColumn;
    private readonly int[] _rowStart;
    private readonly float[] _scale;
    private readonly ulong[] _sums;

    /// <summary>Creates a thumbnailer for frames of <paramref name="width"/> × <paramref name="height"/> luma samples.</summary>
    /// <param name="width">Frame width in pixels, at least <paramref name="size"/>.</param>
    /// <param name="height">Frame height in pixels, at least <paramref name="size"/>.</param>
    /// <param name="size">G: the thumbnail's side (1 to 256).</param>
    /// <exception cref="ArgumentException">A size out of range (the values named).</exception>
    public FrameThumbnail(int width, int height, int size = DefaultSize)
    {
        if (size is < 1 or > 256 || width < size || height < size || width > 16384 || height > 16384)
        {
            throw new ArgumentException($"thumbnail {size}x{size} of a {width}x{height} frame: expected a side of 1 to 256 and a frame of at least that size (at most 16384 each way)");
        }

        _width = width;
        _height = height;
        Size = size;
        _cellOfColumn = new int[width];
        for (int gx = 0; gx < size; gx++)
        {
            for (int x = Bound(gx, width, size); x < Bound(gx + 1, width, size); x++)
            {
                _cellOfColumn[x] = gx;
            }
        }

        _rowStart = new int[size + 1];
        for (int gy = 0; gy <= size; gy++)
        {
            _rowStart[gy] = Bound(gy, height, size);
        }

        _scale = new float[size * size];
        for (int gy = 0; gy < size; gy++)
        {
            for (int gx = 0; gx < size; gx++)
            {
                long area = (long)(Bound(gx + 1, width, size) - Bound(gx, width, size)) * (_rowStart[gy + 1] - _rowStart[gy]);
                _scale[(gy * size) + gx] = (float)(1.0 / (area * 255.0));
            }
        }

        _sums = new ulong[size];
    }

    /// <summary>G: the thumbnail's side.</summary>
    public int Size { get; }

    /// <summary>G·G: values per thumbnail.</summary>
    public int Length => Size * Size;

    /// <summary>Computes the thumbnail of one frame.</summary>
    /// <param name="luma">width·height luma samples, row-major.</param>
    /// <param name="thumbnail">Receives G·G values in [0, 1], row-major.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Compute(ReadOnlySpan<byte> luma, Span<float> thumbnail)
    {
        if (luma.Length != _width * _height || thumbnail.Length != Length)
        {
            throw new ArgumentException($"expected {_width * _height} luma bytes and {Length} thumbnail values, got {luma.Length} and {thumbnail.Length}");
        }

        var cells = _cellOfColumn.AsSpan();
        var sums = _sums.AsSpan();
        for (int gy = 0; gy < Size; gy++)
        {
            sums.Clear();
            for (int y = _rowStart[gy]; y < _rowStart[gy + 1]; y++)
            {
                var row = luma.Slice(y * _width, _width);
                for (int x = 0; x < row.Length; x++)
                {
                    sums[cells[x]] += row[x];
                }
            }

            var output = thumbnail.Slice(gy * Size, Size);
            var scale = _scale.AsSpan(gy * Size, Size);
            for (int gx = 0; gx < Size; gx++)
            {
                output[gx] = sums[gx] * scale[gx];
            }
        }
    }

    private static int Bound(int cell, int extent, int size) => (int)((long)cell * extent / size);
}
