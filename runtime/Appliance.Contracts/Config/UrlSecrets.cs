using System.Text.RegularExpressions;

namespace Appliance.Contracts.Config;

/// <summary>
/// The one place that keeps credentials written into URLs (RFC 3986 §3.2.1 userinfo: <c>https://user:TOKEN@host/...</c>)
/// out of what the device shows or sends: logs, <c>gitops-status.json</c>, <c>status.json</c>, heartbeats and, at the
/// collector, the fleet table. The whole userinfo is replaced by <see cref="Mask"/>, the user name too (a user name
/// alone is often the token: <c>https://TOKEN@github.com/...</c>).
/// </summary>
public static partial class UrlSecrets
{
    /// <summary>What replaces a URL's userinfo.</summary>
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="text"/> with the userinfo of every <c>scheme://userinfo@</c> in it replaced by <see cref="Mask"/>
    /// (a URL on its own, or a message that quotes one, as libgit2's errors do); null stays null.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The text without credentials; the same instance when it holds none.</returns>
    public static string? Redact(string? text) =>
        text is null || !text.Contains("://", StringComparison.Ordinal) ? text : UserInfo().Replace(text, "${scheme}" + Mask + "@");

    /// <summary>
    /// Splits the userinfo off <paramref name="url"/>: the URL to fetch from (and to store in the clone's configuration),
    /// and the user name and password it carried, percent-decoded (RFC 3986 §2.1); both null when it carried none.
    /// </summary>
    /// <param name="url">A repository URL or path.</param>
    /// <returns>The URL without userinfo, the user (or null) and the password (or null).</returns>
    public static (string Url, string? User, string? Password) Split(string url)
    {
        var match = UserInfo().Match(url);
        if (!match.Success || match.Index != 0)
        {
            return (url, null, null);
        }

        var info = match.Groups["info"].Value;
        var colon = info.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? info : info[..colon]);
        var password = colon < 0 ? null : Uri.UnescapeDataString(info[(colon + 1)..]);
        return (match.Groups["scheme"].Value + url[match.Length..], user.Length > 0 ? user : null, password);
    }

    // scheme (RFC 3986 §3.1) "://" userinfo "@": the userinfo stops at the first '/', '?', '#', '@' or white space, so a
    // path's '@' (https://host/a@b) is not taken for one.
    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?<info>[^/?#@\s]+)@")]
    private static partial Regex UserInfo();
}
