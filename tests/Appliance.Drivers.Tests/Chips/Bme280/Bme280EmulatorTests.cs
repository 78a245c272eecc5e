namespace Appliance.Drivers.Tests.Chips.Bme280;

public sealed class Bme280EmulatorTests
{
    private static (Bme280Emulator Emulator, SimulatedClock Clock, Bme280FixedSignal Signal) Create()
    {
        var clock = SimulatedClock.AtNabEpoch();
        var signal = new Bme280FixedSignal(DatasheetExample.Raw);
        return (new Bme280Emulator(signal, clock: clock), clock, signal);
    }

    private static byte ReadRegister(Bme280Emulator emulator, byte register)
    {
        emulator.WriteByte(register);
        return emulator.ReadByte();
    }

    private static byte[] ReadBlock(Bme280Emulator emulator, byte register, int count)
    {
        var buffer = new byte[count];
        emulator.WriteRead([register], buffer);
        return buffer;
    }

    [Fact]
    public void ReadByte_ChipIdRegister_Returns0x60()
    {
        // BST-BME280-DS002 5.4.1: "The chip identification number chip_id[7:0], which is 0x60."
        Assert.Equal(0x60, ReadRegister(Create().Emulator, 0xD0));
    }

    [Fact]
    public void Read_BurstFromCalibrationStart_AutoIncrementsThroughDatasheetWords()
    {
        // 6.2.2: burst reads auto-increment. Table 16: dig_T1 = 27504 = 0x6B70 at 0x88 (LSB) / 0x89 (MSB), dig_T2 = 26435 = 0x6743,
        // dig_T3 = -1000 = 0xFC18, dig_P1 = 36477 = 0x8E7D.
        byte[] block = ReadBlock(Create().Emulator, 0x88, 8);

        Assert.Equal(new byte[] { 0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC, 0x7D, 0x8E }, block);
    }

    [Fact]
    public void Read_HumidityCalibration_PacksH4H5AsTable16()
    {
        // Table 16: dig_H4 = 0xE4[7:0] << 4 | 0xE5[3:0]; dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4]. H2 = 362 = 0x016A LSB first.
        // H4 = 315 = 0x13B -> E4 = 0x13, E5[3:0] = 0xB; H5 = 50 = 0x032 -> E6 = 0x03, E5[7:4] = 0x2; H6 = 30 = 0x1E.
        byte[] block = ReadBlock(Create().Emulator, 0xE1, 7);

        Assert.Equal(new byte[] { 0x6A, 0x01, 0x00, 0x13, 0x2B, 0x03, 0x1E }, block);
        Assert.Equal(75, ReadRegister(Create().Emulator, 0xA1));
    }

    [Fact]
    public void Write_ForcedMode_MeasuringForAppendixBTimeThenDataAndSleep()
    {
        // Appendix B (9.1) with osrs_t = osrs_p = osrs_h = x1: t_measure,max = 1.25 + 2.3 + (2.3 + 0.575) + (2.3 + 0.575) = 9.3 ms.
        // 5.4.4: status.measuring[3] is 1 while converting. 3.3.3: forced mode returns to sleep after the conversion.
        // Table 18: data registers reset to 0x80 00 00 / 0x80 00 00 / 0x80 00 and keep the previous values until the conversion ends.
        var (emulator, clock, _) = Create();
        emulator.Write([0xF2, 0x01]);
        emulator.Write([0xF4, 0b001_001_01]);

        Assert.Equal(0x08, ReadRegister(emulator, 0xF3) & 0x08);
        Assert.Equal(new byte[] { 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00 }, ReadBlock(emulator, 0xF7, 8));
        clock.Advance(TimeSpan.FromTicks(92_999)); // 9.2999 ms
        Assert.Equal(0x08, ReadRegister(emulator, 0xF3) & 0x08);
        Assert.Equal(0x80, ReadRegister(emulator, 0xF7));

        clock.Advance(TimeSpan.FromTicks(1)); // 9.3000 ms

        Assert.Equal(0x00, ReadRegister(emulator, 0xF3) & 0x08);
        Assert.Equal(new byte[] { 0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x75, 0x30 }, ReadBlock(emulator, 0xF7, 8));
        Assert.Equal(0b001_001_00, ReadRegister(emulator, 0xF4));
    }

