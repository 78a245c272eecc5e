namespace Appliance.Runtime.Tests.Uplink;

public sealed class MemoryOutboxTests
{
    [Fact]
    public void Append_ThreeRecords_ReturnsOneBasedConsecutiveSequences()
    {
        var outbox = new MemoryOutbox(8, TimeSpan.Zero);

        Assert.Equal(1, outbox.Append([10]));
        Assert.Equal(2, outbox.Append([20]));
        Assert.Equal(3, outbox.Append([30]));
        Assert.Equal(3, outbox.HighestWritten);
        Assert.Equal(0, outbox.HighestAcknowledged);
    }

    [Fact]
    public void Acknowledge_OutOfOrder_HighWaterMarkIsHighestContiguous()
    {
        var outbox = new MemoryOutbox(8, TimeSpan.Zero);
        for (int i = 0; i < 4; i++)
        {
            outbox.Append([(byte)i]);
        }

        Assert.True(outbox.Acknowledge(2));
        Assert.True(outbox.Acknowledge(3));
        Assert.Equal(0, outbox.HighestAcknowledged); // 1 is missing

        Assert.True(outbox.Acknowledge(1));
        Assert.Equal(3, outbox.HighestAcknowledged);
        Assert.False(outbox.Acknowledge(2));  // repeat
        Assert.False(outbox.Acknowledge(99)); // never written
    }

    [Fact]
    public void ReadFrom_SomeAcknowledged_ReturnsOnlyUnacknowledgedInOrder()
    {
        var outbox = new MemoryOutbox(8, TimeSpan.Zero);
        for (int i = 1; i <= 5; i++)
        {
            outbox.Append([(byte)(i * 10)]);
        }

        outbox.Acknowledge(1);
        outbox.Acknowledge(3);
        var into = new List<(long Seq, byte[] Record)>();

        Assert.Equal(2, outbox.ReadFrom(1, 2, into));
        Assert.Equal([2L, 4L], into.Select(r => r.Seq));
        Assert.Equal([20, 40], into.Select(r => (int)r.Record[0]));
    }

    [Fact]
    public void Append_FullWithZeroTimeout_ThrowsAndCountsUntilAcknowledged()
    {
        var outbox = new MemoryOutbox(2, TimeSpan.Zero);
        outbox.Append([1]);
        outbox.Append([2]);

        var ex = Assert.Throws<OutboxFullException>(() => outbox.Append([3]));
        Assert.Contains("2 records unacknowledged", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, outbox.AppendRejections);
        Assert.Equal(1, outbox.AppendWaits);

        outbox.Acknowledge(1);
        Assert.Equal(3, outbox.Append([3]));
        var into = new List<(long Seq, byte[] Record)>();
        outbox.ReadFrom(1, 10, into);
        Assert.Equal([2L, 3L], into.Select(r => r.Seq)); // the ring slot of 1 was reused by 3, not confused
    }
}
