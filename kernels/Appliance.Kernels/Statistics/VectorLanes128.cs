using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>The window kernel's vector operations on Vector128 (4 float or 2 double lanes); see <see cref="IVectorLanes{TFloat, TDouble}"/>.</summary>
internal readonly struct VectorLanes128 : IVectorLanes<Vector128<float>, Vector128<double>>
{
    public static int FloatCount => Vector128<float>.Count;

    public static int DoubleCount => Vector128<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Create(double value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Load(ref double source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Add(Vector128<double> a, Vector128<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Subtract(Vector128<double> a, Vector128<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Multiply(Vector128<double> a, Vector128<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Min(Vector128<double> a, Vector128<double> b) => Vector128.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Max(Vector128<double> a, Vector128<double> b) => Vector128.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IsNumber(Vector128<float> x) => Vector128.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> IsNumber(Vector128<double> x) => Vector128.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Select(Vector128<double> mask, Vector128<double> a, Vector128<double> b) => Vector128.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> And(Vector128<double> a, Vector128<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector128<float> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector128<double> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector128<float> x) => Vector128.LessThan(x, Vector128<float>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector128<double> x) => Vector128.LessThan(x, Vector128<double>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNumbers(Vector128<float> x) => Vector128.EqualsAll(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> WidenSum(Vector128<float> x)
    {
        (Vector128<double> lower, Vector128<double> upper) = Vector128.Widen(x);
        return lower + upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<double> Lower, Vector128<double> Upper) Widen(Vector128<float> x) => Vector128.Widen(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector128<double> x) => Vector128.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lane(Vector128<float> x, int j) => x.GetElement(j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Lane(Vector128<double> x, int j) => x.GetElement(j);
}