    [Theory]
    [InlineData(1, 1, 1, 9.3)]
    [InlineData(16, 16, 16, 112.8)] // 1.25 + 36.8 + 37.375 + 37.375
    [InlineData(1, 0, 0, 3.55)]     // pressure and humidity skipped: their brackets drop out
    public void MaxMeasurementTimeMs_Oversampling_MatchesAppendixB(int t, int p, int h, double expectedMs)
    {
        // BST-BME280-DS002 Appendix B (9.1), t_measure,max = 1.25 + [2.3 T] + [2.3 P + 0.575] + [2.3 H + 0.575] ms.
        Assert.Equal(expectedMs, Bme280Timing.MaxMeasurementTimeMs(t, p, h), 9);
    }

    [Fact]
    public void Write_CtrlHumWithoutCtrlMeas_DoesNotTakeEffect()
    {
        // 5.4.3: "Changes to this register only become effective after a write operation to ctrl_meas."
        // Normal mode started with osrs_h = 0 keeps skipping humidity (0x8000, 3.5) after ctrl_hum alone is written.
        var (emulator, clock, _) = Create();
        emulator.Write([0xF4, 0b001_001_11]);
        emulator.Write([0xF2, 0x01]);
        clock.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(new byte[] { 0x80, 0x00 }, ReadBlock(emulator, 0xFD, 2));
        Assert.Equal(new byte[] { 0x7E, 0xED, 0x00 }, ReadBlock(emulator, 0xFA, 3));

        emulator.Write([0xF4, 0b001_001_11]);
        clock.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(new byte[] { 0x75, 0x30 }, ReadBlock(emulator, 0xFD, 2));
    }

    [Fact]
    public void Write_SoftResetCommand_RestoresResetStateButNotOtherValues()
    {
        // 5.4.2: writing 0xB6 to 0xE0 resets the device; other values have no effect. Table 18: ctrl registers reset to 0x00.
        var (emulator, clock, _) = Create();
        emulator.Write([0xF2, 0x01, 0xF4, 0b001_001_01]);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        emulator.Write([0xE0, 0x42]);
        Assert.Equal(0x65, ReadRegister(emulator, 0xF7));

        emulator.Write([0xE0, 0xB6]);

        Assert.Equal(0x00, ReadRegister(emulator, 0xF2));
        Assert.Equal(0x00, ReadRegister(emulator, 0xF4));
        Assert.Equal(new byte[] { 0x80, 0x00, 0x00 }, ReadBlock(emulator, 0xF7, 3));
        Assert.Equal(0x01, ReadRegister(emulator, 0xF3) & 0x01); // im_update while NVM is copied (t_startup 2 ms, table 1)
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(0x00, ReadRegister(emulator, 0xF3));
        Assert.Equal(0x60, ReadRegister(emulator, 0xD0));
    }

    [Fact]
    public void Write_ReadOnlyRegister_IsIgnored()
    {
        // Table 18: calibration and chip id are read-only.
        var (emulator, _, _) = Create();

        emulator.Write([0x88, 0x00, 0xD0, 0x58]);

        Assert.Equal(0x70, ReadRegister(emulator, 0x88));
        Assert.Equal(0x60, ReadRegister(emulator, 0xD0));
    }

    [Fact]
    public void Read_InjectedNack_ThrowsIOExceptionForExactlyNTransfers()
    {
        var (emulator, _, _) = Create();
        emulator.InjectNack(2);

        Assert.Throws<IOException>(() => emulator.WriteByte(0xD0));
        Assert.Throws<IOException>(() => emulator.ReadByte());

        Assert.Equal(0x60, ReadRegister(emulator, 0xD0));
        Assert.Equal(2, emulator.NackCount);
    }

    [Fact]
    public void Read_StuckData_KeepsPreviousConversion()
    {
        var (emulator, clock, signal) = Create();
        emulator.Write([0xF2, 0x01, 0xF4, 0b001_001_01]);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        emulator.InjectStuckData(true);
        signal.Sample = new Bme280RawSample(512286, DatasheetExample.AdcP, DatasheetExample.AdcH);

        emulator.Write([0xF4, 0b001_001_01]);
        clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(new byte[] { 0x7E, 0xED, 0x00 }, ReadBlock(emulator, 0xFA, 3));
        Assert.Equal(2, emulator.ConversionCount);
    }

    [Fact]
    public void Read_BitFlip_XorsMaskIntoThatRegisterOnly()
    {
        var (emulator, _, _) = Create();
        emulator.InjectBitFlip(0x88, 0x01);

        Assert.Equal(new byte[] { 0x71, 0x6B }, ReadBlock(emulator, 0x88, 2));
    }
}
