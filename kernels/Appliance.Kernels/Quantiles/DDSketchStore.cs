namespace Appliance.Kernels.Quantiles;

/// <summary>
/// The bins of one sign of a <see cref="DDSketch"/>: a dense array of counts for the bin keys
/// [<c>_offset</c>, <c>_offset + capacity</c>), allocated once. When a key does not fit, the lowest bins are collapsed into
/// the lowest kept bin ("collapsing lowest buckets", Masson, Rim and Lee 2019, §2.2), so the store never grows.
/// </summary>
internal sealed class DDSketchStore
{
    private readonly long[] _counts;
    private int _offset;
    private int _minIndex = int.MaxValue; // lowest array index holding a count, or MaxValue when empty
    private int _maxIndex = -1;

    public DDSketchStore(int capacity) => _counts = new long[capacity];

    /// <summary>Total count in the store.</summary>
    public long Count { get; private set; }

    /// <summary>Number of bins that were collapsed into the lowest kept bin (0 while every key fit).</summary>
    public long CollapsedBins { get; private set; }

    public int Capacity => _counts.Length;

    public void Add(int key, long count)
    {
        if (Count == 0)
        {
            _offset = key - (_counts.Length / 2);
        }

        int index = IndexFor(key);
        _counts[index] += count;
        _minIndex = Math.Min(_minIndex, index);
        _maxIndex = Math.Max(_maxIndex, index);
        Count += count;
    }

    /// <summary>Adds every bin of <paramref name="other"/> (same capacity) to this store.</summary>
    public void MergeFrom(DDSketchStore other)
    {
        for (int i = other._minIndex; i <= other._maxIndex; i++)
        {
            long c = other._counts[i];
            if (c != 0)
            {
                Add(other._offset + i, c);
            }
        }

        CollapsedBins += other.CollapsedBins;
    }

    /// <summary>The counts from the lowest to the highest occupied bin; <paramref name="offset"/> is the first one's key.</summary>
    public long[] Occupied(out int offset)
    {
        if (_maxIndex < 0)
        {
            offset = 0;
            return [];
        }

        offset = _offset + _minIndex;
        return _counts.AsSpan(_minIndex, _maxIndex - _minIndex + 1).ToArray();
    }

    public void Clear()
    {
        if (_maxIndex >= 0)
        {
            Array.Clear(_counts, _minIndex, _maxIndex - _minIndex + 1);
        }

        _minIndex = int.MaxValue;
        _maxIndex = -1;
        Count = 0;
        CollapsedBins = 0;
    }

    /// <summary>The key of the bin holding the element of 0-based rank <paramref name="rank"/>, counting from the lowest key.</summary>
    public int KeyAtRank(long rank)
    {
        long seen = 0;
        for (int i = _minIndex; i <= _maxIndex; i++)
        {
            seen += _counts[i];
            if (seen > rank)
            {
                return _offset + i;
            }
        }

        return _offset + _maxIndex;
    }

    /// <summary>The key of the bin holding the element of 0-based rank <paramref name="rank"/>, counting from the highest key.</summary>
    public int KeyAtRankFromTop(long rank)
    {
        long seen = 0;
        for (int i = _maxIndex; i >= _minIndex; i--)
        {
            seen += _counts[i];
            if (seen > rank)
            {
                return _offset + i;
            }
        }

        return _offset + _minIndex;
    }

    private int IndexFor(int key)
    {
        int index = key - _offset;
        if ((uint)index < (uint)_counts.Length)
        {
            return index;
        }

        if (index < 0)
        {
            if (_maxIndex < 0 || _maxIndex - index < _counts.Length)
            {
                // Room below: shift the bins up.
                Shift(-index + ((_counts.Length - 1 - Math.Max(_maxIndex - index, 0)) / 2));
                return key - _offset;
            }

            // Below the kept range and no room: it belongs with the lowest kept (collapsed) bin.
            CollapsedBins++;
            return _minIndex;
        }

        // Above: move the window up so that key is the highest index; collapse what falls off the bottom.
        int newOffset = key - _counts.Length + 1;
        int drop = newOffset - _offset; // > 0
        long collapsed = 0;
        int keepFrom = Math.Min(drop, _maxIndex + 1);
        for (int i = _minIndex; i < keepFrom; i++)
        {
            collapsed += _counts[i];
            CollapsedBins += _counts[i] != 0 ? 1 : 0;
        }

        if (_minIndex < keepFrom)
        {
            // Shift down by drop, folding the dropped counts into the new lowest bin (index 0).
            int kept = Math.Max(0, _maxIndex + 1 - drop);
            Array.Copy(_counts, drop, _counts, 0, kept);
            Array.Clear(_counts, kept, _counts.Length - kept);
            _counts[0] += collapsed;
            _offset = newOffset;
            _minIndex = 0;
            _maxIndex = Math.Max(kept - 1, 0);
        }
        else
        {
            Shift(-drop);
        }

        return key - _offset;
    }

    /// <summary>Moves every bin by <paramref name="by"/> array positions (positive: up), keeping the keys.</summary>
    private void Shift(int by)
    {
        if (_maxIndex >= 0)
        {
            int length = _maxIndex - _minIndex + 1;
            Array.Copy(_counts, _minIndex, _counts, _minIndex + by, length);
            if (by > 0)
            {
                Array.Clear(_counts, _minIndex, Math.Min(by, length));
            }
            else
            {
                int clearFrom = Math.Max(_minIndex + by + length, _minIndex);
                Array.Clear(_counts, clearFrom, _maxIndex + 1 - clearFrom);
            }

            _minIndex += by;
            _maxIndex += by;
        }

        _offset -= by;
    }
}
