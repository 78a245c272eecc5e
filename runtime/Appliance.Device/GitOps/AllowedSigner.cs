namespace Appliance.Device.GitOps;

/// <summary>One line of an allowed-signers file: who may sign, with which key, for which namespaces and when.</summary>
/// <param name="Principals">The principals (comma-separated patterns, usually e-mail addresses).</param>
/// <param name="Key">The trusted key.</param>
/// <param name="Namespaces">The namespaces the key may sign in; empty means any.</param>
/// <param name="ValidAfter">Signatures made before this time are refused; null for no bound.</param>
/// <param name="ValidBefore">Signatures made after this time are refused; null for no bound.</param>
public sealed record AllowedSigner(string Principals, SshPublicKey Key, IReadOnlyList<string> Namespaces, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore)
{
    /// <summary>Whether this entry trusts a signature in <paramref name="ns"/> made at <paramref name="time"/>.</summary>
    public bool Allows(string ns, DateTimeOffset time) =>
        (Namespaces.Count == 0 || Namespaces.Any(n => n == "*" || n == ns))
        && (ValidAfter is null || time >= ValidAfter)
        && (ValidBefore is null || time <= ValidBefore);
}
