using System.Globalization;
using Appliance.Cloud.Control;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>
/// The API's commands to devices (docs/api.md, issue 16 item 4): <c>POST /api/devices/{id}/commands</c> records a command
/// through <see cref="CommandService"/> in the API's store; the running collector on the same store delivers it over the
/// ROUTER and records the device's result, which <c>GET /api/commands/{id}</c> and <c>GET /api/commands</c> read back.
/// Every refusal is an <see cref="ApiInputException"/> naming the route value or body member at fault.
/// </summary>
public sealed class CommandsApi
{
    private const string Expected = "a JSON object such as {\"verb\": \"identify\", \"args\": [\"10\"], \"ttl_s\": 600, \"by\": \"operator name\"}";

    private readonly FleetApi _api;
    private readonly CommandService _commands;
    private readonly DeviceRegistry _registry;

    /// <summary>Creates the handlers over the API's store.</summary>
    /// <param name="api">The fleet API (its store must be a SQLite or PostgreSQL collector store).</param>
    /// <exception cref="NotSupportedException">The store has no control tables.</exception>
    public CommandsApi(FleetApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var store = api.Fleet as ICollectorStore ?? throw new NotSupportedException($"{api.Fleet} is not a collector store");
        _api = api;
        _commands = new CommandService(store);
        _registry = new DeviceRegistry(store);
    }

    /// <summary>Most commands one list returns unless <c>limit</c> says otherwise.</summary>
    public const int DefaultLimit = 100;

    /// <summary><c>POST /api/devices/{id}/commands</c>: 202 with the pending command and <c>Location: /api/commands/{id}</c>.</summary>
    public async Task Enqueue(HttpContext ctx)
    {
        string device = DeviceId((string)ctx.Request.RouteValues["id"]!, "id");
        CommandRequest body = await ApiBody.ReadAsync(ctx, ApiJsonContext.Default.CommandRequest, Expected)
            ?? throw new ApiInputException(400, "body", $"request body: empty (expected {Expected})");
        string verb = body.Verb ?? throw new ApiInputException(400, "verb", $"verb: missing (expected one of {string.Join(", ", CommandService.Verbs)})");
        IReadOnlyList<string> args = body.Args is null ? [] : [.. body.Args.Select(a => a ?? throw new ApiInputException(400, "args", "args: expected an array of strings, found null"))];
        long maxTtl = (long)CommandService.MaxTtl.TotalSeconds;
        TimeSpan? ttl = body.TtlS switch
        {
            null => null,
            long s when s is >= 1 && s <= maxTtl => TimeSpan.FromSeconds(s),
            long s => throw new ApiInputException(400, "ttl_s", $"ttl_s={s}: expected whole seconds from 1 to {maxTtl} (7 days)"),
        };
        CommandRecord record;
        try
        {
            record = _commands.Enqueue(device, verb, args, body.By ?? "api", ttl);
        }
        catch (ArgumentException e)
        {
            throw e.ParamName switch
            {
                "deviceId" when _registry.IsRevoked(device) => new ApiInputException(409, "id", e.Message),
                "deviceId" => new ApiInputException(404, "id", e.Message),
                "arguments" => new ApiInputException(400, "args", e.Message),
                "requestedBy" => new ApiInputException(400, "by", $"by: expected 1 to {WireLimits.MaxNameLength} characters, not blank ({e.Message})"),
                "verb" => new ApiInputException(400, "verb", e.Message),
                _ => new ApiInputException(400, "body", e.Message),
            };
        }

        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        ctx.Response.Headers.Location = "/api/commands/" + record.Id.ToString(CultureInfo.InvariantCulture);
        await ctx.Response.WriteAsJsonAsync(View(record), ApiJsonContext.Default.CommandView, cancellationToken: ctx.RequestAborted);
    }

    /// <summary>
    /// <c>POST /hooks/git?selector=label:KEY=VALUE</c>: the configuration repository changed (a forge's push webhook; its
    /// body is not read), so every device whose labels match gets a <c>pull-config</c> (<see cref="CommandService.EnqueueSelected"/>).
    /// 202 with the pending commands (an empty array when no device matches).
    /// </summary>
    public async Task GitHook(HttpContext ctx)
    {
        var q = new QueryArguments(ctx.Request.Query);
        string selector = q.Text("selector") ?? throw new ApiInputException(400, "selector", "selector: missing (expected label:KEY=VALUE, for example label:site=plant-a)");
        IReadOnlyList<CommandRecord> records;
        try
        {
            records = _commands.EnqueueSelected(selector, "pull-config", [], q.Text("by") ?? "hooks/git");
        }
        catch (ArgumentException e)
        {
            throw new ApiInputException(400, e.ParamName == "requestedBy" ? "by" : "selector", e.Message.Split(" (Parameter")[0]);
        }

        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        IReadOnlyList<CommandView> views = [.. records.Select(View)];
        await ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListCommandView, cancellationToken: ctx.RequestAborted);
    }

    /// <summary><c>GET /api/commands?device=&amp;limit=</c>, latest first.</summary>
    public Task List(HttpContext ctx)
    {
        var q = new QueryArguments(ctx.Request.Query);
        string? device = q.Text("device") is { } d ? DeviceId(d, "device") : null;
        if (device is not null && !_api.Devices().Any(r => r.DeviceId == device) && !_registry.List().Any(k => k.DeviceId == device))
        {
            _api.Device(device, "device");
        }

        IReadOnlyList<CommandView> views = [.. _commands.List(device, q.Limit(DefaultLimit)).Select(View)];
        return ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListCommandView);
    }

    /// <summary><c>GET /api/commands/{id}</c>.</summary>
    public Task Get(HttpContext ctx)
    {
        string text = (string)ctx.Request.RouteValues["id"]!;
        long id = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 1 ? n
            : throw new ApiInputException(400, "id", $"command id '{text}': expected a positive integer");
        CommandRecord record = _commands.Get(id) ?? throw new ApiInputException(404, "id", $"command {id}: no such command in the collector store");
        return ctx.Response.WriteAsJsonAsync(View(record), ApiJsonContext.Default.CommandView);
    }

    /// <summary>The API's view of a stored command.</summary>
    /// <param name="r">The store's row.</param>
    /// <returns>The view.</returns>
    public static CommandView View(CommandRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new CommandView(r.Id, r.DeviceId, r.Verb, r.Arguments, r.RequestedBy, r.State, r.IsFinal, ApiTime.Iso(r.CreatedNs),
            ApiTime.Iso(r.ExpiresNs), r.SentNs == 0 ? null : ApiTime.Iso(r.SentNs), r.Attempts, r.Result,
            r.CompletedNs == 0 ? null : ApiTime.Iso(r.CompletedNs));
    }

    private static string DeviceId(string id, string field) => WireLimits.IsDeviceId(id) ? id
        : throw new ApiInputException(400, field, $"{field} '{id}': expected 1 to {WireLimits.MaxDeviceIdLength} letters, digits, '-', '_' or '.'");
}
