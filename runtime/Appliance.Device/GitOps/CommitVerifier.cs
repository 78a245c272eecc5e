
namespace Appliance.Device.GitOps;

/// <summary>
/// Checks that a commit carries a valid SSH signature (git's <c>gpg.format = ssh</c>: an SSHSIG in namespace <c>git</c>
/// over the commit object without its <c>gpgsig</c> header) by a key of the device's allowed-signers file, valid at the
/// commit's committer time (as git passes <c>-Overify-time</c> to <c>ssh-keygen -Y verify</c>). The trust policy is the
/// device's own (command line or image); nothing in the repository can change it.
/// </summary>
public sealed class CommitVerifier
{
    /// <summary>The SSHSIG namespace git signs commits in.</summary>
    public const string GitNamespace = "git";

    private readonly AllowedSigners? _trust;

    private CommitVerifier(AllowedSigners? trust) => _trust = trust;

    /// <summary>Whether verification is skipped (<c>--insecure-skip-verify</c>).</summary>
    public bool SkipsVerification => _trust is null;

    /// <summary>A verifier that trusts the keys of <paramref name="trust"/>.</summary>
    public static CommitVerifier Trusting(AllowedSigners trust) => new(trust ?? throw new ArgumentNullException(nameof(trust)));

    /// <summary>A verifier that accepts every commit (demos only; the reconciler warns on every pull).</summary>
    public static CommitVerifier Insecure() => new(null);

    /// <summary>Verifies <paramref name="commit"/> in <paramref name="repo"/>.</summary>
    /// <returns>Who signed it: the principal and the key fingerprint.</returns>
    /// <exception cref="GitOpsException"><see cref="GitOpsFailure.Verification"/>: unsigned, not an SSH signature, a bad signature, or a key the device does not trust.</exception>
    public string Verify(ConfigRepository repo, string commit)
    {
        if (_trust is null)
        {
            return "unverified (--insecure-skip-verify)";
        }

        var short12 = commit[..Math.Min(12, commit.Length)];
        var signed = repo.Signature(commit)
            ?? throw new GitOpsException(GitOpsFailure.Verification, $"commit {short12} is not signed (sign with: git -c gpg.format=ssh commit -S)");
        SshSignature sig;
        try
        {
            sig = SshSignature.Parse(signed.Signature);
        }
        catch (FormatException e)
        {
            throw new GitOpsException(GitOpsFailure.Verification, $"commit {short12}: {e.Message}", e);
        }

        if (!sig.Verify(signed.SignedData, GitNamespace))
        {
            throw new GitOpsException(GitOpsFailure.Verification, $"commit {short12}: the signature by {sig.PublicKey.Fingerprint} does not verify (namespace '{sig.Namespace}', or the commit was altered)");
        }

        var when = repo.CommitTime(commit);
        var signer = _trust.Find(sig.PublicKey, GitNamespace, when)
            ?? throw new GitOpsException(GitOpsFailure.Verification, $"commit {short12} is signed by {sig.PublicKey.Type} {sig.PublicKey.Fingerprint}, which the allowed-signers file does not trust (for namespace git at {when:yyyy-MM-ddTHH:mm:ssZ})");
        return $"{signer.Principals} ({sig.PublicKey.Fingerprint})";
    }

    /// <summary>Verifies a detached SSH signature over <paramref name="message"/> in <paramref name="ns"/> (as <c>ssh-keygen -Y verify</c>).</summary>
    /// <returns>The trusting entry, or null when the signature is invalid or its key is not trusted.</returns>
    public AllowedSigner? VerifyDetached(string armoredSignature, ReadOnlySpan<byte> message, string ns, DateTimeOffset time)
    {
        var sig = SshSignature.Parse(armoredSignature);
        return _trust is not null && sig.Verify(message, ns) ? _trust.Find(sig.PublicKey, ns, time) : null;
    }
}
