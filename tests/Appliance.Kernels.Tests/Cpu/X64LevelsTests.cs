using Appliance.Kernels.Cpu;

namespace Appliance.Kernels.Tests.Cpu;

/// <summary>
/// <see cref="X64Levels.FromCpuid"/> against the x86-64 psABI's level table (psABI 1.0, 3.1.1, table 3.1), with CPUID bit
/// positions from the Intel SDM vol. 2A (CPUID leaf 1 ECX, leaf 07H EBX, leaf 8000_0001H ECX) and the feature lists of
/// QEMU's CPU models (target/i386/cpu.c: Nehalem, Haswell, Skylake-Server).
/// </summary>
public sealed class X64LevelsTests
{
    // Leaf 1 ECX.
    private const uint Sse3 = 1u << 0, Ssse3 = 1u << 9, Fma = 1u << 12, Cx16 = 1u << 13, Sse41 = 1u << 19, Sse42 = 1u << 20;
    private const uint Movbe = 1u << 22, Popcnt = 1u << 23, OsXsave = 1u << 27, Avx = 1u << 28, F16c = 1u << 29;

    // Leaf 7 EBX.
    private const uint Bmi1 = 1u << 3, Avx2 = 1u << 5, Bmi2 = 1u << 8, Avx512F = 1u << 16, Avx512Dq = 1u << 17;
    private const uint Avx512Cd = 1u << 28, Avx512Bw = 1u << 30, Avx512Vl = 1u << 31;

    // Leaf 8000_0001H ECX.
    private const uint LahfLm = 1u << 0, Lzcnt = 1u << 5;

    private const uint NehalemLeaf1 = Sse3 | Ssse3 | Cx16 | Sse41 | Sse42 | Popcnt;
    private const uint HaswellLeaf1 = NehalemLeaf1 | Fma | Movbe | OsXsave | Avx | F16c;
    private const uint HaswellLeaf7 = Bmi1 | Avx2 | Bmi2;
    private const uint SkylakeServerLeaf7 = HaswellLeaf7 | Avx512F | Avx512Dq | Avx512Cd | Avx512Bw | Avx512Vl;

    [Fact]
    public void Nehalem_IsLevel2() => Assert.Equal(2, X64Levels.FromCpuid(NehalemLeaf1, 0, LahfLm));

    [Fact]
    public void Haswell_IsLevel3() => Assert.Equal(3, X64Levels.FromCpuid(HaswellLeaf1, HaswellLeaf7, LahfLm | Lzcnt));

    [Fact]
    public void SkylakeServer_IsLevel4() => Assert.Equal(4, X64Levels.FromCpuid(HaswellLeaf1, SkylakeServerLeaf7, LahfLm | Lzcnt));

    [Fact]
    public void Core2_WithoutSse42_IsLevel1() => Assert.Equal(1, X64Levels.FromCpuid(Sse3 | Ssse3 | Cx16 | Sse41, 0, LahfLm));

    [Theory]
    [InlineData(OsXsave)] // the OS does not save YMM state: AVX code would fault
    [InlineData(Fma)]
    [InlineData(Movbe)]
    [InlineData(F16c)]
    [InlineData(Avx)]
    public void Level3_MissingALeaf1Feature_IsLevel2(uint missing) =>
        Assert.Equal(2, X64Levels.FromCpuid(HaswellLeaf1 & ~missing, SkylakeServerLeaf7, LahfLm | Lzcnt));

    [Fact]
    public void Level3_WithoutLzcnt_IsLevel2() => Assert.Equal(2, X64Levels.FromCpuid(HaswellLeaf1, HaswellLeaf7, LahfLm));

    [Theory]
    [InlineData(Bmi1)]
    [InlineData(Avx2)]
    [InlineData(Bmi2)]
    public void Level3_MissingALeaf7Feature_IsLevel2(uint missing) =>
        Assert.Equal(2, X64Levels.FromCpuid(HaswellLeaf1, HaswellLeaf7 & ~missing, LahfLm | Lzcnt));

    [Fact]
    public void Avx512F_WithoutVl_IsLevel3() =>
        Assert.Equal(3, X64Levels.FromCpuid(HaswellLeaf1, SkylakeServerLeaf7 & ~Avx512Vl, LahfLm | Lzcnt));

    [Fact]
    public void Names_AreThePsAbiNames()
    {
        Assert.Equal("x86-64", X64Levels.Name(1));
        Assert.Equal("x86-64-v2", X64Levels.Name(2));
        Assert.Equal("x86-64-v4", X64Levels.Name(4));
    }

    [Fact]
    public void UnderTheJit_TheCompiledLevelIsTheCpusOwn()
    {
        // The JIT compiles for the machine it runs on, so the two agree here (in a Native AOT image Compiled is its baseline).
        Assert.Equal(X64Levels.Cpu, X64Levels.Compiled);
    }
}
