using System.Data.Common;
using Appliance.Cloud.Http.Api;
using Appliance.Cloud.Http.Dashboard;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Appliance.Cloud.Http;

/// <summary>
/// The collector's HTTP surface on Kestrel (ASP.NET Core minimal APIs, <c>WebApplication.CreateSlimBuilder</c>: no
/// reflection-based binding, source-generated JSON, Native AOT safe): the JSON API under <c>/api</c> (docs/api.md), the
/// dashboard at <c>/</c>, and <c>/metrics</c> (OpenTelemetry's Prometheus exporter over <see cref="CollectorMetrics"/>).
/// Every refusal is an RFC 9457 problem with a <c>field</c>; a store that fails answers 503, never a bare 500.
/// </summary>
public sealed class FleetHttpServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted, bytes (an acknowledgement's body is a few dozen).</summary>
    public const long MaxBodyBytes = 16 * 1024;

    private readonly WebApplication _app;
    private readonly MeterProvider _meters;

    private FleetHttpServer(WebApplication app, MeterProvider meters, Uri address)
    {
        _app = app;
        _meters = meters;
        Address = address;
    }

    /// <summary>The address served, e.g. <c>http://127.0.0.1:8080/</c> (the bound port when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Builds and starts the server.</summary>
    /// <param name="options">Where to listen, the token, the heartbeat timeout.</param>
    /// <param name="api">The handlers over the API's own store.</param>
    /// <param name="logging">Where Kestrel's own warnings go; null for nowhere.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException">A non-loopback address without a token.</exception>
    /// <exception cref="IOException">The address cannot be bound (e.g. in use).</exception>
    public static async Task<FleetHttpServer> StartAsync(FleetHttpOptions options, FleetApi api, ILoggerFactory? logging)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(api);
        if (!options.IsLoopback && options.Token is null)
        {
            throw new ArgumentException($"--http {options.Endpoint}: not a loopback address, so the API needs a token: give --http-token-file FILE");
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            builder.Services.AddSingleton(logging);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Listen(options.Endpoint);
        });
        MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(CollectorMetrics.MeterName).AddPrometheusExporter().Build();
        WebApplication app = builder.Build();
        app.Use(Problems);
        if (options.Token is { } token)
        {
            app.Use(new TokenGate(token).Check);
        }

        app.MapPrometheusScrapingEndpoint("/metrics", meters, null, null);
        RouteGroupBuilderExtensions(app, api);
        await app.StartAsync();
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FleetHttpServer(app, meters, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Stops listening and waits for requests in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _meters.Dispose();
    }

    private static void RouteGroupBuilderExtensions(WebApplication app, FleetApi api)
    {
        var g = app.MapGroup("/api");
        g.MapGet("/devices", (RequestDelegate)api.ListDevices);
        g.MapGet("/devices/{id}", (RequestDelegate)api.GetDevice);
        g.MapGet("/summaries", (RequestDelegate)api.ListSummaries);
        g.MapGet("/alerts", (RequestDelegate)api.ListAlerts);
        g.MapPost("/alerts/{id}/ack", (RequestDelegate)api.Acknowledge);
        g.MapPost("/alerts/{id}/label", (RequestDelegate)api.Label);
        g.MapGet("/stats", (RequestDelegate)api.Stats);
        g.MapGet("/rollups", (RequestDelegate)api.ListRollups);
        var clips = new ClipsApi(api);
        g.MapGet("/devices/{id}/clips", (RequestDelegate)clips.List);
        g.MapGet("/clips/{id}", (RequestDelegate)clips.Get);
        if (api.Fleet is ICollectorStore)
        {
            var commands = new CommandsApi(api);
            g.MapPost("/devices/{id}/commands", (RequestDelegate)commands.Enqueue);
            g.MapGet("/commands", (RequestDelegate)commands.List);
            g.MapGet("/commands/{id}", (RequestDelegate)commands.Get);
            app.MapPost("/hooks/git", (RequestDelegate)commands.GitHook);
        }

        if (api.Rollouts is { } controller)
        {
            var rollouts = new RolloutsApi(controller);
            g.MapGet("/rollouts", (RequestDelegate)rollouts.List);
            g.MapGet("/rollouts/{name}", (RequestDelegate)rollouts.Get);
        }

        g.Map("/{**rest}", (RequestDelegate)(ctx => throw new ApiInputException(404, "path", $"{ctx.Request.Method} {ctx.Request.Path}: no such API call (docs/api.md lists them)")));
        var pages = new DashboardPages(api);
        app.MapGet("/", (RequestDelegate)pages.Fleet);
        app.MapGet("/devices/{id}", (RequestDelegate)pages.Device);
        app.MapGet("/alerts", (RequestDelegate)pages.Alerts);
    }

    /// <summary>Turns refusals into RFC 9457 problems: <see cref="ApiInputException"/> with its status, a request Kestrel
    /// refused (body too large, malformed) with its status, a store failure as 503.</summary>
    private static async Task Problems(HttpContext ctx, RequestDelegate next)
    {
        try
        {
            await next(ctx);
        }
        catch (ApiInputException e) when (!ctx.Response.HasStarted)
        {
            await Write(ctx, e.Status, e.Field, e.Message);
        }
        catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
        {
            await Write(ctx, e.StatusCode, "body", e.Message);
        }
        catch (DbException e) when (!ctx.Response.HasStarted)
        {
            await Write(ctx, StatusCodes.Status503ServiceUnavailable, "store", "collector store unavailable: " + e.Message);
        }
    }

    private static Task Write(HttpContext ctx, int status, string field, string detail)
    {
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        var problem = new ApiProblem("about:blank", ReasonPhrases.GetReasonPhrase(status), status, detail, field);
        return ctx.Response.WriteAsJsonAsync(problem, ApiJsonContext.Default.ApiProblem, "application/problem+json");
    }
}
