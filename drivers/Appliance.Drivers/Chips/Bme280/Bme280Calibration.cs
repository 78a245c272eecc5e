using System.Buffers.Binary;

namespace Appliance.Drivers.Chips.Bme280;

/// <summary>
/// The BME280 trimming parameters dig_T1..dig_H6, as stored in the chip's NVM
/// (Bosch BST-BME280-DS002, section 4.2.2, table 16 "Compensation parameter storage, naming and data type").
/// </summary>
/// <remarks>
/// Layout in the register image (all words little-endian, LSB at the lower address):
/// <code>
/// 0x88..0x9F  T1 u16 | T2 s16 | T3 s16 | P1 u16 | P2..P9 s16
/// 0xA1        H1 u8
/// 0xE1..0xE2  H2 s16
/// 0xE3        H3 u8
/// 0xE4 0xE5 0xE6   H4 = E4[7:0] &lt;&lt; 4 | E5[3:0]   (s12, sign from E4)
///                  H5 = E6[7:0] &lt;&lt; 4 | E5[7:4]   (s12, sign from E6)
/// 0xE7        H6 s8
/// </code>
/// </remarks>
public sealed record Bme280Calibration
{
    /// <summary>dig_T1 (unsigned short, 0x88/0x89).</summary>
    public ushort DigT1 { get; init; }

    /// <summary>dig_T2 (signed short, 0x8A/0x8B).</summary>
    public short DigT2 { get; init; }

    /// <summary>dig_T3 (signed short, 0x8C/0x8D).</summary>
    public short DigT3 { get; init; }

    /// <summary>dig_P1 (unsigned short, 0x8E/0x8F).</summary>
    public ushort DigP1 { get; init; }

    /// <summary>dig_P2 (signed short, 0x90/0x91).</summary>
    public short DigP2 { get; init; }

    /// <summary>dig_P3 (signed short, 0x92/0x93).</summary>
    public short DigP3 { get; init; }

    /// <summary>dig_P4 (signed short, 0x94/0x95).</summary>
    public short DigP4 { get; init; }

    /// <summary>dig_P5 (signed short, 0x96/0x97).</summary>
    public short DigP5 { get; init; }

    /// <summary>dig_P6 (signed short, 0x98/0x99).</summary>
    public short DigP6 { get; init; }

    /// <summary>dig_P7 (signed short, 0x9A/0x9B).</summary>
    public short DigP7 { get; init; }

    /// <summary>dig_P8 (signed short, 0x9C/0x9D).</summary>
    public short DigP8 { get; init; }

    /// <summary>dig_P9 (signed short, 0x9E/0x9F).</summary>
    public short DigP9 { get; init; }

    /// <summary>dig_H1 (unsigned char, 0xA1).</summary>
    public byte DigH1 { get; init; }

    /// <summary>dig_H2 (signed short, 0xE1/0xE2).</summary>
    public short DigH2 { get; init; }

    /// <summary>dig_H3 (unsigned char, 0xE3).</summary>
    public byte DigH3 { get; init; }

    /// <summary>dig_H4 (signed 12-bit, 0xE4[7:0] and 0xE5[3:0]).</summary>
    public short DigH4 { get; init; }

    /// <summary>dig_H5 (signed 12-bit, 0xE6[7:0] and 0xE5[7:4]).</summary>
    public short DigH5 { get; init; }

    /// <summary>dig_H6 (signed char, 0xE7).</summary>
    public sbyte DigH6 { get; init; }

    /// <summary>
    /// The example calibration of the Bosch datasheets: dig_T1..T3 = 27504, 26435, -1000 and
    /// dig_P1..P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000
    /// (BST-BMP280-DS001 section 3.12, table "Compensation formula example"), with the humidity parameters
    /// dig_H1..H6 = 75, 362, 0, 315, 50, 30 of a typical BME280.
    /// </summary>
    public static Bme280Calibration DatasheetExample { get; } = new()
    {
        DigT1 = 27504,
        DigT2 = 26435,
        DigT3 = -1000,
        DigP1 = 36477,
        DigP2 = -10685,
        DigP3 = 3024,
        DigP4 = 2855,
        DigP5 = 140,
        DigP6 = -7,
        DigP7 = 15500,
        DigP8 = -14600,
        DigP9 = 6000,
        DigH1 = 75,
        DigH2 = 362,
        DigH3 = 0,
        DigH4 = 315,
        DigH5 = 50,
        DigH6 = 30,
    };

