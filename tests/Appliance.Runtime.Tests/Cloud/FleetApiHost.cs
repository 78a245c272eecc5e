using System.Net.Http.Headers;
using Appliance.Cloud.Http;
using Appliance.Cloud.Http.Api;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>A SQLite collector store (the collector's writer connection) and the HTTP surface on 127.0.0.1:0 reading it
/// through its own store instance, as <c>appliance cloud --http</c> runs them.</summary>
internal sealed class FleetApiHost : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly SqliteStore _apiStore;

    private FleetApiHost(string? token, TimeSpan timeout)
    {
        Writer = new SqliteStore(_db.Path);
        _apiStore = new SqliteStore(_db.Path);
        Options = new FleetHttpOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), token, timeout);
    }

    public SqliteStore Writer { get; }

    public FleetHttpOptions Options { get; }

    public FleetHttpServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string DbPath => _db.Path;

    public static async Task<FleetApiHost> StartAsync(string? token = null, TimeSpan? timeout = null, Func<CollectorCounters>? counters = null)
    {
        var host = new FleetApiHost(token, timeout ?? FleetHttpOptions.DefaultHeartbeatTimeout);
        host.Server = await FleetHttpServer.StartAsync(host.Options, new FleetApi(host._apiStore, host.Options, counters), null);
        host.Client = new HttpClient { BaseAddress = host.Server.Address };
        if (token is not null)
        {
            host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return host;
    }

    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCodeExpectation expected = default)
    {
        using HttpResponseMessage r = await Client.GetAsync(path);
        string body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == (expected.Status == 0 ? 200 : expected.Status), $"GET {path}: {(int)r.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _apiStore.Dispose();
        Writer.Dispose();
        _db.Dispose();
    }
}

/// <summary>The status a call is expected to answer (default 200).</summary>
internal readonly record struct HttpStatusCodeExpectation(int Status);
