using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Appliance.Kernels.Motion;

/// <summary>What <see cref="MotionDetector.Analyze"/> found in one frame.</summary>
/// <param name="ActiveBlocks">Blocks with at least <see cref="MotionSettings.MinActiveFraction"/> of their pixels active.</param>
/// <param name="LargestRegionBlocks">Size in blocks of the largest 4-connected region of active blocks (0 when none).</param>
/// <param name="Motion">Whether <paramref name="LargestRegionBlocks"/> reaches <see cref="MotionSettings.MinRegionBlocks"/>.</param>
public readonly record struct MotionFrame(int ActiveBlocks, int LargestRegionBlocks, bool Motion);

/// <summary>
/// Motion in a stream of 8-bit luma frames: per-pixel differencing against a running background (SIMD over
/// <see cref="Vector{T}"/> with a scalar tail), per-block activity and the largest 4-connected region of active blocks.
/// The method and its references are on <see cref="MotionSettings"/>.
/// </summary>
/// <remarks>
/// <para>Background: one 8.8 fixed-point value per pixel (luma × 256). A pixel is active when
/// |luma − ⌊background / 256⌋| &gt; threshold; then background += (luma × 256 − background) ≫ shift, with
/// shift + 3 for active pixels (unsigned, no overshoot). The first frame (and the first after <see cref="Reset"/>) only
/// seeds the background and reports no motion.</para>
/// <para>All buffers are allocated by the constructor; <see cref="Analyze"/> allocates nothing. Not thread-safe: one
/// instance per camera, called from its reader thread.</para>
/// </remarks>
public sealed class MotionDetector
{
    private readonly int _width;
    private readonly int _height;
    private readonly int _block;
    private readonly ushort _threshold;
    private readonly int _shift;
    private readonly int _slowShift;
    private readonly int _minRegion;
    private readonly ushort[] _background;
    private readonly ushort[] _columnCounts;
    private readonly byte[] _active;
    private readonly int[] _minActive;
    private readonly int[] _stack;
    private bool _seeded;

    /// <summary>Creates a detector for frames of <paramref name="width"/> × <paramref name="height"/> luma samples.</summary>
    /// <param name="width">Frame width in pixels (1 to 16384).</param>
    /// <param name="height">Frame height in pixels (1 to 16384).</param>
    /// <param name="settings">The tuning; checked with <see cref="MotionSettings.Validate"/>.</param>
    /// <exception cref="ArgumentException">A size out of range, or a setting out of range (named).</exception>
    public MotionDetector(int width, int height, MotionSettings settings)
    {
        if (width is < 1 or > 16384 || height is < 1 or > 16384)
        {
            throw new ArgumentException($"frame size {width}x{height}: expected 1 to 16384 pixels each way");
        }

        settings.Validate();
        Settings = settings;
        _width = width;
        _height = height;
        _block = settings.BlockSize;
        _threshold = (ushort)settings.PixelThreshold;
        _shift = settings.AdaptationShift;
        _slowShift = settings.AdaptationShift + 3;
        _minRegion = settings.MinRegionBlocks;
        BlocksX = (width + _block - 1) / _block;
        BlocksY = (height + _block - 1) / _block;
        _background = new ushort[width * height];
        _columnCounts = new ushort[width];
        _active = new byte[BlocksX * BlocksY];
        _stack = new int[BlocksX * BlocksY];
        _minActive = new int[BlocksX * BlocksY];
        for (int by = 0; by < BlocksY; by++)
        {
            int bh = Math.Min(_block, height - (by * _block));
            for (int bx = 0; bx < BlocksX; bx++)
            {
                int bw = Math.Min(_block, width - (bx * _block));
                _minActive[(by * BlocksX) + bx] = Math.Max(1, (int)Math.Ceiling(settings.MinActiveFraction * bw * bh));
            }
        }
    }

    /// <summary>The tuning in use.</summary>
    public MotionSettings Settings { get; }

    /// <summary>Frame width in pixels.</summary>
    public int Width => _width;

    /// <summary>Frame height in pixels.</summary>
    public int Height => _height;

    /// <summary>Blocks per row: ⌈width / block size⌉ (the last column of blocks may be narrower).</summary>
    public int BlocksX { get; }

    /// <summary>Rows of blocks: ⌈height / block size⌉ (the last row of blocks may be shorter).</summary>
    public int BlocksY { get; }

    /// <summary>Frames analysed since construction or <see cref="Reset"/> (the seeding frame included).</summary>
    public long Frames { get; private set; }

    /// <summary>The background in 8.8 fixed point (luma × 256), row-major; for tests and diagnostics.</summary>
    internal ReadOnlySpan<ushort> Background => _background;

    /// <summary>Whether block (<paramref name="bx"/>, <paramref name="by"/>) was active in the last analysed frame.</summary>
    /// <param name="bx">Block column, 0 to <see cref="BlocksX"/> − 1.</param>
    /// <param name="by">Block row, 0 to <see cref="BlocksY"/> − 1.</param>
    public bool IsBlockActive(int bx, int by) => _active[(by * BlocksX) + bx] != 0;

    /// <summary>Forgets the background: the next frame seeds it again (after a scene cut or a camera restart).</summary>
    public void Reset()
    {
        _seeded = false;
        Frames = 0;
        Array.Clear(_active);
    }

