using Appliance.Cloud.Control;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;
using NetMQ;

namespace Appliance.Cloud.Ingest;

/// <summary>The collector's control plane: the live device registry and command delivery (all on the poller thread).</summary>
public sealed partial class Collector
{
    /// <summary>How often the device registry is read again (an added or revoked key takes effect within this).</summary>
    public static readonly TimeSpan RegistryRefresh = TimeSpan.FromSeconds(1);

    /// <summary>How often the store is polled for commands to send (the floor of a command's round trip).</summary>
    public static readonly TimeSpan CommandPoll = TimeSpan.FromMilliseconds(50);

    private readonly LogLimiter _controlLog = new(TimeSpan.FromSeconds(10));
    private Dictionary<string, string> _staticAllowed = []; // key id (hex) → device id, from the constructor
    private DeviceRegistry? _registry;
    private ISqlStore? _control;
    private NetMQTimer? _controlTimer;
    private long _nextRegistryMs;
    private long _nextExpiryMs;
    private long _revoked;
    private long _commandResults;

    /// <summary>The store itself, under the metrics' measuring wrapper when the HTTP surface is on.</summary>
    private ICollectorStore BareStore => _store is CollectorMetrics.MeasuredStore m ? m.Inner : _store;

    private void InitControl(bool useDeviceRegistry)
    {
        _staticAllowed = _allowed is null ? [] : new Dictionary<string, string>(_allowed, StringComparer.Ordinal);
        _control = BareStore as ISqlStore;
        if (useDeviceRegistry)
        {
            _registry = new DeviceRegistry(BareStore);
            RefreshRegistry();
        }

        if (_control is not null)
        {
            _controlTimer = new NetMQTimer(CommandPoll);
            _controlTimer.Elapsed += OnControlTick;
            _poller.Add(_controlTimer);
        }
    }

    private void OnControlTick(object? sender, NetMQTimerEventArgs e)
    {
        try
        {
            long now = Environment.TickCount64;
            if (_registry is not null && now >= _nextRegistryMs)
            {
                _nextRegistryMs = now + (long)RegistryRefresh.TotalMilliseconds;
                RefreshRegistry();
            }

            DeliverCommands(now);
            TrimAfterFlood(now);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // A busy or failing store: the next tick tries again; ingest goes on.
            if (_controlLog.ShouldLog(Environment.TickCount64, out long suppressed))
            {
                CollectorLog.ControlFailed(_logger, ex, suppressed);
            }
        }
    }

    /// <summary>Reads the registry, replaces the allow-list and cuts off every authenticated connection whose key is gone.</summary>
    private void RefreshRegistry()
    {
        var allowed = new Dictionary<string, string>(_staticAllowed, StringComparer.Ordinal);
        foreach ((string key, string deviceId) in _registry!.Allowed())
        {
            allowed[DeviceProof.KeyId(key)] = deviceId;
        }

        var previous = _allowed ?? [];
        int added = allowed.Keys.Count(k => !previous.ContainsKey(k));
        int removed = previous.Keys.Count(k => !allowed.ContainsKey(k));
        _allowed = allowed;
        if (added + removed > 0)
        {
            CollectorLog.RegistryChanged(_logger, allowed.Count, added, removed);
        }

        foreach ((string route, (string deviceId, string keyId)) in _authenticated.Snapshot())
        {
            if (allowed.TryGetValue(keyId, out string? id) && (id == "*" || id == deviceId))
            {
                continue;
            }

            // The connection cannot be closed from a ROUTER; it is forgotten instead: its frames are refused (its pings no
            // longer prove an allowed key) and no command or ack is routed to it.
            _authenticated.Remove(route);
            if (TryGetRoute(deviceId, Environment.TickCount64, out byte[]? held) && Convert.ToHexString(held) == route)
            {
                _routes.Remove(deviceId);
                _pingRoutes.Remove(deviceId);
            }

            Interlocked.Increment(ref _revoked);
            CollectorLog.Revoked(_logger, deviceId);
        }
    }

    /// <summary>Expires overdue commands (once a second) and sends the due ones whose device is connected.</summary>
    private void DeliverCommands(long nowMs)
    {
        long nowNs = UnixNowNs();
        if (nowMs >= _nextExpiryMs)
        {
            _nextExpiryMs = nowMs + 1000;
            _control!.Run(true, (c, d) => ControlSql.ExpireDue(c, d, nowNs));
        }

        long resendBeforeNs = nowNs - (CommandService.ResendAfter.Ticks * 100);
        foreach (CommandRecord r in _control!.Run(false, (c, d) => ControlSql.Due(c, d, nowNs, resendBeforeNs, 256)))
        {
            if (!TryGetRoute(r.DeviceId, nowMs, out byte[]? route))
            {
                continue; // offline: it stays pending until the device pings again, or expires
            }

            if (Send(route, r.DeviceId, Envelope.Create(r.DeviceId, ++_outSequence, CommandService.ToWire(r))))
            {
                Interlocked.Increment(ref _commandsSent);
                _control.Run(true, (c, d) =>
                {
                    ControlSql.MarkSent(c, d, r.Id, nowNs);
                    return 0;
                });
                CollectorLog.CommandSent(_logger, r.Id, r.Verb, r.DeviceId, r.Attempts + 1);
            }
        }
    }

    /// <summary>Records a device's answer to a command (a repeat, or an answer to another device's command, is ignored).</summary>
    private void OnCommandResult(string deviceId, CommandResult result)
    {
        if (_control is null)
        {
            return;
        }

        long nowNs = UnixNowNs();
        if (_control.Run(true, (c, d) => ControlSql.Complete(c, d, result.Id, deviceId, result.Succeeded, result.Text, nowNs)))
        {
            Interlocked.Increment(ref _commandResults);
            CollectorLog.CommandCompleted(_logger, result.Id, deviceId, result.Succeeded ? CommandStates.Ok : CommandStates.Failed, result.Text);
        }
    }
}
