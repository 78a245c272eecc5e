namespace Appliance.Runtime.Tests.Uplink;

/// <summary>
/// Issue 16 item 7: with the collector down the uplink logged "resending" at every resend (every 2 s); now one line when it
/// starts, a summary a minute while it goes on, one line when acknowledgements resume.
/// </summary>
public sealed class ResendLogTests
{
    private sealed class Lines : ILogger
    {
        public List<(LogLevel Level, int EventId, string Text)> Logged { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Logged.Add((logLevel, eventId.Id, formatter(state, exception)));
    }

    [Fact]
    public void Resend_ManyWithinAMinuteThenProgress_OneLineEachStateChange()
    {
        var lines = new Lines();
        var log = new ResendLog(lines);
        for (int i = 0; i < 30; i++)
        {
            log.Resend(118, 2000 + i);
        }

        var start = Assert.Single(lines.Logged);
        Assert.Equal((LogLevel.Warning, 6102), (start.Level, start.EventId));
        Assert.StartsWith("uplink resending from sequence 118: no acknowledgement for 2000 ms", start.Text, StringComparison.Ordinal);

        log.Progress();
        log.Progress(); // progress without resends logs nothing
        Assert.Equal(2, lines.Logged.Count);
        Assert.Equal(6107, lines.Logged[1].EventId);
        Assert.StartsWith("uplink acknowledgements resumed after 30 resends", lines.Logged[1].Text, StringComparison.Ordinal);

        log.Resend(200, 2000); // a new spell starts with its own line
        Assert.Equal(6102, lines.Logged[2].EventId);
    }
}
