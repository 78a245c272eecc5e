namespace Appliance.Kernels.Tests.Statistics;

/// <summary>The kernel paths this machine can run: scalar (0) and each accelerated vector width.</summary>
internal static class Widths
{
    public static IEnumerable<int> Available()
    {
        yield return 0;
        if (Vector128.IsHardwareAccelerated)
        {
            yield return 128;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            yield return 256;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            yield return 512;
        }
    }
}
