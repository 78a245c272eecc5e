using Appliance.Runtime.Pipeline;

namespace Appliance.Runtime.Tests.Pipeline;

public sealed class SampleRingTests
{
    [Fact]
    public void TryWrite_Full_CountsOverrunAndKeepsOldest()
    {
        var ring = new SampleRing(4, 2);
        for (var i = 0; i < 6; i++)
        {
            ring.TryWrite(i, [i, -i]);
        }

        // Capacity 4: samples 4 and 5 are refused and counted; 0..3 are kept in order.
        Assert.Equal(2, ring.Overruns);
        Span<float> v = stackalloc float[2];
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out var ts, v));
            Assert.Equal(i, ts);
            Assert.Equal(-i, v[1]);
        }

        Assert.False(ring.TryRead(out _, v));
    }

    [Fact]
    public void TryRead_ConcurrentProducer_SeesEverySampleInOrder()
    {
        const int n = 200_000;
        var ring = new SampleRing(1024, 1);
        var producer = new Thread(() =>
        {
            for (var i = 0; i < n; i++)
            {
                ring.WaitForSpace(CancellationToken.None);
                Assert.True(ring.TryWrite(i, [i]));
            }
        });
        producer.Start();
        Span<float> v = stackalloc float[1];
        long expected = 0;
        while (expected < n)
        {
            if (ring.TryRead(out var ts, v))
            {
                Assert.Equal(expected, ts);
                Assert.Equal((float)expected, v[0]);
                expected++;
            }
            else
            {
                ring.WaitForData(TimeSpan.FromMilliseconds(10));
            }
        }

        producer.Join();
        Assert.Equal(0, ring.Overruns);
    }
}
