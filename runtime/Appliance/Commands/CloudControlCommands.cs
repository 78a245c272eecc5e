using System.CommandLine;
using System.Globalization;
using Appliance.Cloud.Control;
using Appliance.Contracts.Config;

namespace Appliance.Commands;

/// <summary>
/// The cloud's control verbs on a collector store, picked up by the collector running on it without a restart:
/// <c>cloud devices add DEVICE_ID PUBLIC_KEY --db</c> and <c>cloud devices revoke DEVICE_ID --db</c> (the device registry,
/// <see cref="DeviceRegistry"/>), <c>cloud devices keys --db</c> (its listing), and
/// <c>cloud command DEVICE VERB [ARGS] --db [--wait 10s] [--ttl 10m] [--by NAME]</c> (<see cref="CommandService"/>).
/// </summary>
internal static class CloudControlCommands
{
    /// <summary>add, revoke and keys, the subcommands of <c>cloud devices</c>.</summary>
    public static IEnumerable<Command> DeviceSubcommands()
    {
        var db = DbOption();
        var device = new Argument<string>("DEVICE_ID") { Description = "The device id the key may send as" };
        var key = new Argument<string>("PUBLIC_KEY") { Description = "The device's CURVE public key (Z85, 40 characters: the public half of its [uplink] curve key)" };
        var add = new Command("add", "Allow a device's CURVE public key to connect, bound to its device id (effective within a second on a running collector)") { device, key, db };
        add.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = CloudCommand.OpenStore(p.GetValue(db)!);
            new DeviceRegistry(store).Add(p.GetValue(device)!, p.GetValue(key)!);
            Console.WriteLine($"device {p.GetValue(device)} allowed with key {p.GetValue(key)}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        yield return add;

        var revokeDb = DbOption();
        var revokeDevice = new Argument<string>("DEVICE_ID") { Description = "The device whose keys are revoked" };
        var revoke = new Command("revoke", "Revoke every key of a device: a running collector cuts its connection off within a second and refuses it from then on") { revokeDevice, revokeDb };
        revoke.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = CloudCommand.OpenStore(p.GetValue(revokeDb)!);
            int n = new DeviceRegistry(store).Revoke(p.GetValue(revokeDevice)!);
            Console.WriteLine($"device {p.GetValue(revokeDevice)} revoked ({n} key{(n == 1 ? "" : "s")})");
            return Task.FromResult(ExitCodes.Ok);
        }));
        yield return revoke;

        var keysDb = DbOption();
        var keys = new Command("keys", "The device registry: each key, its device id, when it was added and revoked") { keysDb };
        keys.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = CloudCommand.OpenStore(p.GetValue(keysDb)!);
            foreach (var k in new DeviceRegistry(store).List())
            {
                Console.WriteLine($"{k.DeviceId}  {k.PublicKey}  added {Time(k.AddedNs)}  {(k.Active ? "allowed" : "revoked " + Time(k.RevokedNs))}");
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        yield return keys;
    }

    /// <summary><c>cloud command</c>.</summary>
    public static Command CommandVerb()
    {
        var db = DbOption();
        var device = new Argument<string>("DEVICE") { Description = "The device id" };
        var verb = new Argument<string>("VERB") { Description = "pull-config, identify SECONDS, restart-pipeline or set-log-level LEVEL" };
        var args = new Argument<string[]>("ARGS") { Description = "The verb's arguments", Arity = ArgumentArity.ZeroOrMore };
        var wait = new Option<string?>("--wait") { Description = "Wait this long for the device's result (e.g. 10s) and print it; exit 1 unless it is ok" };
        var ttl = new Option<string>("--ttl") { Description = "How long the command waits for the device (offline devices get it when they reconnect) before it expires", DefaultValueFactory = _ => "10m" };
        var by = new Option<string?>("--by") { Description = "Who asks, recorded with the command (default: the OS user)" };
        var cmd = new Command("command", "Send a command to a device through the running collector, recorded in the store with its result") { device, verb, args, db, wait, ttl, by };
        cmd.SetAction((p, token) => Cli.Guard(async () =>
        {
            TimeSpan? waitFor = p.GetValue(wait) is { } w ? ParseDuration("--wait", w) : null;
            TimeSpan life = ParseDuration("--ttl", p.GetValue(ttl)!);
            using var store = CloudCommand.OpenStore(p.GetValue(db)!);
            var service = new CommandService(store);
            var record = service.Enqueue(p.GetValue(device)!, p.GetValue(verb)!, p.GetValue(args) ?? [], p.GetValue(by) ?? Environment.UserName, life);
            if (waitFor is null)
            {
                Console.WriteLine($"command {record.Id} {record.State}: {record.Verb} to {record.DeviceId}, expires {Time(record.ExpiresNs)}");
                return ExitCodes.Ok;
            }

            record = await service.WaitAsync(record.Id, waitFor.Value, token);
            if (!record.IsFinal)
            {
                Console.Error.WriteLine($"appliance: failed: command {record.Id} still {record.State} after {p.GetValue(wait)} (it stays queued until {Time(record.ExpiresNs)})");
                return ExitCodes.Failed;
            }

            Console.WriteLine(record.ResultLine);
            return record.State == CommandStates.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return cmd;
    }

    /// <summary><c>cloud pull-config --selector label:KEY=VALUE --db [--ttl 10m] [--by NAME]</c>: a <c>pull-config</c> to every
    /// device whose labels match (<see cref="CommandService.EnqueueSelected"/>), one line per command queued.</summary>
    public static Command PullConfigVerb()
    {
        var db = DbOption();
        var selector = new Option<string>("--selector") { Description = "The devices: label:KEY=VALUE (for example label:site=plant-a), matched against the labels in their heartbeats", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "How long each command waits for its device before it expires", DefaultValueFactory = _ => "10m" };
        var by = new Option<string?>("--by") { Description = "Who asks, recorded with the commands (default: the OS user)" };
        var cmd = new Command("pull-config", "Tell every device a label selects to fetch its configuration repository now (after a push), through the running collector") { db, selector, ttl, by };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            TimeSpan life = ParseDuration("--ttl", p.GetValue(ttl)!);
            using var store = CloudCommand.OpenStore(p.GetValue(db)!);
            IReadOnlyList<CommandRecord> records;
            try
            {
                records = new CommandService(store).EnqueueSelected(p.GetValue(selector)!, "pull-config", [], p.GetValue(by) ?? Environment.UserName, life);
            }
            catch (ArgumentException e) when (e.ParamName == "selector")
            {
                throw new ArgumentException("--" + e.Message.Split(" (Parameter")[0], e);
            }

            foreach (var record in records)
            {
                Console.WriteLine($"command {record.Id} {record.State}: {record.Verb} to {record.DeviceId}, expires {Time(record.ExpiresNs)}");
            }

            Console.WriteLine($"{records.Count} device{(records.Count == 1 ? "" : "s")} selected by {p.GetValue(selector)}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    private static TimeSpan ParseDuration(string option, string text) =>
        Duration.TryParse(text, out var value, out var error) ? value : throw new ArgumentException($"{option}: {error}");

    private static Option<string> DbOption() => new("--db") { Description = "The SQLite database file, or a postgresql:// URL", Required = true };

    private static string Time(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
