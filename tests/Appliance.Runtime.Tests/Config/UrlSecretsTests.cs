namespace Appliance.Runtime.Tests.Config;

/// <summary>
/// <see cref="UrlSecrets"/>: userinfo is RFC 3986 §3.2.1 <c>scheme://userinfo@host</c>; it ends at the first '/', '?',
/// '#' or '@', so an '@' in a path is no userinfo.
/// </summary>
public sealed class UrlSecretsTests
{
    [Theory]
    [InlineData("https://user:TOKEN@git.example.com/fleet.git", "https://***@git.example.com/fleet.git")]
    [InlineData("https://TOKEN@github.com/org/fleet.git", "https://***@github.com/org/fleet.git")]
    [InlineData("ssh://git:pw@host:2222/fleet.git", "ssh://***@host:2222/fleet.git")]
    [InlineData("https://git.example.com/fleet.git", "https://git.example.com/fleet.git")]
    [InlineData("https://git.example.com/users/a@b/fleet.git", "https://git.example.com/users/a@b/fleet.git")]
    [InlineData("git@github.com:org/fleet.git", "git@github.com:org/fleet.git")]
    [InlineData("/srv/fleet.git", "/srv/fleet.git")]
    [InlineData("https://***@h/x: authentication failed: too many redirects", "https://***@h/x: authentication failed: too many redirects")]
    [InlineData("fetch https://a:b@h1/x then https://c:d@h2/y failed", "fetch https://***@h1/x then https://***@h2/y failed")]
    public void Redact_UserInfoOfEveryUrlInTheText_Masked(string text, string expected) => Assert.Equal(expected, UrlSecrets.Redact(text));

    [Fact]
    public void Redact_Null_Null() => Assert.Null(UrlSecrets.Redact(null));

    [Theory]
    [InlineData("https://alice:p%40ss%3Aw@h/r.git", "https://h/r.git", "alice", "p@ss:w")]
    [InlineData("https://alice@h/r.git", "https://h/r.git", "alice", null)]
    [InlineData("https://h/r.git", "https://h/r.git", null, null)]
    [InlineData("git@host:r.git", "git@host:r.git", null, null)]
    public void Split_UserInfo_TakenOffAndPercentDecoded(string url, string bare, string? user, string? password) =>
        Assert.Equal((bare, user, password), UrlSecrets.Split(url));
}
