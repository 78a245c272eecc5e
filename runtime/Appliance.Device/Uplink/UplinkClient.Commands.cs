using Appliance.Contracts.Wire;
using NetMQ;

namespace Appliance.Device.Uplink;

/// <summary>Commands from the cloud and the device's results (uplink thread, except <see cref="SendResult"/>).</summary>
public sealed partial class UplinkClient
{
    /// <summary>How many recent command ids the client remembers, with their results, to answer a repeat without acting twice.</summary>
    public const int RememberedCommands = 64;

    private readonly NetMQQueue<CommandResult> _results = new();
    private readonly Dictionary<long, CommandResult?> _recent = []; // id → result sent, or null while the handler works on it
    private readonly Queue<long> _recentOrder = new();

    /// <summary>
    /// Sends the answer to a command that carried an id (<see cref="Command.Id"/>); remembered, so a repeat of that command
    /// (the collector resends one it got no answer to) is answered again without raising <see cref="CommandReceived"/>.
    /// Not journaled: a result lost with the link is recovered by that repeat. Thread-safe.
    /// </summary>
    /// <param name="result">The result; its id is the command's.</param>
    /// <exception cref="ArgumentException">The id is not positive or the text is over <see cref="WireLimits.MaxTextLength"/>.</exception>
    public void SendResult(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfLessThan(result.Id, 1);
        if (result.Text.Length > WireLimits.MaxTextLength)
        {
            throw new ArgumentException($"command result text of {result.Text.Length} characters (expected at most {WireLimits.MaxTextLength})", nameof(result));
        }

        if (!_disposed)
        {
            _results.Enqueue(result);
        }
    }

    private void OnResult(object? sender, NetMQQueueEventArgs<CommandResult> e)
    {
        while (e.Queue.TryDequeue(out CommandResult? result, TimeSpan.Zero))
        {
            if (_recent.ContainsKey(result.Id))
            {
                _recent[result.Id] = result;
            }

            _socket.TrySendFrame(TimeSpan.Zero, WireCodec.Encode(Envelope.Create(_options.DeviceId, result)));
        }
    }

    /// <summary>A command with an id is raised once: a repeat is answered from memory (or ignored while it is being carried out).</summary>
    private void OnCommand(Command command)
    {
        if (command.Id > 0)
        {
            if (_recent.TryGetValue(command.Id, out CommandResult? done))
            {
                if (done is not null)
                {
                    _socket.TrySendFrame(TimeSpan.Zero, WireCodec.Encode(Envelope.Create(_options.DeviceId, done)));
                }

                return;
            }

            _recent[command.Id] = null;
            _recentOrder.Enqueue(command.Id);
            if (_recentOrder.Count > RememberedCommands)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }
        }

        try
        {
            CommandReceived?.Invoke(command);
        }
#pragma warning disable CA1031 // a handler's fault must not kill the uplink thread; it is counted and logged
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _commandFaults);
            UplinkLog.CommandHandlerFailed(_logger, ex, command.Kind.ToString());
        }
    }
}
