using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Control;

/// <summary>
/// Commands to devices through the collector store (<c>commands</c>): <see cref="Enqueue"/> records a command as pending; the
/// running <see cref="Ingest.Collector"/> on the same store sends it over the ROUTER as soon as the device is connected (at once,
/// or when it reconnects), the device answers with its result, and the collector records it. A command unanswered for
/// <see cref="ResendAfter"/> is sent again; one unanswered by its expiry is marked expired. Used by
/// <c>appliance cloud command</c> and the HTTP API. Thread-safe.
/// </summary>
public sealed class CommandService
{
    private readonly ICollectorStore _store;
    private readonly TimeProvider _clock;
    private readonly DeviceRegistry _registry;

    /// <summary>Creates the service over <paramref name="store"/>.</summary>
    /// <param name="store">A <see cref="SqliteStore"/> or <see cref="PostgresStore"/>.</param>
    /// <param name="clock">The clock of the recorded times; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="NotSupportedException">The store has no control tables (a test double).</exception>
    public CommandService(ICollectorStore store, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _clock = clock ?? TimeProvider.System;
        _registry = new DeviceRegistry(store, _clock);
    }

    /// <summary>How long a command waits for its result unless told otherwise: 10 minutes.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(10);

    /// <summary>The longest time to live accepted: 7 days.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);

    /// <summary>How long a sent command waits for its result before the collector sends it again: 5 s.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);

    /// <summary>The verbs, as the CLI and the API name them.</summary>
    public static IReadOnlyList<string> Verbs { get; } = ["pull-config", "identify", "restart-pipeline", "set-log-level"];

    /// <summary>The log levels <c>set-log-level</c> takes.</summary>
    public static IReadOnlyList<string> LogLevels { get; } = ["trace", "debug", "information", "warning", "error", "critical"];

