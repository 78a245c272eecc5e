namespace Appliance.Runtime.Tests.Config;

// Durations as the README's configuration reference writes them: a number and ms, s, m, h or d.
public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("15s", 15_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("36500d", 3_153_600_000_000)] // 100 years: the longest accepted
    public void TryParse_Valid_Milliseconds(string text, long ms)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("36501d", "longer than 36500d")] // beyond what window arithmetic in Unix nanoseconds may hold safely
    [InlineData("1000000d", "longer than 36500d")] // 2,740 years: overflowed the window's nanosecond length before
    [InlineData("0s", "positive")]
    [InlineData("5", "positive")]
    [InlineData("fast", "expected a number and a unit")]
    public void TryParse_Invalid_SaysWhy(string text, string expected)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
