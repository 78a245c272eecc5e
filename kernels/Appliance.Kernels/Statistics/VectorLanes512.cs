using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>The window kernel's vector operations on Vector512 (16 float or 8 double lanes); see <see cref="IVectorLanes{TFloat, TDouble}"/>.</summary>
internal readonly struct VectorLanes512 : IVectorLanes<Vector512<float>, Vector512<double>>
{
    public static int FloatCount => Vector512<float>.Count;

    public static int DoubleCount => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Create(double value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Load(ref double source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Min(Vector512<double> a, Vector512<double> b) => Vector512.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Vector512.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IsNumber(Vector512<float> x) => Vector512.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> IsNumber(Vector512<double> x) => Vector512.Equals(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Select(Vector512<double> mask, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector512<float> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(Vector512<double> mask) => mask.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector512<float> x) => Vector512.LessThan(x, Vector512<float>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NegativeBits(Vector512<double> x) => Vector512.LessThan(x, Vector512<double>.Zero).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllNumbers(Vector512<float> x) => Vector512.EqualsAll(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WidenSum(Vector512<float> x)
    {
        (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(x);
        return lower + upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<double> Lower, Vector512<double> Upper) Widen(Vector512<float> x) => Vector512.Widen(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector512<double> x) => Vector512.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lane(Vector512<float> x, int j) => x.GetElement(j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Lane(Vector512<double> x, int j) => x.GetElement(j);
}
