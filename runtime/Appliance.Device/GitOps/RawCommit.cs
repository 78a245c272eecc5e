using System.Globalization;
using System.Text;

namespace Appliance.Device.GitOps;

/// <summary>
/// A commit object as git stores it (headers, a blank line, the message; git's Documentation/gitformat-signature.txt):
/// the SSH or OpenPGP signature is the value of the <c>gpgsig</c> header (continuation lines start with one space), and
/// the signed payload is the object with that header removed.
/// </summary>
/// <param name="Signature">The <c>gpgsig</c> value (armored, newline-terminated), or null when unsigned.</param>
/// <param name="SignedData">The object without the <c>gpgsig</c> header: what the signer signed.</param>
/// <param name="CommitTime">The committer time (the <c>committer</c> header's Unix seconds and offset).</param>
internal sealed record RawCommit(string? Signature, byte[] SignedData, DateTimeOffset CommitTime)
{
    /// <summary>Splits <paramref name="raw"/> into signature, payload and committer time.</summary>
    /// <exception cref="FormatException">No committer header.</exception>
    public static RawCommit Parse(ReadOnlySpan<byte> raw)
    {
        var payload = new MemoryStream(raw.Length);
        StringBuilder? signature = null;
        DateTimeOffset? time = null;
        var inSignature = false;
        var inHeaders = true;
        var rest = raw;
        while (!rest.IsEmpty)
        {
            var nl = rest.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..(nl + 1)];
            rest = rest[line.Length..];
            if (inHeaders)
            {
                if (line.Length == 1 && line[0] == '\n')
                {
                    inHeaders = false;
                    inSignature = false;
                }
                else if (inSignature && line[0] == ' ')
                {
                    signature!.Append(Encoding.UTF8.GetString(line[1..]));
                    continue;
                }
                else
                {
                    inSignature = false;
                    if (line.StartsWith("gpgsig "u8))
                    {
                        signature = new StringBuilder(Encoding.UTF8.GetString(line["gpgsig ".Length..]));
                        inSignature = true;
                        continue;
                    }

                    if (line.StartsWith("committer "u8))
                    {
                        time = CommitterTime(Encoding.UTF8.GetString(line).TrimEnd('\n'));
                    }
                }
            }

            payload.Write(line);
        }

        return new RawCommit(signature?.ToString(), payload.ToArray(), time ?? throw new FormatException("commit object has no committer header"));
    }

    private static DateTimeOffset CommitterTime(string line)
    {
        // "committer Name <email> 1795939656 +0000"
        var parts = line[(line.LastIndexOf('>') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || parts[1].Length != 5)
        {
            throw new FormatException($"commit header '{line}' has no time");
        }

        var sign = parts[1][0] == '-' ? -1 : 1;
        var offset = new TimeSpan(int.Parse(parts[1].AsSpan(1, 2), CultureInfo.InvariantCulture), int.Parse(parts[1].AsSpan(3, 2), CultureInfo.InvariantCulture), 0) * sign;
        return DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(offset);
    }
}
