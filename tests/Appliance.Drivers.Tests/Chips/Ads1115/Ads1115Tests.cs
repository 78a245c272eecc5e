namespace Appliance.Drivers.Tests.Chips.Ads1115;

// TI SBAS444D (ADS111x data sheet). These tests run on the system clock: the Iot.Device.Bindings driver busy-waits in real time
// for OS = 1, so the emulator's 1/860 s conversions must elapse in real time too (each read takes about 1.2 ms).
public sealed class Ads1115Tests
{
    public static TheoryData<InputMultiplexer> AllInputs => new()
    {
        InputMultiplexer.AIN0, InputMultiplexer.AIN1, InputMultiplexer.AIN2, InputMultiplexer.AIN3,
        InputMultiplexer.AIN0_AIN1, InputMultiplexer.AIN0_AIN3, InputMultiplexer.AIN1_AIN3, InputMultiplexer.AIN2_AIN3,
    };

    [Theory]
    [MemberData(nameof(AllInputs))]
    public void Read_PositiveFullScaleOnEveryMux_Reads4096Times32767Over32768(InputMultiplexer mux)
    {
        // SBAS444D 8.3.3 table 3: an input >= +FS(2^15 - 1)/2^15 gives 0x7FFF, and the LSB is FS/2^15, so 0x7FFF reads
        // +4.096 * 32767/32768 V = 4.095875 V at ±4.096 V - differential settings included (the bug class divided them by 65535).
        // AIN0..AIN2 at +5 V and AIN3 at 0 V put every MUX setting (AINp - AINn, or AINx - GND) above +FS, except AIN3 alone
        // and AIN0-AIN1, which get their own inputs below.
        var signal = PositiveOver(mux);
        using var sensor = new Ads1115Sensor("adc", new Ads1115Emulator(signal), [mux]);
        Span<float> values = stackalloc float[1];

        SampleStatus status = sensor.Read(values, out _);

        Assert.Equal(SampleStatus.Ok, status);
        Assert.Equal(4.096 * 32767 / 32768, values[0], 6);
    }

    [Theory]
    [InlineData(InputMultiplexer.AIN0_AIN1)]
    [InlineData(InputMultiplexer.AIN0_AIN3)]
    [InlineData(InputMultiplexer.AIN1_AIN3)]
    [InlineData(InputMultiplexer.AIN2_AIN3)]
    public void Read_NegativeFullScaleDifferential_ReadsMinus4096(InputMultiplexer mux)
    {
        // SBAS444D table 3: an input <= -FS gives 0x8000, which reads -4.096 V exactly (not -4.096 * 32768/32767, and not
        // divided by 65535).
        var signal = WaveformSignal.Constant(0, 0, 0, 5);
        if (mux == InputMultiplexer.AIN0_AIN1)
        {
            signal = WaveformSignal.Constant(0, 5, 0, 0);
        }

        using var sensor = new Ads1115Sensor("adc", new Ads1115Emulator(signal), [mux]);
        Span<float> values = stackalloc float[1];

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.Equal(-4.096, values[0], 6);
    }

    [Fact]
    public void Volts_FullScaleCodes_MatchTable3()
    {
        // SBAS444D 8.3.3 table 3 at FS = 4.096 V: 0x7FFF -> FS(2^15-1)/2^15, 0x0001 -> FS/2^15 = 125 uV, 0xFFFF -> -125 uV, 0x8000 -> -FS.
        Assert.Equal(4.096 * 32767 / 32768, Ads1115Sensor.Volts(0x7FFF, 4.096), 12);
        Assert.Equal(125e-6, Ads1115Sensor.Volts(1, 4.096), 12);
        Assert.Equal(-125e-6, Ads1115Sensor.Volts(-1, 4.096), 12);
        Assert.Equal(-4.096, Ads1115Sensor.Volts(short.MinValue, 4.096), 12);
    }

    [Fact]
    public void Read_TwoInputsInOneSample_EachGetsItsOwnConversion()
    {
        // 1.000 V on AIN0 and 2.500 V on AIN1 at ±4.096 V: codes round(1.0 * 32768 / 4.096) = 8000 and 20000 (table 3's LSB
        // of 125 uV), so the volts come back exactly; the second channel is not the first's value left in the conversion register.
        var emulator = new Ads1115Emulator(WaveformSignal.Constant(1.0, 2.5, 0, 0));
        using var sensor = new Ads1115Sensor("adc", emulator, [InputMultiplexer.AIN0, InputMultiplexer.AIN1]);
        Span<float> values = stackalloc float[2];

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.Equal(1.0f, values[0]);
        Assert.Equal(2.5f, values[1]);
        Assert.Equal(["ain0_v", "ain1_v"], sensor.Channels);
    }

    [Fact]
    public void Read_ConfigRegisterAfterPowerUp_Is0x8583()
    {
        // SBAS444D 8.6.3: the config register resets to 0x8583; the pointer byte 0x01 selects it (8.6.1), read MSB first.
        var emulator = new Ads1115Emulator(WaveformSignal.Constant(0));
        Span<byte> config = stackalloc byte[2];

        emulator.WriteRead([0x01], config);

        Assert.Equal(0x8583, BinaryPrimitives.ReadUInt16BigEndian(config));
    }

    [Fact]
    public void Read_InjectedNack_FaultCountedThenRecovers()
    {
        var emulator = new Ads1115Emulator(WaveformSignal.Constant(1.0));
        using var sensor = new Ads1115Sensor("adc", emulator, [InputMultiplexer.AIN0]);
        Span<float> values = stackalloc float[1];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        emulator.Faults.InjectNack(1);
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(1, sensor.FaultCount);
        Assert.Contains("NACK", sensor.LastFault, StringComparison.Ordinal);

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.Equal(1.0f, values[0]);
    }

    [Fact]
    public void Read_StuckConversionRegister_ReturnsOldCodeWhileInputMoves()
    {
        // A stuck chip: the conversion register keeps its code (the emulator's StuckValue fault) while AIN0 changes.
        var signal = WaveformSignal.Constant(1.0);
        var emulator = new Ads1115Emulator(signal);
        using var sensor = new Ads1115Sensor("adc", emulator, [InputMultiplexer.AIN0]);
        Span<float> values = stackalloc float[1];
        sensor.Read(values, out _);

        emulator.Faults.Set(Drivers.Buses.BusFaultKind.StuckValue, true);
        signal.Set(0, 2.0);
        sensor.Read(values, out _);
        Assert.Equal(1.0f, values[0]);

        emulator.Faults.Set(Drivers.Buses.BusFaultKind.StuckValue, false);
        sensor.Read(values, out _);
        Assert.Equal(2.0f, values[0]);
    }

    private static WaveformSignal PositiveOver(InputMultiplexer mux) => mux switch
    {
        InputMultiplexer.AIN3 => WaveformSignal.Constant(0, 0, 0, 5),
        InputMultiplexer.AIN0_AIN1 => WaveformSignal.Constant(5, 0, 0, 0),
        _ => WaveformSignal.Constant(5, 5, 5, 0),
    };
}
