namespace Appliance.Drivers.Tests.Chips.Bme280;

public sealed class Bme280SensorTests
{
    [Fact]
    public void ReadOnce_DatasheetExample_MatchesBoschWorkedExample()
    {
        // BST-BMP280-DS001 section 3.12 worked example (calibration and raw codes in DatasheetExample).
        // Which formula Iot.Device.Bindings 4.2.0 uses: its source (Bmx280Base.CompensatePressure, "in double format") is the
        // datasheet's double-precision formula (BST-BME280-DS002 8.1), and the values below show it is fed the UNROUNDED t_fine
        // (128422.2869): pressure comes out at 100653.2668 Pa, the datasheet's double result "100653.27" (DS001 3.12), not the
        // 64-bit integer formula's 100653.25 (25767236 / 256) nor the 100653.258 a truncated t_fine = 128422 would give.
        //  - T: datasheet 25.08 °C (printed to 2 decimals; 128422.2869 / 5120 = 25.0825) -> ±0.0005 around 25.0825.
        //  - p: ±0.001 Pa around 100653.2668 (8.1 double formula with t_fine = 128422.2869, evaluated by hand) - excludes both
        //       the integer result and the truncated-t_fine result.
        //  - H: 8.1 double formula with adc_H = 30000 gives 54.2888 %RH ("54.29"); the 32-bit integer formula gives 54.285 -> ±0.0005.
        var emulator = new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw));

        Bme280Reading reading = Bme280Sensor.ReadOnce(emulator);

        Assert.InRange(reading.TemperatureC, 25.0820, 25.0830);
        Assert.InRange(reading.PressurePa, 100653.2658, 100653.2678);
        Assert.InRange(reading.HumidityPct, 54.2883, 54.2893);
    }

    [Fact]
    public void Read_DatasheetExampleThroughSensor_ReturnsFloatChannelsInSiUnits()
    {
        // Same worked example (BST-BMP280-DS001 3.12 / BST-BME280-DS002 8.1) through ISampleSource, whose values are float:
        // float32 spacing near 1e5 is 0.0078 Pa, so pressure gets ±0.02 Pa around the datasheet's 100653.27.
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock), clock);
        Span<float> values = stackalloc float[3];

        SampleStatus status = sensor.Read(values, out long timestampNs);

        Assert.Equal(SampleStatus.Ok, status);
        Assert.Equal(["temperature_c", "pressure_pa", "humidity_pct"], sensor.Channels);
        Assert.InRange(values[0], 25.075f, 25.085f);
        Assert.InRange(values[1], 100653.25f, 100653.29f);
        Assert.InRange(values[2], 54.285f, 54.295f);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, timestampNs);
    }

    [Fact]
    public void Read_CalibrationWordsAreLittleEndian_ReturnsSaneTemperatureNotByteSwappedOne()
    {
        // BST-BME280-DS002 table 16: calibration words are stored LSB first (dig_T1 = 0x88 LSB / 0x89 MSB).
        // adc_T = 512286 (0xFA..0xFC = 7D 11 E0) with the datasheet example calibration gives 22.70 °C read little-endian.
        // Read big-endian, the same bytes 70 6B | 43 67 | 18 FC become dig_T1..T3 = 28779, 17255, 6396 and give 10.85 °C:
        // a plausible room temperature, which is exactly why this bug survives a glance (8.1 formula, computed by hand).
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Bme280Emulator(new Bme280FixedSignal(new Bme280RawSample(512286, DatasheetExample.AdcP, DatasheetExample.AdcH)), clock: clock);
        Span<byte> calibrationBytes = stackalloc byte[6];
        emulator.WriteRead([0x88], calibrationBytes);
        Assert.Equal(new byte[] { 0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC }, calibrationBytes.ToArray());
        var byteSwapped = Bme280Calibration.DatasheetExample with
        {
            DigT1 = BinaryPrimitives.ReadUInt16BigEndian(calibrationBytes),
            DigT2 = BinaryPrimitives.ReadInt16BigEndian(calibrationBytes[2..]),
            DigT3 = BinaryPrimitives.ReadInt16BigEndian(calibrationBytes[4..]),
        };
        Assert.InRange(Bme280Compensation.Temperature(512286, byteSwapped, out _), 10.80, 10.90);

        using var sensor = new Bme280Sensor("env", emulator, clock);
        Span<float> values = stackalloc float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        Assert.InRange(values[0], 22.695f, 22.705f);
    }

    [Fact]
    public void ReadFrom_CalibrationWordsReadBigEndian_GiveAbsurd187CWhereLittleEndianGives22_7C()
    {
        // The issue's regression ("the same bytes read big-endian give an absurd temperature near 187 °C; read correctly they
        // give about 22.7 °C"). No public register dump with exactly these figures was found, so the bytes were SOLVED FOR
        // (a search over chip-like trimming words with the 8.1 double formula): dig_T1..T3 = 27414, 26494, 50, in the range of
        // real chips (a BME280 dump posted on the Bosch Sensortec community forum, 2019-09, has 28268, 26231, 50; dig_T3 = 50 =
        // 32 00 is common, and its big-endian reading 0x3200 = 12800 is what makes the result absurd). Stored LSB first at
        // 0x88..0x8D (BST-BME280-DS002 table 16): 16 6B 7E 67 32 00. adc_T = 510488 (0xFA..0xFC = 7C A1 80).
        // 8.1 by hand: little-endian 22.69996 °C; big-endian dig_T1..T3 = 5739, 32359, 12800 give 187.0059 °C.
        var image = new byte[256];
        ReadOnlySpan<byte> bytes = [0x16, 0x6B, 0x7E, 0x67, 0x32, 0x00];
        Bme280Calibration.DatasheetExample.WriteTo(image); // pressure and humidity words of the datasheet example
        bytes.CopyTo(image.AsSpan(0x88));
        const int AdcT = (0x7C << 12) | (0xA1 << 4) | (0x80 >> 4);
        Assert.Equal(510488, AdcT);

        Bme280Calibration parsed = Bme280Calibration.ReadFrom(image);
        var byteSwapped = parsed with
        {
            DigT1 = BinaryPrimitives.ReadUInt16BigEndian(bytes),
            DigT2 = BinaryPrimitives.ReadInt16BigEndian(bytes[2..]),
            DigT3 = BinaryPrimitives.ReadInt16BigEndian(bytes[4..]),
        };

        Assert.Equal((ushort)27414, parsed.DigT1);
        Assert.Equal((short)26494, parsed.DigT2);
        Assert.Equal((short)50, parsed.DigT3);
        Assert.InRange(Bme280Compensation.Temperature(AdcT, parsed, out _), 22.6, 22.8);
        Assert.InRange(Bme280Compensation.Temperature(AdcT, byteSwapped, out _), 186, 188);

        // The same image through the emulator and the real driver (Iot.Device.Bindings parses the block itself): 22.7 °C.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Bme280Emulator(new Bme280FixedSignal(new Bme280RawSample(AdcT, DatasheetExample.AdcP, DatasheetExample.AdcH)), parsed, clock);
        using var sensor = new Bme280Sensor("env", emulator, clock);
        Span<float> values = stackalloc float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.InRange(values[0], 22.6f, 22.8f);
    }

    [Fact]
    public void Read_SignalChangesBetweenReads_ReturnsNewConversionNeverPrevious()
    {
        // BST-BME280-DS002 3.3.3 and 5.4.4: in forced mode the data registers change only when the conversion ends
        // (t_measure,max, Appendix B). A driver that does not wait reads the previous conversion; this one must not.
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new Bme280FixedSignal(new Bme280RawSample(512286, DatasheetExample.AdcP, DatasheetExample.AdcH));
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(signal, clock: clock), clock);
        Span<float> values = stackalloc float[3];

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        float first = values[0];
        signal.Sample = DatasheetExample.Raw;
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        Assert.InRange(first, 22.695f, 22.705f);     // adc_T 512286 (see the endianness test)
        Assert.InRange(values[0], 25.075f, 25.085f); // adc_T 519888, datasheet 25.08 °C
    }

    [Fact]
    public void Read_WaitsAtLeastTheDatasheetMeasurementTime()
    {
        // Appendix B (9.1): oversampling x1 on T, P, H -> t_measure,max = 1.25 + 2.3 + 2.875 + 2.875 = 9.3 ms.
        var clock = SimulatedClock.AtNabEpoch();
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock), clock);
        sensor.Open();
        TimeSpan before = clock.Elapsed;

        sensor.Read(stackalloc float[3], out _);

        Assert.True(clock.Elapsed - before >= TimeSpan.FromMilliseconds(9.3), $"waited {(clock.Elapsed - before).TotalMilliseconds} ms");
    }

    [Fact]
    public void Read_WrongChipId_RefusesWithMessageNamingBothIds()
    {
        // BST-BME280-DS002 5.4.1: a BME280 reads 0x60 at 0xD0; 0x58 is a BMP280 (BST-BMP280-DS001 4.3.1), whose register map differs.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock);
        emulator.InjectChipId(0x58);
        using var sensor = new Bme280Sensor("env", emulator, clock);

        var error = Assert.Throws<InvalidDataException>(() => sensor.Read(new float[3], out _));

        Assert.Contains("0x58", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x60", error.Message, StringComparison.Ordinal);
        Assert.Contains("'env'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NackOnBus_ReturnsFaultCountsItThenRecovers()
    {
        // A NACK surfaces as IOException from Linux i2c-dev (EREMOTEIO); the sensor must count it and read again next time.
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock);
        using var sensor = new Bme280Sensor("env", emulator, clock);
        var values = new float[3];
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        emulator.InjectNack(1);
        SampleStatus faulted = sensor.Read(values, out _);

        Assert.Equal(SampleStatus.Fault, faulted);
        Assert.Equal(1, sensor.FaultCount);
        Assert.All(values, v => Assert.True(float.IsNaN(v)));
        Assert.Contains("NACK", sensor.LastFault, StringComparison.Ordinal);

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.InRange(values[0], 25.075f, 25.085f);
        Assert.Equal(1, sensor.FaultCount);
    }

    [Fact]
    public void Read_NackWhileOpening_ReturnsFaultThenOpensOnNextRead()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var emulator = new Bme280Emulator(new Bme280FixedSignal(DatasheetExample.Raw), clock: clock);
        emulator.InjectNack(3);
        using var sensor = new Bme280Sensor("env", emulator, clock);
        var values = new float[3];

        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Equal(SampleStatus.Fault, sensor.Read(values, out _));
        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));

        Assert.Equal(3, sensor.FaultCount);
        Assert.InRange(values[1], 100653.25f, 100653.29f);
    }

    [Fact]
    public void Read_PhysicalModel_RoundTripsWithinAdcQuantisation()
    {
        // The model inverts BST-BME280-DS002 8.1 to the nearest raw code; the driver applies the same formulas, so the
        // difference is at most half a code plus the binding's truncated t_fine and float32 output:
        // T: 0.0003 °C/code -> 0.001 °C; p: ~0.17 Pa/code, t_fine truncation < 0.01 Pa, float 0.008 Pa -> 0.15 Pa;
        // H: ~0.006 %RH/code -> 0.01 %RH.
        var clock = SimulatedClock.AtNabEpoch();
        var model = new Bme280PhysicalModel(seed: 7);
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(model, clock: clock), clock);
        Span<float> values = stackalloc float[3];

        for (int hour = 0; hour < 30; hour++)
        {
            Assert.Equal(SampleStatus.Ok, sensor.Read(values, out long timestampNs));
            Bme280PhysicalSample truth = model.PhysicalAt(timestampNs);
            Assert.InRange(values[0], truth.TemperatureC - 0.001, truth.TemperatureC + 0.001);
            Assert.InRange(values[1], truth.PressurePa - 0.15, truth.PressurePa + 0.15);
            Assert.InRange(values[2], truth.HumidityPct - 0.01, truth.HumidityPct + 0.01);
            clock.Advance(TimeSpan.FromHours(1));
        }
    }

    [Fact]
    public void Read_HeaterFaultWindow_TemperatureStepsUpBy15C()
    {
        // Bme280Fault.HeaterStep: +15 °C inside [start, end), nothing outside. Compared against the same model without the
        // fault at the same instants, so the daily sine and the noise cancel; what is left is the step plus ADC quantisation.
        var clock = SimulatedClock.AtNabEpoch();
        var model = new Bme280PhysicalModel(seed: 3);
        var clean = new Bme280PhysicalModel(seed: 3);
        long startNs = clock.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds() * 1_000_000;
        model.InjectFault(Bme280Fault.HeaterStep, startNs, startNs + (5L * 60 * 1_000_000_000));
        using var sensor = new Bme280Sensor("env", new Bme280Emulator(model, clock: clock), clock);
        var values = new float[3];
        var excess = new List<double>();

        foreach (int minutes in new[] { 0, 12, 10 })
        {
            clock.Advance(TimeSpan.FromMinutes(minutes));
            Assert.Equal(SampleStatus.Ok, sensor.Read(values, out long timestampNs));
            excess.Add(values[0] - clean.PhysicalAt(timestampNs).TemperatureC);
        }

        Assert.InRange(excess[0], -0.002, 0.002);  // before the window
        Assert.InRange(excess[1], 14.998, 15.002); // 12 min in: inside [10 min, 15 min)
        Assert.InRange(excess[2], -0.002, 0.002);  // 22 min: after the window
    }

    [Fact]
    public void Dispose_OwnsDevice_DisposesDevice()
    {
        var device = new DisposalProbe();
        var sensor = new Bme280Sensor("env", device, SimulatedClock.AtNabEpoch());

        sensor.Dispose();

        Assert.True(device.Disposed);
    }

    private sealed class DisposalProbe : System.Device.I2c.I2cDevice
    {
        public bool Disposed { get; private set; }

        public override System.Device.I2c.I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x76);

        public override byte ReadByte() => throw new IOException("not wired");

        public override void Read(Span<byte> buffer) => throw new IOException("not wired");

        public override void WriteByte(byte value) => throw new IOException("not wired");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("not wired");

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => throw new IOException("not wired");

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
