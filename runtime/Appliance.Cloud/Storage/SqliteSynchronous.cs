using Appliance.Cloud.Ingest;
namespace Appliance.Cloud.Storage;

/// <summary>
/// SQLite's <c>PRAGMA synchronous</c> for the collector store in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous,
/// https://www.sqlite.org/wal.html). The collector acknowledges only after <c>COMMIT</c> returns under either setting.
/// </summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// <c>FULL</c> (default): every commit fsyncs the WAL before returning, so an acknowledged batch survives a power loss.
    /// Costs one fsync per batch on the acknowledgement path.
    /// </summary>
    Full = 0,

    /// <summary>
    /// <c>NORMAL</c>: commits write the WAL without an fsync (fsyncs happen at checkpoints). An acknowledged batch survives a
    /// crash of the collector process, but the last commits before a power loss or kernel crash of the collector's machine
    /// may roll back, while the device, having been acknowledged, has already deleted them: use it only where the collector's
    /// storage is protected (battery-backed cache, replicated volume) or the latency matters more than that window.
    /// </summary>
    Normal = 1,
}
