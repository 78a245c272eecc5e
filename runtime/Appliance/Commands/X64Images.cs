using System.Runtime.InteropServices;
using Appliance.Kernels.Cpu;

namespace Appliance.Commands;

/// <summary>
/// Start-up dispatch between images of this program built for different x86-64 levels. <c>out/appliance</c> is built for
/// x86-64-v2 (SSE4.2, 128-bit vectors), so it starts on any x86-64 CPU of the last fifteen years; <c>./build.sh publish</c>
/// also builds <c>appliance-x86-64-v3</c> (AVX2, FMA, 256-bit vectors) beside it, and <c>-v4</c> (AVX-512) when asked
/// for. Before anything else, the baseline image replaces itself (<c>execv</c>, same process id, arguments and
/// environment) with the highest image beside it that this CPU runs. Why not one image: <see cref="X64Levels"/>.
/// </summary>
/// <remarks>
/// <c>APPLIANCE_X64_LEVEL=x86-64-v2</c> (or <c>2</c>, <c>3</c>, <c>4</c>) caps the level chosen, to run the baseline's code
/// on a newer CPU (the benchmark comparison in <c>perf/scripts/bench-kernels-cpus.sh</c>). A failed <c>execv</c> is reported
/// on stderr in one line and the baseline's code runs on: a slower device, never a stopped one.
/// </remarks>
internal static class X64Images
{
    /// <summary>The environment variable that caps the level (see the remarks).</summary>
    public const string LevelVariable = "APPLIANCE_X64_LEVEL";

    /// <summary>
    /// Replaces this process with a higher-level image beside the executable when the CPU runs one; returns when this image
    /// is the one to run.
    /// </summary>
    /// <param name="args">The command-line arguments (without the program name).</param>
    /// <returns><see cref="ExitCodes.Ok"/> to go on, or <see cref="ExitCodes.BadInput"/> when <see cref="LevelVariable"/> is malformed (one line on stderr).</returns>
    public static int ExecBest(string[] args)
    {
        int own = X64Levels.Compiled;
        if (!OperatingSystem.IsLinux() || own == 0 || Environment.ProcessPath is not { } self)
        {
            return ExitCodes.Ok;
        }

        int cap = 4;
        string? text = Environment.GetEnvironmentVariable(LevelVariable);
        if (!string.IsNullOrEmpty(text) && !TryParseLevel(text, out cap))
        {
            Console.Error.WriteLine($"appliance: {LevelVariable}={text}: expected x86-64-v2, x86-64-v3 or x86-64-v4 (or 2, 3, 4)");
            return ExitCodes.BadInput;
        }

        for (int level = Math.Min(X64Levels.Cpu, cap); level > own; level--)
        {
            string image = self + "-" + X64Levels.Name(level);
            if (File.Exists(image))
            {
                int errno = Exec(image, args);
                Console.Error.WriteLine($"appliance: could not start {image} ({Marshal.GetPInvokeErrorMessage(errno)}); running the {X64Levels.Name(own)} code");
                return ExitCodes.Ok;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Parses <c>x86-64-vN</c> or <c>N</c> for N = 2, 3, 4.</summary>
    internal static bool TryParseLevel(string text, out int level)
    {
        string digits = text.StartsWith("x86-64-v", StringComparison.Ordinal) ? text["x86-64-v".Length..] : text;
        level = digits switch { "2" => 2, "3" => 3, "4" => 4, _ => 0 };
        return level != 0;
    }

    /// <summary>execv(2) with argv[0] kept as this process was given it (help and usage lines name the same program).</summary>
    /// <returns>errno: execv returns only when it failed.</returns>
    private static int Exec(string image, string[] args)
    {
        string argv0 = Environment.GetCommandLineArgs() is [var first, ..] ? first : image;
        var argv = new nint[args.Length + 2];
        nint path = Marshal.StringToCoTaskMemUTF8(image);
        try
        {
            argv[0] = Marshal.StringToCoTaskMemUTF8(argv0);
            for (int i = 0; i < args.Length; i++)
            {
                argv[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
            }

            Console.Out.Flush();
            Console.Error.Flush();
            Execv(path, argv);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
            foreach (nint p in argv)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    [DllImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static extern int Execv(nint path, nint[] argv);
}
