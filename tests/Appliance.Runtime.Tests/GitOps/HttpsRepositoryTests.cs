namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// Issue 14 item 19: an <c>https://</c> configuration repository behind a local HTTPS git server (<see cref="HttpsGitServer"/>:
/// TLS with a self-signed certificate, basic authentication, <c>git http-backend</c>). Credentials come from a token
/// file or the URL; neither the token nor the URL's userinfo is shown, stored in the clone, or written to the status.
/// </summary>
public sealed class HttpsRepositoryTests : IDisposable
{
    private const string Token = "ghp_s3cretT0ken";
    private readonly GitWorkspace _ws = new();
    private readonly HttpsGitServer _server;
    private readonly string _ca;
    private readonly string _tip;

    public HttpsRepositoryTests()
    {
        _tip = _ws.Commit(null, "appliance.toml", ReconcilerTests.Toml(10));
        _server = new HttpsGitServer(_ws.Root, "alice", Token);
        _ca = Path.Combine(_ws.Root, "server.pem");
        File.WriteAllText(_ca, _server.CertificatePem);
    }

    private string Url => _server.BaseUrl + "/remote.git";

    public void Dispose()
    {
        _server.Dispose();
        _ws.Dispose();
    }

    [Fact]
    public void Fetch_TokenFileWithTheRightToken_Cloned()
    {
        var repo = new ConfigRepository(Url.Replace("https://", "https://alice@", StringComparison.Ordinal), _ws.State, new RepositoryAccess(TokenFile(Token), _ca));

        repo.Fetch();

        Assert.Equal(_tip, repo.Tip("main"));
        Assert.True(_server.Refused >= 1); // libgit2 asked for the credentials after a 401, as it does for every https remote
    }

    [Fact]
    public void Fetch_TokenFileWithAWrongToken_AuthenticationFailedInOneLineWithoutTheToken()
    {
        var repo = new ConfigRepository(Url, _ws.State, new RepositoryAccess(TokenFile("wrong-T0ken"), _ca));

        var e = Assert.Throws<GitOpsException>(repo.Fetch);

        Assert.Equal(GitOpsFailure.Authentication, e.Failure);
        Assert.StartsWith(Url + ": authentication failed: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("wrong-T0ken", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_TokenInTheUrl_ClonedWithTheUrlRedactedAndNoTokenStoredInTheClone()
    {
        var repo = new ConfigRepository(Url.Replace("https://", $"https://alice:{Token}@", StringComparison.Ordinal), _ws.State, new RepositoryAccess(null, _ca));

        repo.Fetch();

        Assert.Equal(_tip, repo.Tip("main"));
        Assert.Equal(Url.Replace("https://", "https://***@", StringComparison.Ordinal), repo.Url);
        Assert.DoesNotContain(Token, File.ReadAllText(Path.Combine(_ws.State, "repo", "config")), StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_ServerCertificateNotInTheCaFileNorTheSystemStore_Refused()
    {
        var repo = new ConfigRepository(Url, _ws.State, new RepositoryAccess(TokenFile(Token), caFile: null));

        var e = Assert.Throws<GitOpsException>(repo.Fetch);

        Assert.Contains("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _server.Refused); // refused before any request, so no credentials were sent
    }

    [Fact]
    public async Task Reconciler_WrongTokenInTheUrl_StatusAndLogShowTheUrlRedacted()
    {
        var url = Url.Replace("https://", "https://alice:wrong-T0ken@", StringComparison.Ordinal);
        var log = new TextLogger();
        using var r = new Reconciler(
            new ReconcilerOptions
            {
                Url = url,
                StateDirectory = _ws.State,
                Access = new RepositoryAccess(null, _ca),
                Verifier = CommitVerifier.Insecure(),
                BakedInToml = DefaultConfig.Toml,
                CheckBuses = false,
            },
            new FakeTarget(),
            log);

        await r.StartAsync(CancellationToken.None);
        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.StartsWith(Url.Replace("https://", "https://***@", StringComparison.Ordinal) + ": authentication failed", r.ConfigError, StringComparison.Ordinal);
        var status = File.ReadAllText(r.StatusPath);
        Assert.Contains("https://***@127.0.0.1", status, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-T0ken", status, StringComparison.Ordinal);
        Assert.Contains("Fetch from https://***@127.0.0.1", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-T0ken", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RepositoryAccess_DefaultTokenFileInTheStateDirectory_Used()
    {
        Directory.CreateDirectory(_ws.State);
        File.WriteAllText(Path.Combine(_ws.State, RepositoryAccess.DefaultTokenFile), Token + "\n");

        var repo = new ConfigRepository(Url.Replace("https://", "https://alice@", StringComparison.Ordinal), _ws.State, RepositoryAccess.For(_ws.State, tokenFile: null, _ca));
        repo.Fetch();

        Assert.Equal(_tip, repo.Tip("main"));
    }

    [Fact]
    public void RepositoryAccess_MissingFiles_OneLineNamingTheFile()
    {
        var missing = Path.Combine(_ws.Root, "nope");
        Assert.Equal($"{missing}: repository token file not found", Assert.Throws<ArgumentException>(() => new RepositoryAccess(missing, null)).Message);
        Assert.Equal($"{missing}: repository CA file not found", Assert.Throws<ArgumentException>(() => new RepositoryAccess(null, missing)).Message);
        var notPem = TokenFile("not a certificate");
        Assert.StartsWith($"{notPem}: no PEM certificate", Assert.Throws<ArgumentException>(() => new RepositoryAccess(null, notPem)).Message, StringComparison.Ordinal);
    }

    private string TokenFile(string token)
    {
        var path = Path.Combine(_ws.Root, "token-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, token + "\n");
        return path;
    }

    private sealed class TextLogger : ILogger
    {
        private readonly StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_text)
            {
                _text.AppendLine(formatter(state, exception));
            }
        }
    }
}
