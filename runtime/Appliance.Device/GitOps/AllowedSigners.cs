using System.Globalization;

namespace Appliance.Device.GitOps;

/// <summary>
/// The keys a device trusts to sign its configuration: an allowed-signers file in the format of <c>ssh-keygen(1)</c>,
/// section ALLOWED SIGNERS (the file <c>ssh-keygen -Y verify -f</c> and git's <c>gpg.ssh.allowedSignersFile</c> read):
/// one line per key, <c>principals [options] keytype base64-key [comment]</c>, with the options <c>namespaces="..."</c>,
/// <c>valid-after="YYYYMMDD[HHMM[SS]][Z]"</c> and <c>valid-before=...</c>; '#' starts a comment line.
/// <c>cert-authority</c> (certificate signers) is not supported and refused at load.
/// </summary>
public sealed class AllowedSigners
{
    private readonly List<AllowedSigner> _signers;

    private AllowedSigners(List<AllowedSigner> signers) => _signers = signers;

    /// <summary>The trusted entries, in file order.</summary>
    public IReadOnlyList<AllowedSigner> Signers => _signers;

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">A line is malformed; the message names the file and line.</exception>
    public static AllowedSigners Load(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new FileNotFoundException($"{path}: no such allowed-signers file (expected lines 'principal keytype base64-key')", path);

    /// <summary>Parses allowed-signers text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FormatException">A line is malformed (<c>source:line: reason</c>), or the file trusts no key.</exception>
    public static AllowedSigners Parse(string text, string source)
    {
        var list = new List<AllowedSigner>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            try
            {
                list.Add(ParseLine(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{source}:{i + 1}: {e.Message}");
            }
        }

        return list.Count > 0 ? new AllowedSigners(list) : throw new FormatException($"{source}: no signer (expected lines 'principal keytype base64-key')");
    }

    /// <summary>The entry that trusts <paramref name="key"/> for <paramref name="ns"/> at <paramref name="time"/>, or null.</summary>
    public AllowedSigner? Find(SshPublicKey key, string ns, DateTimeOffset time) =>
        _signers.FirstOrDefault(s => s.Key.Equals(key) && s.Allows(ns, time));

    private static AllowedSigner ParseLine(string line)
    {
        var tokens = Tokenize(line);
        if (tokens.Count < 3)
        {
            throw new FormatException("expected 'principals [options] keytype base64-key'");
        }

        var principals = tokens[0].Trim('"');
        var at = 1;
        string[] namespaces = [];
        DateTimeOffset? after = null, before = null;
        if (!IsKeyType(tokens[1]))
        {
            foreach (var option in SplitOptions(tokens[1]))
            {
                var eq = option.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? option : option[..eq];
                var value = eq < 0 ? string.Empty : option[(eq + 1)..].Trim('"');
                switch (name.ToLowerInvariant())
                {
                    case "namespaces":
                        namespaces = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "valid-after":
                        after = ParseTime(value, name);
                        break;
                    case "valid-before":
                        before = ParseTime(value, name);
                        break;
                    case "cert-authority":
                        throw new FormatException("cert-authority is not supported (list the signers' own keys)");
                    default:
                        throw new FormatException($"unknown option '{name}' (expected namespaces, valid-after or valid-before)");
                }
            }

            at = 2;
        }

        if (tokens.Count < at + 2)
        {
            throw new FormatException("expected a key type and a base64 key after the principals and options");
        }

        var key = SshPublicKey.Parse(tokens[at], tokens[at + 1]);
        return new AllowedSigner(principals, key, namespaces, after, before);
    }

    private static bool IsKeyType(string token) =>
        token.StartsWith("ssh-", StringComparison.Ordinal) || token.StartsWith("ecdsa-", StringComparison.Ordinal) || token.StartsWith("sk-", StringComparison.Ordinal);

    private static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var start = -1;
        var quoted = false;
        for (var i = 0; i <= line.Length; i++)
        {
            var end = i == line.Length;
            var c = end ? ' ' : line[i];
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (!quoted && char.IsWhiteSpace(c))
            {
                if (start >= 0)
                {
                    tokens.Add(line[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return quoted ? throw new FormatException("unterminated quote") : tokens;
    }

    private static IEnumerable<string> SplitOptions(string options)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < options.Length; i++)
        {
            if (options[i] == '"')
            {
                quoted = !quoted;
            }
            else if (options[i] == ',' && !quoted)
            {
                yield return options[start..i];
                start = i + 1;
            }
        }

        yield return options[start..];
    }

    private static DateTimeOffset ParseTime(string value, string option)
    {
        var utc = value.EndsWith('Z');
        var digits = utc ? value[..^1] : value;
        string[] formats = ["yyyyMMdd", "yyyyMMddHHmm", "yyyyMMddHHmmss"];
        var style = utc ? DateTimeStyles.AssumeUniversal : DateTimeStyles.AssumeLocal;
        return DateTimeOffset.TryParseExact(digits, formats, CultureInfo.InvariantCulture, style, out var t)
            ? t
            : throw new FormatException($"{option}=\"{value}\" is not a time (expected YYYYMMDD[HHMM[SS]][Z])");
    }
}
