namespace Appliance.Cloud.Ingest;

/// <summary>
/// The collector's per-peer state (device id → ZeroMQ routing id, route → authenticated device id), bounded and expired:
/// an entry not refreshed within <see cref="Ttl"/> is forgotten, and when <see cref="Capacity"/> entries are held the
/// oldest eighth is evicted, so identities a hostile peer makes up cost nothing lasting. Used by the poller thread only.
/// </summary>
/// <typeparam name="TValue">What is kept per key.</typeparam>
internal sealed class RouteTable<TValue>
{
    private readonly Dictionary<string, (TValue Value, long TouchedMs)> _entries = new(StringComparer.Ordinal);
    private long _nextSweepMs;

    /// <summary>Creates an empty table.</summary>
    /// <param name="capacity">Most entries held (at least 8).</param>
    /// <param name="ttl">How long an entry lives without being refreshed.</param>
    public RouteTable(int capacity, TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 8);
        Capacity = capacity;
        Ttl = ttl;
    }

    /// <summary>Most entries held.</summary>
    public int Capacity { get; }

    /// <summary>Lifetime of an entry not refreshed.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Entries evicted or expired so far.</summary>
    public long Evicted { get; private set; }

    /// <summary>Sets or refreshes <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">Its value.</param>
    /// <param name="nowMs">A monotonic clock, ms (<see cref="Environment.TickCount64"/>).</param>
    public void Set(string key, TValue value, long nowMs)
    {
        if (nowMs >= _nextSweepMs)
        {
            Expire(nowMs);
        }

        if (!_entries.ContainsKey(key) && _entries.Count >= Capacity)
        {
            EvictOldest(Math.Max(1, Capacity / 8));
        }

        _entries[key] = (value, nowMs);
    }

    /// <summary>Looks <paramref name="key"/> up; an expired entry is not found.</summary>
    /// <param name="key">The key.</param>
    /// <param name="nowMs">The clock of <see cref="Set"/>.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when held and not expired.</returns>
    public bool TryGet(string key, long nowMs, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && nowMs - entry.TouchedMs <= (long)Ttl.TotalMilliseconds)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Forgets <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when it was held.</returns>
    public bool Remove(string key) => _entries.Remove(key);

    /// <summary>A copy of every entry held (expired ones included until the next sweep).</summary>
    /// <returns>Key and value pairs.</returns>
    public List<KeyValuePair<string, TValue>> Snapshot() => _entries.Select(kv => new KeyValuePair<string, TValue>(kv.Key, kv.Value.Value)).ToList();

    public void Expire(long nowMs)
    {
        long ttlMs = (long)Ttl.TotalMilliseconds;
        _nextSweepMs = nowMs + Math.Max(1000, ttlMs / 4);
        List<string>? old = null;
        foreach (var kv in _entries)
        {
            if (nowMs - kv.Value.TouchedMs > ttlMs)
            {
                (old ??= []).Add(kv.Key);
            }
        }

        foreach (string key in old ?? [])
        {
            _entries.Remove(key);
            Evicted++;
        }
    }

    private void EvictOldest(int count)
    {
        foreach (string key in _entries.OrderBy(kv => kv.Value.TouchedMs).Take(count).Select(kv => kv.Key).ToList())
        {
            _entries.Remove(key);
            Evicted++;
        }
    }
}
