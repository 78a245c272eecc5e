using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LibGit2Sharp;

namespace Appliance.Device.GitOps;

/// <summary>
/// How the device authenticates to an <c>https://</c> configuration repository and whom it trusts there, without
/// secrets in the URL: a token file (<c>run --repo-token-file</c>, or <see cref="DefaultTokenFile"/> in the state
/// directory) whose first line is the password or access token, sent with HTTP basic authentication through
/// LibGit2Sharp's credentials callback; and an optional CA file (<c>run --repo-ca-file</c>, PEM) that a server
/// certificate the system's trust store refuses may chain to instead (a private git server's own CA, or its
/// self-signed certificate pinned as its own root).
/// </summary>
public sealed class RepositoryAccess
{
    /// <summary>The token file looked for in the state directory when none is named: <c>STATE/repo-token</c>.</summary>
    public const string DefaultTokenFile = "repo-token";

    /// <summary>The user name sent with a token when the URL names none (GitHub, Gitea and GitLab accept any with a token).</summary>
    public const string DefaultUser = "git";

    private readonly X509Certificate2Collection? _roots;

    /// <summary>No token file and the system's trust store only.</summary>
    public static RepositoryAccess None { get; } = new(null, null);

    /// <summary>Loads the CA file (when given); the token file is read at every fetch, so a rotated token needs no restart.</summary>
    /// <param name="tokenFile">The token file, or null.</param>
    /// <param name="caFile">PEM certificates to trust for the repository's server, or null.</param>
    /// <exception cref="ArgumentException">The token file is missing, or the CA file is missing or holds no PEM certificate (the message names the file).</exception>
    public RepositoryAccess(string? tokenFile, string? caFile)
    {
        if (tokenFile is not null && !File.Exists(tokenFile))
        {
            throw new ArgumentException($"{tokenFile}: repository token file not found");
        }

        TokenFile = tokenFile;
        if (caFile is null)
        {
            return;
        }

        if (!File.Exists(caFile))
        {
            throw new ArgumentException($"{caFile}: repository CA file not found");
        }

        _roots = [];
        try
        {
            _roots.ImportFromPemFile(caFile);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{caFile}: not a PEM certificate file ({e.Message})");
        }

        if (_roots.Count == 0)
        {
            throw new ArgumentException($"{caFile}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the repository CA file");
        }
    }

    /// <summary>The token file, or null.</summary>
    public string? TokenFile { get; }

    /// <summary>Whether a CA file was given (then <see cref="Trusts"/> is libgit2's certificate check).</summary>
    public bool HasCaFile => _roots is not null;

    /// <summary>
    /// The access for <paramref name="stateDirectory"/>: <paramref name="tokenFile"/> when given, otherwise
    /// <see cref="DefaultTokenFile"/> there when it exists.
    /// </summary>
    /// <exception cref="ArgumentException">A named file is missing or unreadable.</exception>
    public static RepositoryAccess For(string stateDirectory, string? tokenFile, string? caFile)
    {
        var fallback = Path.Combine(stateDirectory, DefaultTokenFile);
        return new RepositoryAccess(tokenFile ?? (File.Exists(fallback) ? fallback : null), caFile);
    }

    /// <summary>The token: the token file's first line, trimmed; null without a file.</summary>
    /// <exception cref="GitOpsException">The file cannot be read or is empty (<see cref="GitOpsFailure.Authentication"/>; the token is never quoted).</exception>
    public string? Token()
    {
        if (TokenFile is null)
        {
            return null;
        }

        string? line;
        try
        {
            using var reader = new StreamReader(TokenFile);
            line = reader.ReadLine()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GitOpsException(GitOpsFailure.Authentication, $"{TokenFile}: repository token file cannot be read: {e.Message}", e);
        }

        return string.IsNullOrEmpty(line)
            ? throw new GitOpsException(GitOpsFailure.Authentication, $"{TokenFile}: repository token file is empty (expected the token on its first line)")
            : line;
    }

    /// <summary>
    /// Whether to accept the server's certificate: libgit2's own verification (<paramref name="valid"/>: the system's
    /// trust store and the host name), or else a chain to a certificate of the CA file with the host name matching.
    /// </summary>
    /// <param name="certificate">The server's certificate as libgit2 hands it over.</param>
    /// <param name="valid">libgit2's verdict.</param>
    /// <param name="host">The host the URL names.</param>
    public bool Trusts(Certificate certificate, bool valid, string host)
    {
        if (valid)
        {
            return true;
        }

        if (_roots is null || certificate is not CertificateX509 { Certificate: { } raw })
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(raw.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no revocation list
        return chain.Build(leaf) && leaf.MatchesHostname(host);
    }
}
