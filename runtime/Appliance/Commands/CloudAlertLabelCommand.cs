using System.CommandLine;
using Appliance.Cloud.Storage;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud alerts label ID true|false --db PATH|URL</c>: an operator marks an alert a true anomaly or a false
/// alarm (<see cref="IFleetReader.LabelAlert"/>; a later label replaces an earlier one). ID is <c>DEVICE:SEQ</c> as
/// <c>cloud alerts</c> and <c>GET /api/alerts</c> give it. Unknown alert, malformed id or label: one line, exit 2.
/// </summary>
internal static class CloudAlertLabelCommand
{
    /// <summary>The verb.</summary>
    public static Command Create()
    {
        var db = CloudCommand.DbOption();
        var id = new Argument<string>("id") { Description = "The alert: DEVICE:SEQ (as cloud alerts prints it)" };
        var label = new Argument<string>("label") { Description = "true: a true anomaly; false: a false alarm" };
        var cmd = new Command("label", "Label an alert a true anomaly or a false alarm (training and gating data)") { id, label, db };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            string text = p.GetValue(id)!;
            if (!AlertLabels.TryParseId(text, out string device, out long seq))
            {
                throw new ArgumentException($"alert id '{text}': expected DEVICE:SEQ as cloud alerts prints it (e.g. pump-7:42)");
            }

            bool value = p.GetValue(label) switch
            {
                "true" => true,
                "false" => false,
                var other => throw new ArgumentException($"label '{other}': expected true or false"),
            };
            string path = p.GetValue(db)!;
            if (!PostgresStore.IsUrl(path) && !File.Exists(path))
            {
                throw new FileNotFoundException($"--db {path}: no such collector store", path);
            }

            using var store = CloudCommand.OpenStore(path);
            var alert = ((IFleetReader)store).LabelAlert(device, seq, value, (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100)
                ?? throw new ArgumentException($"alert {text}: no such alert in {path}");
            Console.WriteLine($"alert {alert.DeviceId}:{alert.Sequence} labelled {(alert.Label == true ? "true" : "false")}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }
}
