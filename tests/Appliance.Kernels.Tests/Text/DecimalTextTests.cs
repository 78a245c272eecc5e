namespace Appliance.Kernels.Tests.Text;

/// <summary>
/// <see cref="DecimalText.TryParse"/> against the BCL's correctly rounded parser (the reference implementation:
/// <c>double.TryParse</c>, IEEE 754 round-to-nearest-even since .NET Core 3.0), bit for bit.
/// </summary>
public class DecimalTextTests
{
    [Theory]
    [InlineData("73.967322688")] // NAB machine_temperature_system_failure.csv
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("42")]
    [InlineData("-12.5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("0.1")]
    [InlineData("0.3")]
    [InlineData("9007199254740992")] // 2^53: the largest mantissa on the fast path
    [InlineData("9007199254740993")] // 2^53 + 1: a halfway case, to the BCL (rounds to even, 2^53)
    [InlineData("900719925474099.3")]
    [InlineData("1234567890123456789")] // 19 digits, m > 2^53: to the BCL
    [InlineData("12345678901234567890.5")] // more than 19 digits
    [InlineData("0.0000000000000000000001")] // 10^-22, the smallest power on the fast path
    [InlineData("0.00000000000000000000001")] // 23 fraction digits: to the BCL
    [InlineData("1e5")]
    [InlineData("-2.5E-3")]
    [InlineData(" 7 ")]
    [InlineData("+3")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("NaN")]
    [InlineData("1.7976931348623157E+308")]
    [InlineData("4.9E-324")]
    public void TryParse_Number_SameDoubleAsBcl(string text)
    {
        bool expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double expected);

        bool ok = DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out double value);

        Assert.Equal(expectedOk, ok);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("1.2.3")]
    [InlineData("12a")]
    [InlineData("1,5")]
    [InlineData("--1")]
    public void TryParse_NotANumber_FalseLikeBcl(string text)
    {
        Assert.False(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

        Assert.False(DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void TryParse_RandomDecimals_BitIdenticalToBcl()
    {
        // 200,000 decimals of 1 to 19 digits with 0 to 22 of them after the point, and random signs (fixed seed): every
        // one on the fast path must give the BCL's double exactly (Clinger 1990: one correctly rounded division).
        var rng = new Random(20261129);
        var sb = new StringBuilder();
        int mismatches = 0;
        string first = "";
        for (int n = 0; n < 200_000; n++)
        {
            sb.Clear();
            if (rng.Next(2) == 0)
            {
                sb.Append('-');
            }

            int digits = rng.Next(1, 20);
            int fraction = rng.Next(0, Math.Min(digits, 22) + 1);
            for (int d = 0; d < digits; d++)
            {
                if (d == digits - fraction)
                {
                    sb.Append('.');
                }

                sb.Append((char)('0' + rng.Next(10)));
            }

            string text = sb.ToString();
            double expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            bool ok = DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out double value);
            if (!ok || BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(value))
            {
                mismatches++;
                first = first.Length == 0 ? text : first;
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} differ from double.Parse, first: {first}");
    }
}
