using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>The window kernel's vector operations on Vector256 (8 float or 4 double lanes); see <see cref="IVectorLanes{TFloat, TDouble}"/>.</summary>
internal readonly struct VectorLanes256 : IVectorLanes<Vector256<float>, Vector256<double>>
{
    public static int FloatCount => Vector256<float>.Count;

    public static int DoubleCount => Vector256<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Create(double value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Vector256.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IsNumber(Vector256<float> x) => Vector256.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> IsNumber(Vector256<double> x) => Vector256.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector256<float> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector256<double> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector256<float> x) => Vector256.LessThan(x, Vector256<float>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector256<double> x) => Vector256.LessThan(x, Vector256<double>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNumbers(Vector256<float> x) => Vector256.EqualsAll(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WidenSum(Vector256<float> x)
    {
        (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(x);
        return lower + upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double> Lower, Vector256<double> Upper) Widen(Vector256<float> x) => Vector256.Widen(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector256<double> x) => Vector256.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lane(Vector256<float> x, int j) => x.GetElement(j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Lane(Vector256<double> x, int j) => x.GetElement(j);
}
