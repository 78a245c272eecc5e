using System.Globalization;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// A 256-register snapshot of one I2C device as printed by <c>i2cdump -y BUS ADDR</c> (i2c-tools, byte mode "b"):
/// <code>
///      0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef
/// 00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
/// ...
/// f0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
/// </code>
/// Each row is the row address (two hex digits, low digit 0), a colon, 16 cells of two hex digits or <c>XX</c>
/// (the read failed), then the ASCII column, which is ignored. Rows that are absent leave their registers unreadable.
/// </summary>
public sealed class I2cDump
{
    private readonly byte[] _registers;
    private readonly bool[] _readable;

    private I2cDump(byte[] registers, bool[] readable)
    {
        _registers = registers;
        _readable = readable;
    }

    /// <summary>Register values by address (0x00..0xFF); 0 where unreadable.</summary>
    public ReadOnlySpan<byte> Registers => _registers;

    /// <summary>Whether each register (0x00..0xFF) was read; false for <c>XX</c> cells and absent rows.</summary>
    public ReadOnlySpan<bool> Readable => _readable;

    /// <summary>Reads a dump from a file.</summary>
    /// <param name="path">The file that holds the output of <c>i2cdump</c>.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not an i2cdump header or row; the message names <c>path:line</c>.</exception>
    public static I2cDump Parse(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file (expected the output of 'i2cdump -y BUS ADDR').", path);
        }

        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Reads a dump from text.</summary>
    /// <param name="reader">The output of <c>i2cdump</c>.</param>
    /// <param name="sourceName">Name used in error messages (a file name).</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="FormatException">A line is not an i2cdump header or row; the message names <c>sourceName:line</c>.</exception>
    public static I2cDump Parse(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var registers = new byte[256];
        var readable = new bool[256];
        var seenRows = new bool[16];
        int lineNumber = 0;
        bool sawRow = false;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (line.StartsWith(' ') && trimmed.StartsWith("0 ", StringComparison.Ordinal))
            {
                // The column header "     0  1  2 ... f    0123456789abcdef".
                CheckHeader(trimmed, sourceName, lineNumber);
                continue;
            }

            ParseRow(line, sourceName, lineNumber, registers, readable, seenRows);
            sawRow = true;
        }

        if (!sawRow)
        {
            throw new FormatException($"{sourceName}:{lineNumber}: no register rows found (expected lines like '00: 60 00 ...' from 'i2cdump -y BUS ADDR').");
        }

        return new I2cDump(registers, readable);
    }

    private static void CheckHeader(string trimmed, string sourceName, int lineNumber)
    {
        string[] cells = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool ok = cells.Length >= 16;
        for (int i = 0; ok && i < 16; i++)
        {
            ok = cells[i] == i.ToString("x", CultureInfo.InvariantCulture);
        }

        if (!ok)
        {
            throw new FormatException($"{sourceName}:{lineNumber}: {Appliance.Kernels.Text.QuotedText.Quote(trimmed)} is not an i2cdump column header (expected '0  1  2 ... f' then the ASCII header).");
        }
    }

    private static void ParseRow(string line, string sourceName, int lineNumber, byte[] registers, bool[] readable, bool[] seenRows)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon != 2
            || !byte.TryParse(line.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte rowAddress)
            || (rowAddress & 0x0F) != 0)
        {
            throw new FormatException($"{sourceName}:{lineNumber}: {Appliance.Kernels.Text.QuotedText.Quote(line)} is not an i2cdump row (expected a row address 00, 10, ... f0, a colon and 16 hex bytes).");
        }

        int row = rowAddress >> 4;
        if (seenRows[row])
        {
            throw new FormatException($"{sourceName}:{lineNumber}: row {rowAddress:x2} appears twice (expected each row 00..f0 at most once).");
        }

        seenRows[row] = true;
        string[] cells = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (cells.Length < 16)
        {
            throw new FormatException($"{sourceName}:{lineNumber}: row {rowAddress:x2} has {cells.Length} cells (expected 16 hex bytes or XX).");
        }

        for (int i = 0; i < 16; i++)
        {
            string cell = cells[i];
            int address = rowAddress + i;
            if (cell == "XX")
            {
                readable[address] = false;
                continue;
            }

            if (cell.Length != 2 || !byte.TryParse(cell, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte value))
            {
                throw new FormatException($"{sourceName}:{lineNumber}: {Appliance.Kernels.Text.QuotedText.Quote(cell)} at register 0x{address:x2} is not a byte (expected two hex digits or XX).");
            }

            registers[address] = value;
            readable[address] = true;
        }
    }
}
