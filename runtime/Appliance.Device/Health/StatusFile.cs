using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Device.Health;

/// <summary>
/// Writes the device status file <c>STATE/status.json</c> every interval, read by <c>appliance status</c>: one flat JSON
/// object (RFC 8259) with <c>written_unix_ms</c>, <c>pid</c>, <c>interval_ms</c> and the properties of every registered
/// <see cref="IStatusSection"/>. Replaced atomically (write <c>status.json.tmp</c>, then rename over), so a reader never
/// sees a partial file. Write faults are counted in <see cref="WriteFaults"/> and logged, never thrown to the device.
/// </summary>
public sealed class StatusFile : IDisposable
{
    /// <summary>File name inside the state directory.</summary>
    public const string FileName = "status.json";

    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly List<IStatusSection> _sections = [];
    private readonly object _gate = new();
    private readonly MemoryStream _buffer = new(1024);
    private Timer? _timer;
    private long _writeFaults;

    /// <summary>Creates the writer; nothing is written until <see cref="Start"/> or <see cref="WriteNow"/>.</summary>
    /// <param name="stateDirectory">The device's state directory (created if missing).</param>
    /// <param name="interval">Period of writes; at least 10 ms.</param>
    /// <param name="logger">Logger, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> under 10 ms.</exception>
    public StatusFile(string stateDirectory, TimeSpan interval, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(10));
        Directory.CreateDirectory(stateDirectory);
        _path = System.IO.Path.Combine(stateDirectory, FileName);
        _interval = interval;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Path of the status file.</summary>
    public string Path => _path;

    /// <summary>Writes that failed (logged).</summary>
    public long WriteFaults => Interlocked.Read(ref _writeFaults);

    /// <summary>Adds a section; its properties appear from the next write on. Thread-safe.</summary>
    /// <param name="section">The section.</param>
    public void Add(IStatusSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        lock (_gate)
        {
            _sections.Add(section);
        }
    }

    /// <summary>Starts the periodic writes (the first at once).</summary>
    public void Start() => _timer ??= new Timer(_ => WriteNow(), null, TimeSpan.Zero, _interval);

    /// <summary>Writes the file now. Thread-safe; never throws on I/O or section faults (they are counted).</summary>
    public void WriteNow()
    {
        lock (_gate)
        {
            try
            {
                _buffer.SetLength(0);
                using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteNumber("written_unix_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    w.WriteNumber("pid", Environment.ProcessId);
                    w.WriteNumber("interval_ms", (long)_interval.TotalMilliseconds);
                    foreach (IStatusSection s in _sections)
                    {
                        s.Write(w);
                    }

                    w.WriteEndObject();
                }

                string tmp = _path + ".tmp";
                using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
                {
                    f.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
                }

                File.Move(tmp, _path, overwrite: true);
            }
#pragma warning disable CA1031 // a status write must never take the device down; the fault is counted and logged
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _writeFaults);
                HealthLog.StatusWriteFailed(_logger, ex, _path);
            }
        }
    }

    /// <summary>Stops the timer and writes a last time.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        WriteNow();
        _buffer.Dispose();
    }
}
