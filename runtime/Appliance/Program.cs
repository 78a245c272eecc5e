using System.CommandLine;
using Appliance.Commands;

// The `appliance` executable. Each verb lives in Commands/ and composes the parts it needs by hand:
// run (device), cloud (collector), demo (both on loopback), doctor, and the offline tools that later issues add.
// First, on x86-64, hand over to the image built for this CPU's level when one lies beside this one (Commands/X64Images.cs).
if (X64Images.ExecBest(args) is var dispatch and not ExitCodes.Ok)
{
    return dispatch;
}

var root = new RootCommand("Appliance: an edge runtime from sensor bus to cloud uplink, configured by git.");
root.Subcommands.Add(RunCommand.Create());
#if !DEVICE_ONLY
root.Subcommands.Add(CloudCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
#endif
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(SelfTestCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
#if !DEVICE_ONLY
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(TrainCommand.CreateFrames());
#endif
root.Subcommands.Add(InitConfigCommand.Create());
root.Subcommands.Add(ReadCommand.Create());
root.Subcommands.Add(VideoCommand.Create());
root.Subcommands.Add(CameraCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"appliance: {error.Message}");
    }

    Console.Error.WriteLine("appliance: see 'appliance --help'");
    return ExitCodes.BadInput;
}

// ProcessTerminationTimeout = null: System.CommandLine does not handle SIGTERM/SIGINT itself (its default forces an exit 2 s
// after the signal, cutting short the device's documented wait of up to 10 s for acknowledgements, exit 143 with no
// Stopped: line). The long-running verbs (run, cloud, demo) handle the signal (Cli.StopOnSignal) and stop in order; the
// short ones end at once, as any process does.
return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
