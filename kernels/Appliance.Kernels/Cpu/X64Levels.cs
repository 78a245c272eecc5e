using System.Runtime.Intrinsics.X86;

namespace Appliance.Kernels.Cpu;

/// <summary>
/// The x86-64 micro-architecture levels (x86-64 psABI 1.0, section 3.1.1 "Micro-architecture levels", table 3.1) of this CPU
/// and of the code this process runs, so that a binary built for the x86-64-v2 baseline can hand over to an image of the same
/// program built for x86-64-v3 or -v4 (see <c>docs/x86-64-levels.md</c>).
/// </summary>
/// <remarks>
/// <para>Native AOT fixes the vector ISA at compile time: with an x86-64-v2 baseline, <c>Avx2.IsSupported</c>,
/// <c>Vector256.IsHardwareAccelerated</c> and <c>Vector512.IsHardwareAccelerated</c> are constants (false), because ILC never
/// adds VEX-encoded instruction sets to its opportunistic set unless AVX is in the baseline (dotnet/runtime
/// <c>src/coreclr/tools/Common/InstructionSetHelpers.cs</c>, .NET 10), and even an x86-64-v3 image never lights up AVX-512.
/// So the choice of width is made per image, at process start, from CPUID.</para>
/// <para>CPUID bits (Intel SDM vol. 2A, CPUID, tables 3-10 and 3-11 and leaf 07H; AMD APM vol. 3, appendix E):
/// leaf 1 ECX: SSE3 0, SSSE3 9, FMA 12, CMPXCHG16B 13, SSE4.1 19, SSE4.2 20, MOVBE 22, POPCNT 23, OSXSAVE 27, AVX 28,
/// F16C 29; leaf 7 sub-leaf 0 EBX: BMI1 3, AVX2 5, BMI2 8, AVX512F 16, AVX512DQ 17, AVX512CD 28, AVX512BW 30, AVX512VL 31;
/// leaf 8000_0001H ECX: LAHF/SAHF 0, LZCNT 5. OSXSAVE (the OS saves the extended state) stands in for the XGETBV check of
/// YMM/ZMM state, which .NET does not expose; Linux enables every state component the CPU reports.</para>
/// </remarks>
public static class X64Levels
{
    private const uint Level2Leaf1 = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 23);
    private const uint Level3Leaf1 = (1u << 12) | (1u << 22) | (1u << 27) | (1u << 28) | (1u << 29);
    private const uint Level3Leaf7 = (1u << 3) | (1u << 5) | (1u << 8);
    private const uint Level4Leaf7 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
    private const uint Level2Ext1 = 1u << 0;
    private const uint Level3Ext1 = 1u << 5;

    /// <summary>The level of this CPU (1 to 4), from CPUID; 0 when the process does not run x86-64 code.</summary>
    public static int Cpu { get; } = DetectCpu();

    /// <summary>
    /// The level the running code was compiled for: in a Native AOT image its instruction-set baseline (x86-64-v2 for
    /// <c>out/appliance</c>, 3 for <c>appliance-x86-64-v3</c>), under the JIT the CPU's own; 0 when not x86-64.
    /// </summary>
    public static int Compiled =>
        Avx512F.IsSupported && Avx512BW.IsSupported ? 4
        : Avx2.IsSupported ? 3
        : Sse42.IsSupported && Popcnt.IsSupported ? 2
        : X86Base.IsSupported ? 1
        : 0;

    /// <summary>The level name as the psABI and Native AOT's <c>IlcInstructionSet</c> write it.</summary>
    /// <param name="level">1 to 4.</param>
    /// <returns><c>x86-64</c> for 1, <c>x86-64-v2</c> to <c>x86-64-v4</c>; <c>none</c> for 0.</returns>
    public static string Name(int level) => level switch
    {
        0 => "none",
        1 => "x86-64",
        _ => $"x86-64-v{level}",
    };

    /// <summary>The level that CPUID registers describe (psABI table 3.1; bit positions in the remarks).</summary>
    /// <param name="leaf1Ecx">ECX of CPUID leaf 1.</param>
    /// <param name="leaf7Ebx">EBX of CPUID leaf 7, sub-leaf 0 (0 when the CPU has no leaf 7).</param>
    /// <param name="ext1Ecx">ECX of CPUID leaf 8000_0001H (0 when absent).</param>
    /// <returns>1 to 4: the highest level all of whose features are present, each lower level's included.</returns>
    public static int FromCpuid(uint leaf1Ecx, uint leaf7Ebx, uint ext1Ecx)
    {
        if ((leaf1Ecx & Level2Leaf1) != Level2Leaf1 || (ext1Ecx & Level2Ext1) == 0)
        {
            return 1;
        }

        if ((leaf1Ecx & Level3Leaf1) != Level3Leaf1 || (leaf7Ebx & Level3Leaf7) != Level3Leaf7 || (ext1Ecx & Level3Ext1) == 0)
        {
            return 2;
        }

        return (leaf7Ebx & Level4Leaf7) == Level4Leaf7 ? 4 : 3;
    }

    private static int DetectCpu()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }

        int maxLeaf = X86Base.CpuId(0, 0).Eax;
        int maxExtended = X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
        uint leaf1Ecx = (uint)X86Base.CpuId(1, 0).Ecx;
        uint leaf7Ebx = maxLeaf >= 7 ? (uint)X86Base.CpuId(7, 0).Ebx : 0;
        uint ext1Ecx = (uint)maxExtended >= 0x80000001u ? (uint)X86Base.CpuId(unchecked((int)0x80000001), 0).Ecx : 0;
        return FromCpuid(leaf1Ecx, leaf7Ebx, ext1Ecx);
    }
}