    /// <summary>Analyses one frame and updates the background.</summary>
    /// <param name="luma">The frame's luma plane, row-major without padding: at least width × height bytes.</param>
    /// <returns>The active blocks, the largest region and whether that is motion (all zero for the seeding frame).</returns>
    /// <exception cref="ArgumentException"><paramref name="luma"/> is shorter than one frame.</exception>
    public MotionFrame Analyze(ReadOnlySpan<byte> luma)
    {
        int pixels = _width * _height;
        if (luma.Length < pixels)
        {
            throw new ArgumentException($"frame of {luma.Length} bytes: expected {pixels} ({_width}x{_height} luma)", nameof(luma));
        }

        Frames++;
        if (!_seeded)
        {
            for (int i = 0; i < pixels; i++)
            {
                _background[i] = (ushort)(luma[i] << 8);
            }

            _seeded = true;
            return default;
        }

        int activeBlocks = 0;
        Span<ushort> counts = _columnCounts;
        for (int by = 0; by < BlocksY; by++)
        {
            counts.Clear();
            int y1 = Math.Min(_height, (by + 1) * _block);
            for (int y = by * _block; y < y1; y++)
            {
                Row(luma.Slice(y * _width, _width), _background.AsSpan(y * _width, _width), counts);
            }

            for (int bx = 0; bx < BlocksX; bx++)
            {
                int x1 = Math.Min(_width, (bx + 1) * _block);
                int sum = 0;
                for (int x = bx * _block; x < x1; x++)
                {
                    sum += counts[x];
                }

                int k = (by * BlocksX) + bx;
                bool on = sum >= _minActive[k];
                _active[k] = on ? (byte)1 : (byte)0;
                activeBlocks += on ? 1 : 0;
            }
        }

        int largest = activeBlocks == 0 ? 0 : LargestRegion();
        return new MotionFrame(activeBlocks, largest, largest >= _minRegion);
    }

    /// <summary>One row: adds each active pixel to its column's count and moves the background.</summary>
    private void Row(ReadOnlySpan<byte> cur, Span<ushort> bg, Span<ushort> counts)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && cur.Length >= Vector<byte>.Count)
        {
            var thr = new Vector<ushort>(_threshold);
            ref byte c0 = ref MemoryMarshal.GetReference(cur);
            ref ushort b0 = ref MemoryMarshal.GetReference(bg);
            ref ushort n0 = ref MemoryMarshal.GetReference(counts);
            int step = Vector<byte>.Count;
            int half = Vector<ushort>.Count;
            for (; i <= cur.Length - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref c0, (nuint)i), out Vector<ushort> lo, out Vector<ushort> hi);
                Lanes(lo, ref b0, ref n0, (nuint)i, thr);
                Lanes(hi, ref b0, ref n0, (nuint)(i + half), thr);
            }
        }

        for (; i < cur.Length; i++)
        {
            int c = cur[i];
            int b = bg[i];
            bool on = Math.Abs(c - (b >> 8)) > _threshold;
            counts[i] += on ? (ushort)1 : (ushort)0;
            int c16 = c << 8;
            int s = on ? _slowShift : _shift;
            bg[i] = (ushort)(b + (Math.Max(c16 - b, 0) >> s) - (Math.Max(b - c16, 0) >> s));
        }
    }

    /// <summary>
    /// <see cref="Vector{T}"/> lanes of one row: |a − b| as max − min (no signed overflow), the all-ones compare mask
    /// subtracted from the count (adds 1), and the background step as up ≫ s − down ≫ s, one of which is zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Lanes(Vector<ushort> c, ref ushort b0, ref ushort n0, nuint at, Vector<ushort> thr)
    {
        var b = Vector.LoadUnsafe(ref b0, at);
        var bb = Vector.ShiftRightLogical(b, 8);
        var mask = Vector.GreaterThan(Vector.Max(c, bb) - Vector.Min(c, bb), thr);
        (Vector.LoadUnsafe(ref n0, at) - mask).StoreUnsafe(ref n0, at);
        var c16 = Vector.ShiftLeft(c, 8);
        var up = Vector.Max(c16, b) - b;
        var down = b - Vector.Min(c16, b);
        var fast = Vector.ShiftRightLogical(up, _shift) - Vector.ShiftRightLogical(down, _shift);
        var slow = Vector.ShiftRightLogical(up, _slowShift) - Vector.ShiftRightLogical(down, _slowShift);
        (b + Vector.ConditionalSelect(mask, slow, fast)).StoreUnsafe(ref b0, at);
    }

    /// <summary>Largest 4-connected region of active blocks: iterative flood fill over the preallocated stack
    /// (each block is pushed at most once); visited blocks are marked 2 in the active map.</summary>
    private int LargestRegion()
    {
        int n = _active.Length;
        int w = BlocksX;
        int best = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (_active[seed] != 1)
            {
                continue;
            }

            int size = 0;
            int top = 0;
            _stack[top++] = seed;
            _active[seed] = 2;
            while (top > 0)
            {
                int k = _stack[--top];
                size++;
                int x = k % w;
                if (x > 0 && _active[k - 1] == 1)
                {
                    _active[k - 1] = 2;
                    _stack[top++] = k - 1;
                }

                if (x < w - 1 && _active[k + 1] == 1)
                {
                    _active[k + 1] = 2;
                    _stack[top++] = k + 1;
                }

                if (k >= w && _active[k - w] == 1)
                {
                    _active[k - w] = 2;
                    _stack[top++] = k - w;
                }

                if (k + w < n && _active[k + w] == 1)
                {
                    _active[k + w] = 2;
                    _stack[top++] = k + w;
                }
            }

            best = Math.Max(best, size);
        }

        return best;
    }
}