    /// <summary>
    /// Writes the parameters into a 256-byte register image at 0x88..0xA1 and 0xE1..0xE7 (table 16 layout above).
    /// Other bytes are left as they are, except the upper/lower nibbles of 0xE5 which H4 and H5 share.
    /// </summary>
    /// <param name="registers">The register image, indexed by register address; at least 256 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="registers"/> is shorter than 256 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">dig_H4 or dig_H5 does not fit 12 signed bits (-2048..2047).</exception>
    public void WriteTo(Span<byte> registers)
    {
        CheckImage(registers.Length, nameof(registers));
        CheckTwelveBits(DigH4, nameof(DigH4));
        CheckTwelveBits(DigH5, nameof(DigH5));

        Span<byte> block = registers.Slice(0x88, 24);
        BinaryPrimitives.WriteUInt16LittleEndian(block, DigT1);
        BinaryPrimitives.WriteInt16LittleEndian(block[2..], DigT2);
        BinaryPrimitives.WriteInt16LittleEndian(block[4..], DigT3);
        BinaryPrimitives.WriteUInt16LittleEndian(block[6..], DigP1);
        BinaryPrimitives.WriteInt16LittleEndian(block[8..], DigP2);
        BinaryPrimitives.WriteInt16LittleEndian(block[10..], DigP3);
        BinaryPrimitives.WriteInt16LittleEndian(block[12..], DigP4);
        BinaryPrimitives.WriteInt16LittleEndian(block[14..], DigP5);
        BinaryPrimitives.WriteInt16LittleEndian(block[16..], DigP6);
        BinaryPrimitives.WriteInt16LittleEndian(block[18..], DigP7);
        BinaryPrimitives.WriteInt16LittleEndian(block[20..], DigP8);
        BinaryPrimitives.WriteInt16LittleEndian(block[22..], DigP9);
        registers[0xA1] = DigH1;
        BinaryPrimitives.WriteInt16LittleEndian(registers[0xE1..], DigH2);
        registers[0xE3] = DigH3;
        registers[0xE4] = (byte)(DigH4 >> 4);
        registers[0xE5] = (byte)(((DigH5 & 0x0F) << 4) | (DigH4 & 0x0F));
        registers[0xE6] = (byte)(DigH5 >> 4);
        registers[0xE7] = (byte)DigH6;
    }

    /// <summary>
    /// Reads the parameters from a 256-byte register image (table 16 layout above; H4 and H5 sign-extended from 12 bits
    /// as Bosch's reference driver BME280_driver does).
    /// </summary>
    /// <param name="registers">The register image, indexed by register address; at least 256 bytes.</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="ArgumentException"><paramref name="registers"/> is shorter than 256 bytes.</exception>
    public static Bme280Calibration ReadFrom(ReadOnlySpan<byte> registers)
    {
        CheckImage(registers.Length, nameof(registers));
        ReadOnlySpan<byte> block = registers.Slice(0x88, 24);
        return new Bme280Calibration
        {
            DigT1 = BinaryPrimitives.ReadUInt16LittleEndian(block),
            DigT2 = BinaryPrimitives.ReadInt16LittleEndian(block[2..]),
            DigT3 = BinaryPrimitives.ReadInt16LittleEndian(block[4..]),
            DigP1 = BinaryPrimitives.ReadUInt16LittleEndian(block[6..]),
            DigP2 = BinaryPrimitives.ReadInt16LittleEndian(block[8..]),
            DigP3 = BinaryPrimitives.ReadInt16LittleEndian(block[10..]),
            DigP4 = BinaryPrimitives.ReadInt16LittleEndian(block[12..]),
            DigP5 = BinaryPrimitives.ReadInt16LittleEndian(block[14..]),
            DigP6 = BinaryPrimitives.ReadInt16LittleEndian(block[16..]),
            DigP7 = BinaryPrimitives.ReadInt16LittleEndian(block[18..]),
            DigP8 = BinaryPrimitives.ReadInt16LittleEndian(block[20..]),
            DigP9 = BinaryPrimitives.ReadInt16LittleEndian(block[22..]),
            DigH1 = registers[0xA1],
            DigH2 = BinaryPrimitives.ReadInt16LittleEndian(registers[0xE1..]),
            DigH3 = registers[0xE3],
            DigH4 = (short)((sbyte)registers[0xE4] * 16 | (registers[0xE5] & 0x0F)),
            DigH5 = (short)((sbyte)registers[0xE6] * 16 | (registers[0xE5] >> 4)),
            DigH6 = (sbyte)registers[0xE7],
        };
    }

    private static void CheckImage(int length, string name)
    {
        if (length < 256)
        {
            throw new ArgumentException($"A BME280 register image has 256 bytes (addresses 0x00..0xFF); got {length}.", name);
        }
    }

    private static void CheckTwelveBits(short value, string name)
    {
        if (value is < -2048 or > 2047)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is a signed 12-bit parameter (-2048..2047), BST-BME280-DS002 table 16.");
        }
    }
}
