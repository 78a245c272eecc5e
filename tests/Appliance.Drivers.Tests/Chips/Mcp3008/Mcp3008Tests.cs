namespace Appliance.Drivers.Tests.Chips.Mcp3008;

// Microchip DS21295D (MCP3004/3008 data sheet).
public sealed class Mcp3008Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    public void Read_SingleEnded_SendsThreeByteFrameOfFigure61(int channel)
    {
        // Figure 6-1 (8-bit segments): byte 0 = 0000 0001 (start bit), byte 1 = SGL/DIFF D2 D1 D0 xxxx = 1ccc 0000, byte 2 = dummy.
        var emulator = new Mcp3008Emulator(WaveformSignal.Constant(0, 0, 0, 0, 0, 0, 0, 0));
        using var sensor = new Mcp3008Sensor("adc", emulator, [channel]);
        Span<float> values = stackalloc float[1];
        Span<byte> frame = stackalloc byte[8];

        sensor.Read(values, out _);
        int length = emulator.LastRequest(frame);

        Assert.Equal(3, length);
        Assert.Equal(0x01, frame[0]);
        Assert.Equal(0x80 | (channel << 4), frame[1]);
    }

    [Fact]
    public void TransferFullDuplex_HalfReference_AnswersNullBitThenCode512MsbFirst()
    {
        // Equation 4-1: code = 1024 * V_IN / V_REF = 1024 * 1.65 / 3.3 = 512 = 10 0000 0000b. Figure 6-1: byte 1 carries the null
        // bit (bit 2, 0) and B9 B8 in bits 1..0, byte 2 carries B7..B0, so the answer is xx 02 00 and ((b1 & 3) << 8) | b2 = 512.
        var emulator = new Mcp3008Emulator(WaveformSignal.Constant(1.65), referenceVolts: 3.3);
        Span<byte> answer = stackalloc byte[3];

        emulator.TransferFullDuplex([0x01, 0x80, 0x00], answer);

        Assert.Equal(0, answer[1] & 0x04);
        Assert.Equal(512, ((answer[1] & 0x03) << 8) | answer[2]);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(3.3 / 1024, 1)]
    [InlineData(3.3, 1023)]
    [InlineData(5.0, 1023)]
    public void Code_Equation41_FloorAndSaturate(double volts, int expected)
    {
        // DS21295D equation 4-1 (code = floor(1024 * V_IN / V_REF)); the 10-bit output cannot exceed 1023, so V_IN >= V_REF saturates.
        Assert.Equal(expected, Mcp3008Emulator.Code(volts, 3.3));
    }

    [Fact]
    public void Read_TightLoopWithChangingInput_FollowsEveryChange()
    {
        // The known bug class kept returning the first conversion. Each read here is a new frame and a new conversion: a ramp of
        // 100 steps of 32 codes (0.103125 V at V_REF = 3.3 V) comes back step by step, as code * 3.3 / 1024 V.
        var signal = new WaveformSignal();
        var emulator = new Mcp3008Emulator(signal);
        using var sensor = new Mcp3008Sensor("adc", emulator, [2]);
        Span<float> values = stackalloc float[1];

        for (int step = 0; step < 32; step++)
        {
            int code = step * 32;
            signal.Set(2, (code + 0.5) * 3.3 / 1024);
            Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
            Assert.Equal((float)(code * 3.3 / 1024), values[0]);
        }

        Assert.Equal(33, emulator.ConversionCount); // one for Open's check, then one per read
    }

    [Fact]
    public void TransferFullDuplex_PseudoDifferential_Table52PairsAndPolarity()
    {
        // Table 5-2: SGL/DIFF = 0, D2..D0 = 000 -> CH0 = IN+, CH1 = IN-; 001 -> CH0 = IN-, CH1 = IN+ (negative differences read 0).
        var emulator = new Mcp3008Emulator(WaveformSignal.Constant(2.0, 0.35), referenceVolts: 3.3);
        Span<byte> answer = stackalloc byte[3];

        emulator.TransferFullDuplex([0x01, 0x00, 0x00], answer);
        int plus = ((answer[1] & 0x03) << 8) | answer[2];
        emulator.TransferFullDuplex([0x01, 0x10, 0x00], answer);
        int minus = ((answer[1] & 0x03) << 8) | answer[2];

        Assert.Equal((int)Math.Floor(1024 * 1.65 / 3.3), plus);
        Assert.Equal(0, minus);
    }

    [Fact]
    public void Read_NullBitFlipped_IsAFaultNotAValue()
    {
        // A corrupted frame whose null bit reads 1 must not be decoded as data: the binding rejects it and the sensor counts it.
        var emulator = new Mcp3008Emulator(WaveformSignal.Constant(1.0));
        using var sensor = new Mcp3008Sensor("adc", emulator, [0]);
        Span<float> values = stackalloc float[1];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        emulator.Faults.FlipRegister = 1;
        emulator.Faults.FlipMask = 0x04;
        emulator.Faults.Set(BusFaultKind.BitFlip, true);

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Equal(1, sensor.FaultCount);
    }

    [Fact]
    public void Read_Timeout_IsAFaultAfterTheDelay()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Mcp3008Emulator(WaveformSignal.Constant(1.0), clock: clock);
        using var sensor = new Mcp3008Sensor("adc", emulator, [0], clock: clock);
        Span<float> values = stackalloc float[1];
        sensor.Read(values, out _);
        emulator.Faults.TimeoutDelay = TimeSpan.FromMilliseconds(25);
        emulator.Faults.InjectTimeout(1);
        TimeSpan before = clock.Elapsed;

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(25), clock.Elapsed - before);
        Assert.Contains("timed out", sensor.LastFault, StringComparison.Ordinal);
    }
}
