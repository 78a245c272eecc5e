using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Appliance.Aot.Tests;

/// <summary>
/// Issue 18's must-show with the published binary: six device processes (<c>appliance run --device dev-N</c>, emulated
/// BME280, each its own state folder) pulling one bare configuration repository on disk, one collector running the rollout
/// controller (<c>--rollouts-repo</c>, <c>--signing-key</c>). A bad candidate (threshold ~0: it would alert on every
/// window) is aborted at the canary and reverted by a signed commit; a garbage candidate (model.onnx of random bytes,
/// manifest right) is aborted as rejected; a good candidate (the incumbent's bytes under another name) goes canary → 25 % →
/// all. Then every device is stopped: what they summarised is what the store holds, and no alert comes from a shadow model.
/// </summary>
public sealed class RolloutEndToEndTests : IDisposable
{
    private const string Incumbent = "bme280-zscore";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);
    private readonly string _root = Directory.CreateTempSubdirectory("appliance-rollout-").FullName;
    private readonly List<RunningProcess> _processes = [];

    [Fact]
    public void SixDevices_BadAbortedAtCanary_GarbageRejected_GoodPromotedThroughAllWaves()
    {
        string bare = Path.Combine(_root, "repo.git"), work = Path.Combine(_root, "work"), db = Path.Combine(_root, "cloud.db");
        string op = Key("operator"), cloud = Key("cloud");
        string signers = Path.Combine(_root, "allowed_signers");
        File.WriteAllLines(signers, [$"operator@test namespaces=\"git\" {File.ReadAllText(op + ".pub").Trim()}", $"cloud@test namespaces=\"git\" {File.ReadAllText(cloud + ".pub").Trim()}"]);
        int port = FreePort();
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "init-config", work);
        Assert.True(code == 0, stderr);
        string toml = File.ReadAllText(Path.Combine(work, "appliance.toml"))
            .Replace("tcp://127.0.0.1:5556", $"tcp://127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("enabled = true\n", $"enabled = true\nmodel = \"{Incumbent}\"\n", StringComparison.Ordinal)
            .Replace("interval = \"30s\"", "interval = \"1s\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(work, "appliance.toml"), toml);
        File.Delete(Path.Combine(work, "devices", "demo-1.toml"));
        CopyModel(work, Incumbent, "cand-good", threshold: null);
        CopyModel(work, Incumbent, "cand-bad", threshold: 1e-6);
        CopyModel(work, Incumbent, "cand-garbage", threshold: null);
        byte[] garbage = RandomNumberGenerator.GetBytes(4096);
        File.WriteAllBytes(Path.Combine(work, "models", "cand-garbage", "model.onnx"), garbage);
        WriteManifest(Path.Combine(work, "models", "cand-garbage"));
        PublishedBinary.Git(_root, "init", "-q", "--bare", "-b", "main", bare);
        Commit(work, op, "configuration, incumbent and three candidates");
        PublishedBinary.Git(work, "remote", "add", "origin", bare);
        PublishedBinary.Git(work, "push", "-q", "origin", "HEAD:main");

        var collector = Start("cloud", "--listen", $"tcp://127.0.0.1:{port}", "--db", db, "--rollouts-repo", bare, "--signing-key", cloud);
        var devices = Enumerable.Range(1, 6).Select(i => Start("run", "--repo", bare, "--state", Path.Combine(_root, $"state-{i}"), "--trust", signers, "--device", $"dev-{i}")).ToList();
        WaitFor(() => File.Exists(db) && Json("cloud", "devices", "--db", db, "--json").GetArrayLength() == 6, "six devices in the store", collector);

        var bad = Rollout(work, op, bare, db, "bad", "cand-bad", collector);
        Assert.Equal("aborted", bad.GetProperty("phase").GetString());
        Assert.StartsWith("alert rate", bad.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, bad.GetProperty("wave").GetInt32()); // at the canary
        AssertRevertedAndSigned(bare, signers, bad);

        var rejected = Rollout(work, op, bare, db, "garbage", "cand-garbage", collector);
        Assert.Equal("aborted", rejected.GetProperty("phase").GetString());
        Assert.StartsWith("rejected", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertRevertedAndSigned(bare, signers, rejected);

        var good = Rollout(work, op, bare, db, "good", "cand-good", collector);
        Assert.Equal("promoted", good.GetProperty("phase").GetString());
        string?[] events = ["started", "promoted", "promoted", "completed"];
        Assert.Equal(events, good.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("event").GetString()).ToArray());
        Assert.Equal(6, good.GetProperty("active").GetArrayLength());
        long[] at = [.. good.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("at_ns").GetInt64())];
        for (int w = 1; w < at.Length; w++)
        {
            Console.WriteLine($"rollout good: wave {w} took {(at[w] - at[w - 1]) / 1e9:0.0} s");
        }

        long summarised = 0;
        foreach (var device in devices)
        {
            Assert.Equal(0, device.Terminate(TimeSpan.FromSeconds(30)));
            var m = System.Text.RegularExpressions.Regex.Match(device.Stderr, @"Stopped: (\d+) windows summarised, \d+ alerts, \d+ sample faults; outbox fully acknowledged: True");
            Assert.True(m.Success, device.Stderr);
            summarised += long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        var stats = Json("cloud", "stats", "--db", db, "--json");
        Assert.Equal(summarised, stats.GetProperty("summaries").GetInt64()); // nothing lost, nothing stored twice
        foreach (var alert in Json("cloud", "alerts", "--db", db, "--limit", "100000", "--json").EnumerateArray())
        {
            Assert.DoesNotContain("cand-", alert.GetRawText(), StringComparison.Ordinal); // no alert from a shadow model
        }
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Commits rollouts/NAME.toml (signed by the operator), starts it, and waits until the controller promoted or aborted it.</summary>
    private JsonElement Rollout(string work, string op, string bare, string db, string name, string model, RunningProcess collector)
    {
        PublishedBinary.Git(work, "pull", "-q", "--rebase", "origin", "main");
        Directory.CreateDirectory(Path.Combine(work, "rollouts"));
        File.WriteAllText(Path.Combine(work, "rollouts", name + ".toml"), $"""
            [rollout]
            model = "{model}"
            incumbent = "{Incumbent}"
            target = "all"
            waves = [1, "25%", "100%"]
            bake = "12s"

            [criteria]
            min_windows = 5
            report_timeout = "40s"
            """);
        Commit(work, op, "rollout " + name);
        PublishedBinary.Git(work, "push", "-q", "origin", "HEAD:main");
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "cloud", "rollout", "start", name, "--repo", bare, "--signing-key", Path.Combine(_root, "cloud"), "--db", db);
        Assert.True(code == 0, stdout + stderr);
        JsonElement status = default;
        WaitFor(() => (status = Json("cloud", "rollout", "status", name, "--repo", bare, "--db", db, "--json")).GetProperty("phase").GetString() is "promoted" or "aborted", $"rollout {name} decided", collector);
        Console.WriteLine($"rollout {name}: {status.GetProperty("phase").GetString()} at wave {status.GetProperty("wave").GetInt32()} ({status.GetProperty("reason").GetString()})");
        return status;
    }

    private static void AssertRevertedAndSigned(string bare, string signers, JsonElement status)
    {
        Assert.Equal(0, status.GetProperty("shadow").GetArrayLength()); // every device back on the incumbent
        Assert.Equal(0, status.GetProperty("active").GetArrayLength());
        string commit = status.GetProperty("commit").GetString()!;
        PublishedBinary.Git(bare, "-c", "gpg.ssh.allowedSignersFile=" + signers, "verify-commit", commit);
    }

    private RunningProcess Start(params string[] args)
    {
        var p = new RunningProcess(args);
        _processes.Add(p);
        return p;
    }

    private static JsonElement Json(params string[] args)
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), args);
        Assert.True(code == 0, $"appliance {string.Join(' ', args)}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static void WaitFor(Func<bool> done, string what, RunningProcess collector)
    {
        var until = DateTime.UtcNow + Patience;
        while (!done())
        {
            Assert.False(collector.HasExited, collector.Stderr);
            Assert.True(DateTime.UtcNow < until, $"{what}: not within {Patience.TotalSeconds} s\n{collector.Stderr}");
            Thread.Sleep(1000);
        }
    }

    private string Key(string name)
    {
        string path = Path.Combine(_root, name);
        var (code, _, stderr) = Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path);
        Assert.True(code == 0, stderr);
        return path;
    }

    private static void Commit(string work, string key, string message)
    {
        PublishedBinary.Git(work, "add", "-A");
        PublishedBinary.Git(work, "-c", "user.name=Operator", "-c", "user.email=op@test", "-c", "gpg.format=ssh", "-c", $"user.signingkey={key}.pub", "commit", "-q", "-S", "-m", message);
    }

    /// <summary>models/FROM copied to models/TO; with <paramref name="threshold"/>, the ONNX metadata value of appliance.threshold
    /// replaced in place by a number of the same length (the protobuf lengths stay right), and SHA256SUMS written again.</summary>
    private static void CopyModel(string work, string from, string to, double? threshold)
    {
        string source = Path.Combine(work, "models", from), target = Path.Combine(work, "models", to);
        Directory.CreateDirectory(target);
        foreach (string f in Directory.GetFiles(source))
        {
            File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        }

        if (threshold is { } t)
        {
            string onnx = Path.Combine(target, "model.onnx");
            byte[] bytes = File.ReadAllBytes(onnx);
            int key = bytes.AsSpan().IndexOf("appliance.threshold"u8);
            Assert.True(key > 0, "no appliance.threshold in the starter model");
            int at = key + "appliance.threshold".Length;
            Assert.Equal(0x12, bytes[at]); // StringStringEntryProto.value, field 2, length-delimited
            int length = bytes[at + 1];
            string text = t.ToString("0.0#####################", System.Globalization.CultureInfo.InvariantCulture).PadRight(length, '0')[..length];
            Encoding.ASCII.GetBytes(text).CopyTo(bytes, at + 2);
            File.WriteAllBytes(onnx, bytes);
        }

        WriteManifest(target);
    }

    private static void WriteManifest(string folder)
    {
        var lines = Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != "SHA256SUMS").Order(StringComparer.Ordinal)
            .Select(f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))) + "  " + Path.GetFileName(f));
        File.WriteAllText(Path.Combine(folder, "SHA256SUMS"), string.Join('\n', lines) + "\n");
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
