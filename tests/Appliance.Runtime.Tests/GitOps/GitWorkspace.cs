namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A scratch folder with the operator's side of GitOps done by the real tools: SSH keys from <c>ssh-keygen</c>, a working
/// repository whose commits are signed by <c>git commit -S</c> with <c>gpg.format = ssh</c>, and a bare repository on disk
/// it pushes to (the device's remote, as <c>file://</c>).
/// </summary>
internal sealed class GitWorkspace : IDisposable
{
    public GitWorkspace()
    {
        Root = Directory.CreateTempSubdirectory("appliance-gitops-").FullName;
        Work = Path.Combine(Root, "work");
        Bare = Path.Combine(Root, "remote.git");
        State = Path.Combine(Root, "state");
        Run(Root, "git", "init", "-q", "--bare", "-b", "main", Bare);
        Run(Root, "git", "init", "-q", "-b", "main", Work);
        Git("config", "user.name", "Operator");
        Git("config", "user.email", "op@example.com");
        Git("config", "gpg.format", "ssh");
        Git("remote", "add", "origin", Bare);
    }

    public string Root { get; }

    public string Work { get; }

    public string Bare { get; }

    public string State { get; }

    public string Url => "file://" + Bare;

    /// <summary>Makes a key with <c>ssh-keygen -t TYPE [-b BITS]</c>; returns the private key's path (the public key is PATH.pub).</summary>
    public string Key(string name, string type = "ed25519", int bits = 0)
    {
        var path = Path.Combine(Root, name);
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", name + "@example.com", "-f", path };
        if (bits > 0)
        {
            args.AddRange(["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        Run(Root, "ssh-keygen", [.. args]);
        return path;
    }

    /// <summary>An allowed-signers file trusting the given keys, as <c>ssh-keygen -Y verify</c> reads it.</summary>
    public string AllowedSigners(params string[] keys)
    {
        var path = Path.Combine(Root, "allowed_signers");
        File.WriteAllLines(path, keys.Select(k => $"{Path.GetFileName(k)}@example.com namespaces=\"git\" {File.ReadAllText(k + ".pub").Trim()}"));
        return path;
    }

    /// <summary>Writes <paramref name="files"/> (null text deletes), commits (signed by <paramref name="key"/> unless null) and pushes.</summary>
    /// <returns>The commit id.</returns>
    public string Commit(string? key, IReadOnlyDictionary<string, string?> files, string message = "change", bool force = false)
    {
        foreach (var (name, text) in files)
        {
            var full = Path.Combine(Work, name);
            if (text is null)
            {
                File.Delete(full);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        Git("add", "-A");
        var commit = new List<string> { "commit", "-q", "--allow-empty", "-m", message };
        if (key is not null)
        {
            commit.Insert(0, $"user.signingkey={key}.pub");
            commit.Insert(0, "-c");
            commit.Add("-S");
        }

        Git([.. commit]);
        Git(force ? ["push", "-q", "-f", "origin", "HEAD:main"] : ["push", "-q", "origin", "HEAD:main"]);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Commit(string? key, string path, string text) => Commit(key, new Dictionary<string, string?> { [path] = text });

    public string Git(params string[] args) => Run(Work, "git", args);

    public static string Run(string cwd, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
        }

        return stdout.Result;
    }

    /// <summary>Runs a tool and returns its exit code (for reference checks such as <c>git verify-commit</c>).</summary>
    public static int ExitCode(string cwd, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
