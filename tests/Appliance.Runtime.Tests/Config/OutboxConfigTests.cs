namespace Appliance.Runtime.Tests.Config;

public sealed class OutboxConfigTests
{
    private const string Body = TestToml.EnvSensorHead + TestToml.Tail + "\n";

    private static ApplianceConfig Parse(string outbox) => ConfigLoader.Parse(Body + outbox, "appliance.toml");

    [Fact]
    public void Parse_NoOutboxTable_DefaultsTo64MiBBudgetAnd8MiBReserve()
    {
        OutboxSettings o = Parse("").Outbox!;
        Assert.Equal(64L << 20, o.BudgetBytes);
        Assert.Equal(8L << 20, o.ReserveBytes);
    }

    [Fact]
    public void Parse_BudgetWithUnitAndReserveInBytes_ReadsBoth()
    {
        OutboxSettings o = Parse("[outbox]\nbudget = \"16MiB\"\nreserve = 524288\n").Outbox!;
        Assert.Equal(16L << 20, o.BudgetBytes);
        Assert.Equal(512L << 10, o.ReserveBytes);
    }

    [Theory]
    [InlineData("budget = \"1MiB\"", "[outbox] budget: '1MiB': must be between 4194304 and")]
    [InlineData("budget = \"lots\"", "[outbox] budget: 'lots' is not a size")]
    [InlineData("reserve = -1", "[outbox] reserve: -1: must be between 0 and")]
    [InlineData("budgt = 1", "[outbox] budgt: unknown key (expected one of: budget, reserve)")]
    public void Parse_BadOutboxKey_OneLineNamingFileLineAndKey(string line, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[outbox]\n" + line + "\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("appliance.toml:20", e.Message, StringComparison.Ordinal); // the key's line: Body ends on line 19 with [outbox]
        Assert.DoesNotContain('\n', e.Message);
    }
}
