namespace Appliance.Drivers.Tests.Chips.Ads1115;

// TI SBAS444D (ADS111x data sheet). Most tests run on the system clock: opening the chip goes through the Iot.Device.Bindings
// driver, which busy-waits in real time for OS = 1, so the emulator's 1/860 s conversions must elapse in real time too.
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

    [Theory]
    [InlineData(DataRate.SPS860)]
    [InlineData(DataRate.SPS128)]
    public void Read_SleepsTheConversionTime_PollsOsAtMostTwicePerConversion(DataRate rate)
    {
        // SBAS444D 8.4.2.1: in single-shot mode a conversion takes 1/DR after OS = 1 is written, and OS reads 1 when it is done.
        // The binding's ReadRaw re-read the config register every 2 us of busy-waiting for the whole conversion: 6 reads
        // per conversion at 860 SPS on this clock (each clock reading moves it 100 us, about a 400 kHz bus transfer of 4
        // bytes), 40 at 128 SPS (this test counted 120 and 800 before the fix), and a quarter of a core at 100 Hz on the
        // system clock. Sleeping 1/DR first leaves one read (two when the oscillator runs late, 7.1: +-10 %).
        var clock = SimulatedClock.AtNabEpoch(TimeSpan.FromMicroseconds(100));
        var bus = new CountingI2c(new Ads1115Emulator(WaveformSignal.Constant(1.0, 2.5, 0, 0), clock));
        using var sensor = new Ads1115Sensor("adc", bus, [InputMultiplexer.AIN0, InputMultiplexer.AIN1], rate: rate, clock: clock);
        sensor.Open();
        bus.ConfigReads = 0;
        Span<float> values = stackalloc float[2];
        TimeSpan before = clock.Elapsed;

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
            Assert.Equal(1.0f, values[0]);
            Assert.Equal(2.5f, values[1]);
        }

        Assert.InRange(bus.ConfigReads, 20, 40);
        // Each conversion takes 1/DR of the clock's time, not more than twice that (the reads' own steps included).
        double perConversion = (clock.Elapsed - before).TotalSeconds / 20;
        double nominal = 1.0 / Ads1115Datasheet.DataRate((int)rate);
        Assert.InRange(perConversion, nominal, 2 * nominal);
    }

    /// <summary>Counts reads of the config register (pointer 0x01, SBAS444D 8.6.1) on the way to the emulator.</summary>
    private sealed class CountingI2c(Ads1115Emulator chip) : System.Device.I2c.I2cDevice
    {
        public int ConfigReads { get; set; }

        public override System.Device.I2c.I2cConnectionSettings ConnectionSettings => chip.ConnectionSettings;

        public override byte ReadByte() => chip.ReadByte();

        public override void Read(Span<byte> buffer) => chip.Read(buffer);

        public override void WriteByte(byte value) => chip.WriteByte(value);

        public override void Write(ReadOnlySpan<byte> buffer) => chip.Write(buffer);

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            if (writeBuffer.Length == 1 && writeBuffer[0] == 0x01)
            {
                ConfigReads++;
            }

            chip.WriteRead(writeBuffer, readBuffer);
        }
    }

    private static WaveformSignal PositiveOver(InputMultiplexer mux) => mux switch
    {
        InputMultiplexer.AIN3 => WaveformSignal.Constant(0, 0, 0, 5),
        InputMultiplexer.AIN0_AIN1 => WaveformSignal.Constant(5, 0, 0, 0),
        _ => WaveformSignal.Constant(5, 5, 5, 0),
    };
}
