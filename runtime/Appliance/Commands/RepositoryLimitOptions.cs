using System.CommandLine;
using Appliance.Device.GitOps;

namespace Appliance.Commands;

/// <summary><c>--max-file-size</c> and <c>--max-revision-size</c>, as <c>run</c> and <c>check</c> take them (<see cref="RepositoryLimits"/>).</summary>
internal sealed class RepositoryLimitOptions
{
    private readonly Option<string> _file = new("--max-file-size") { Description = "The largest file of a revision the device takes (bytes, KiB, MiB, GiB; default 64MiB)", DefaultValueFactory = _ => "64MiB" };
    private readonly Option<string> _revision = new("--max-revision-size") { Description = "The most all files of a revision may hold together (default 128MiB; a fetch may bring 4 times this)", DefaultValueFactory = _ => "128MiB" };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_file);
        command.Options.Add(_revision);
    }

    /// <summary>The limits given on the command line.</summary>
    /// <exception cref="FormatException">A size that is not one.</exception>
    public RepositoryLimits Read(ParseResult p) =>
        new(RepositoryLimits.ParseSize(p.GetValue(_file)!, "--max-file-size"), RepositoryLimits.ParseSize(p.GetValue(_revision)!, "--max-revision-size"));
}