    /// <summary>Checks a verb and its arguments and names the wire command kind.</summary>
    /// <param name="verb">One of <see cref="Verbs"/>.</param>
    /// <param name="arguments">pull-config, restart-pipeline: none; identify: SECONDS (1 to 3600); set-log-level: one of <see cref="LogLevels"/>.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="ArgumentException">Unknown verb, or arguments not as listed (message names what was expected).</exception>
    public static CommandKind Parse(string verb, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        (CommandKind kind, string expected, bool ok) = verb switch
        {
            "pull-config" => (CommandKind.PullConfig, "no arguments", arguments.Count == 0),
            "restart-pipeline" => (CommandKind.RestartPipeline, "no arguments", arguments.Count == 0),
            "identify" => (CommandKind.Identify, "SECONDS, 1 to 3600",
                arguments.Count == 1 && int.TryParse(arguments[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int s) && s is >= 1 and <= 3600),
            "set-log-level" => (CommandKind.SetLogLevel, "one of " + string.Join(", ", LogLevels), arguments.Count == 1 && LogLevels.Contains(arguments[0])),
            _ => throw new ArgumentException($"command verb '{verb}': expected one of {string.Join(", ", Verbs)}", nameof(verb)),
        };
        return ok ? kind : throw new ArgumentException($"command {verb} {string.Join(' ', arguments)}: expected {expected}", nameof(arguments));
    }

    /// <summary>Records a command for a device; the collector delivers it.</summary>
    /// <param name="deviceId">A device the collector has seen or the registry holds.</param>
    /// <param name="verb">One of <see cref="Verbs"/>.</param>
    /// <param name="arguments">Its arguments (<see cref="Parse"/>).</param>
    /// <param name="requestedBy">Who asks (recorded), 1 to 128 characters.</param>
    /// <param name="ttl">How long it may wait for the device's result: 1 s to <see cref="MaxTtl"/>; <see cref="DefaultTtl"/> when null.</param>
    /// <returns>The pending command, with its id.</returns>
    /// <exception cref="ArgumentException">Bad verb, arguments or ttl; a device unknown to the store, or one whose keys are all revoked.</exception>
    public CommandRecord Enqueue(string deviceId, string verb, IReadOnlyList<string> arguments, string requestedBy, TimeSpan? ttl = null)
    {
        DeviceRegistry.CheckDeviceId(deviceId);
        Parse(verb, arguments);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (requestedBy.Length > WireLimits.MaxNameLength)
        {
            throw new ArgumentException($"requested by: {requestedBy.Length} characters (expected at most {WireLimits.MaxNameLength})", nameof(requestedBy));
        }

        TimeSpan life = ttl ?? DefaultTtl;
        if (life < TimeSpan.FromSeconds(1) || life > MaxTtl)
        {
            throw new ArgumentException($"ttl {life}: expected 1 s to 7 days", nameof(ttl));
        }

        var keys = _registry.List().Where(k => k.DeviceId == deviceId).ToList();
        if (keys.Count > 0 && keys.TrueForAll(k => !k.Active))
        {
            throw new ArgumentException($"device '{deviceId}' is revoked (its keys were revoked from the registry); no command is sent to it", nameof(deviceId));
        }

        ISqlStore sql = (ISqlStore)_store;
        long now = DeviceRegistry.NowNs(_clock);
        string args = string.Join(' ', arguments);
        long id = sql.Run(true, (c, d) => keys.Count > 0 || ControlSql.DeviceSeen(c, d, deviceId)
            ? ControlSql.InsertCommand(c, d, deviceId, verb, args, requestedBy, now, now + (life.Ticks * 100))
            : 0);
        return id > 0
            ? Get(id)!
            : throw new ArgumentException($"device '{deviceId}' is unknown (the collector never heard from it and the registry has no key for it)", nameof(deviceId));
    }

    /// <summary>
    /// Records a command for every device whose stored labels match <paramref name="selector"/> (<c>label:KEY=VALUE</c>),
    /// in device id order: the fan-out of a <c>pull-config</c> when the configuration repository changes, so devices may
    /// poll it rarely. Devices whose keys are all revoked are skipped.
    /// </summary>
    /// <param name="selector"><c>label:KEY=VALUE</c>.</param>
    /// <param name="verb">One of <see cref="Verbs"/>.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="requestedBy">Who asks (recorded).</param>
    /// <param name="ttl">As <see cref="Enqueue"/>.</param>
    /// <returns>The pending commands, one per selected device (empty when none matches).</returns>
    /// <exception cref="ArgumentException">The selector is not <c>label:KEY=VALUE</c> (ParamName <c>selector</c>), or the verb,
    /// arguments, requester or ttl are bad (as <see cref="Enqueue"/>).</exception>
    public IReadOnlyList<CommandRecord> EnqueueSelected(string selector, string verb, IReadOnlyList<string> arguments, string requestedBy, TimeSpan? ttl = null)
    {
        if (!DeviceLabels.TryParseSelector(selector, out string key, out string? value) || value is null)
        {
            throw new ArgumentException($"selector {selector}: expected label:KEY=VALUE (for example label:site=plant-a)", nameof(selector));
        }

        Parse(verb, arguments);
        var selected = ((IFleetReader)_store).GetDeviceLabels()
            .Where(kv => kv.Value.TryGetValue(key, out string? v) && v == value)
            .Select(kv => kv.Key).Order(StringComparer.Ordinal);
        var records = new List<CommandRecord>();
        foreach (string deviceId in selected)
        {
            if (_registry.IsRevoked(deviceId))
            {
                continue;
            }

            records.Add(Enqueue(deviceId, verb, arguments, requestedBy, ttl));
        }

        return records;
    }

    /// <summary>Reads one command.</summary>
    /// <param name="id">Its id.</param>
    /// <returns>The command, or null when there is none of that id.</returns>
    public CommandRecord? Get(long id) => id < 1 ? null : ((ISqlStore)_store).Run(false, (c, d) => ControlSql.Commands(c, d, id, null, 1)).FirstOrDefault();

    /// <summary>Reads commands, newest first.</summary>
    /// <param name="deviceId">Only this device's; null for all.</param>
    /// <param name="limit">Most commands returned, 1 to 10,000.</param>
    /// <returns>The commands.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> out of range.</exception>
    public IReadOnlyList<CommandRecord> List(string? deviceId = null, int limit = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return ((ISqlStore)_store).Run(false, (c, d) => ControlSql.Commands(c, d, 0, deviceId, limit));
    }

    /// <summary>Polls the store until the command is final or <paramref name="timeout"/> has passed.</summary>
    /// <param name="id">The command.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="token">Cancels the wait.</param>
    /// <returns>The command as last read (not final when the wait timed out).</returns>
    /// <exception cref="ArgumentException">No command of that id.</exception>
    public async Task<CommandRecord> WaitAsync(long id, TimeSpan timeout, CancellationToken token = default)
    {
        long deadline = _clock.GetTimestamp() + (long)(timeout.TotalSeconds * _clock.TimestampFrequency);
        while (true)
        {
            CommandRecord record = Get(id) ?? throw new ArgumentException($"no command {id}", nameof(id));
            if (record.IsFinal || _clock.GetTimestamp() >= deadline)
            {
                return record;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _clock, token).ConfigureAwait(false);
        }
    }

    /// <summary>The wire command for a recorded one.</summary>
    /// <param name="record">The command.</param>
    /// <returns>The wire command, carrying the record's id.</returns>
    public static Command ToWire(CommandRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new Command { Kind = Parse(record.Verb, record.Arguments), Arguments = record.Arguments, Id = record.Id };
    }
}
