using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>
/// The vector operations of the window kernel's loops at one vector width: float lanes (<typeparamref name="TFloat"/>)
/// and double lanes (<typeparamref name="TDouble"/>) of the same register size. An operator struct in the style of
/// TensorPrimitives (dotnet/runtime, System.Numerics.Tensors: <c>IAggregationOperator</c> with its Vector128/256/512
/// <c>Invoke</c>s): each loop of <see cref="WindowStatistics"/> is written once, generic over a struct implementing this,
/// and the compiler gives each width its own code with these calls inlined (a struct type argument is never shared).
/// </summary>
/// <typeparam name="TFloat">The float vector type (Vector128/256/512 of float).</typeparam>
/// <typeparam name="TDouble">The double vector type of the same size.</typeparam>
internal interface IVectorLanes<TFloat, TDouble>
    where TFloat : struct
    where TDouble : struct
{
    /// <summary>Float lanes per vector (4, 8 or 16).</summary>
    static abstract int FloatCount { get; }

    /// <summary>Double lanes per vector (2, 4 or 8).</summary>
    static abstract int DoubleCount { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TFloat Create(float value);

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TDouble Create(double value);

    /// <summary>The vector at <c>source[index]</c>; the caller keeps it inside the span.</summary>
    static abstract TFloat Load(ref float source, nuint index);

    /// <summary>The vector at <c>source[index]</c>; the caller keeps it inside the span.</summary>
    static abstract TDouble Load(ref double source, nuint index);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TFloat Add(TFloat a, TFloat b);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TDouble Add(TDouble a, TDouble b);

    /// <summary>Lane-wise a - b.</summary>
    static abstract TFloat Subtract(TFloat a, TFloat b);

    /// <summary>Lane-wise a - b.</summary>
    static abstract TDouble Subtract(TDouble a, TDouble b);

    /// <summary>Lane-wise a · b.</summary>
    static abstract TFloat Multiply(TFloat a, TFloat b);

    /// <summary>Lane-wise a · b.</summary>
    static abstract TDouble Multiply(TDouble a, TDouble b);

    /// <summary>Lane-wise a · b + c, fused (one rounding) where the machine has FMA, else two roundings.</summary>
    static abstract TFloat MultiplyAdd(TFloat a, TFloat b, TFloat c);

    /// <summary>Lane-wise a · b + c, fused (one rounding) where the machine has FMA, else two roundings.</summary>
    static abstract TDouble MultiplyAdd(TDouble a, TDouble b, TDouble c);

    /// <summary>Lane-wise minimum with the platform's NaN and signed-zero behaviour (callers keep NaN out).</summary>
    static abstract TFloat Min(TFloat a, TFloat b);

    /// <summary>Lane-wise minimum with the platform's NaN and signed-zero behaviour (callers keep NaN out).</summary>
    static abstract TDouble Min(TDouble a, TDouble b);

    /// <summary>Lane-wise maximum with the platform's NaN and signed-zero behaviour (callers keep NaN out).</summary>
    static abstract TFloat Max(TFloat a, TFloat b);

    /// <summary>Lane-wise maximum with the platform's NaN and signed-zero behaviour (callers keep NaN out).</summary>
    static abstract TDouble Max(TDouble a, TDouble b);

    /// <summary>All-ones lanes where x is a number (x == x; NaN != NaN, IEEE 754 §5.11), zero lanes where it is NaN.</summary>
    static abstract TFloat IsNumber(TFloat x);

    /// <summary>All-ones lanes where x is a number (x == x; NaN != NaN, IEEE 754 §5.11), zero lanes where it is NaN.</summary>
    static abstract TDouble IsNumber(TDouble x);

    /// <summary>Lane-wise mask ? a : b, for a mask of all-ones or zero lanes.</summary>
    static abstract TFloat Select(TFloat mask, TFloat a, TFloat b);

    /// <summary>Lane-wise mask ? a : b, for a mask of all-ones or zero lanes.</summary>
    static abstract TDouble Select(TDouble mask, TDouble a, TDouble b);

    /// <summary>Bitwise a AND b.</summary>
    static abstract TFloat And(TFloat a, TFloat b);

    /// <summary>Bitwise a AND b.</summary>
    static abstract TDouble And(TDouble a, TDouble b);

    /// <summary>Bit j set when lane j of the mask has its top bit set.</summary>
    static abstract ulong Bits(TFloat mask);

    /// <summary>Bit j set when lane j of the mask has its top bit set.</summary>
    static abstract ulong Bits(TDouble mask);

    /// <summary>Bit j set when lane j is less than zero (false for NaN and for -0).</summary>
    static abstract ulong NegativeBits(TFloat x);

    /// <summary>Bit j set when lane j is less than zero (false for NaN and for -0).</summary>
    static abstract ulong NegativeBits(TDouble x);

    /// <summary>Whether every lane is a number (no NaN).</summary>
    static abstract bool AllNumbers(TFloat x);

    /// <summary>The float lanes widened to double and added pairwise: lanes j and j + DoubleCount of x, in double.</summary>
    static abstract TDouble WidenSum(TFloat x);

    /// <summary>The lower and upper halves of x widened to double (exact).</summary>
    static abstract (TDouble Lower, TDouble Upper) Widen(TFloat x);

    /// <summary>Sum of the lanes, in the platform's reduction order.</summary>
    static abstract double Sum(TDouble x);

    /// <summary>Lane j of x.</summary>
    static abstract float Lane(TFloat x, int j);

    /// <summary>Lane j of x.</summary>
    static abstract double Lane(TDouble x, int j);
}
