namespace Appliance.Aot.Tests;

/// <summary>
/// Issue 20 item 8, binary size: the device-only binary (<c>./build.sh device-only</c>, <c>out/device/appliance</c>: no
/// cloud side, no offline tools; the binary a board runs) is at most 20 MB (20,000,000 bytes), and it still runs its
/// self-test, whose bme280 check reads the datasheet example through <c>Bme280Sensor</c> (the path that no longer takes
/// UnitsNet's unit properties, docs/footprint.md). <c>./build.sh test</c> publishes it before the tests; under CI=true a
/// missing binary fails, elsewhere the tests return early with the reason.
/// </summary>
public sealed class FootprintTests(ITestOutputHelper output)
{
    /// <summary>The goal of issue 20 item 8, in bytes (decimal megabytes).</summary>
    private const long MaxDeviceBinaryBytes = 20_000_000;

    private static string DeviceBinary => Path.Combine(PublishedBinary.RepositoryRoot, "out", "device", "appliance");

    [Fact]
    public void DeviceBinary_Published_AtMost20MB()
    {
        if (!DeviceBinaryPresent())
        {
            return;
        }

        long bytes = new FileInfo(DeviceBinary).Length;
        output.WriteLine($"{DeviceBinary}: {bytes} bytes");
        Assert.True(bytes <= MaxDeviceBinaryBytes, $"{DeviceBinary} is {bytes} bytes, over the {MaxDeviceBinaryBytes} of issue 20 item 8: see docs/footprint.md (perf/scripts/ilc-map-sizes.py says which assembly grew)");
    }

    [Fact]
    public void DeviceBinary_SelfTest_EveryCheckPasses()
    {
        if (!DeviceBinaryPresent())
        {
            return;
        }

        var (code, stdout, stderr) = PublishedBinary.RunCopy(DeviceBinary, TimeSpan.FromSeconds(120), "selftest");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("bme280", stdout, StringComparison.Ordinal);
        Assert.Contains("selftest: all ok", stdout, StringComparison.Ordinal);
    }

    private bool DeviceBinaryPresent()
    {
        if (File.Exists(DeviceBinary))
        {
            return true;
        }

        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"{DeviceBinary} not found: ./build.sh test must publish it (./build.sh device-only) before the tests");
        output.WriteLine($"{DeviceBinary} not found and not in CI: the device binary's tests are not run (publish it with ./build.sh device-only)");
        return false;
    }
}
