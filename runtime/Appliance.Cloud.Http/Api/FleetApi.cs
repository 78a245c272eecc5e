using System.Text.Json;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Rollups;
using Appliance.Cloud.Storage;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>
/// The JSON API's handlers (docs/api.md), each a <see cref="RequestDelegate"/> (no reflection-based parameter binding: Native
/// AOT safe). Reads go through <paramref name="fleet"/>, a store instance with its own connection, never the collector's.
/// The fleet list is read at most every <see cref="FleetCacheAge"/> (each page and poll would otherwise count every
/// device's rows); online is decided per request from the clock.
/// </summary>
/// <param name="fleet">The API's own store.</param>
/// <param name="options">Heartbeat timeout.</param>
/// <param name="counters">The running collector's counters; null when no collector runs in this process.</param>
public sealed class FleetApi(IFleetReader fleet, FleetHttpOptions options, Func<CollectorCounters>? counters)
{
    /// <summary>How long a read of the fleet list is reused.</summary>
    public static readonly TimeSpan FleetCacheAge = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private IReadOnlyList<DeviceRecord> _devices = [];
    private long _devicesReadAt;
    private bool _devicesRead;

    /// <summary>The store the API reads.</summary>
    public IFleetReader Fleet => fleet;

    /// <summary>The options served.</summary>
    public FleetHttpOptions Options => options;

    /// <summary>The collector's rollout controller (<c>--rollouts-repo</c>): serves <c>/api/rollouts</c>; null when none runs.</summary>
    public global::Appliance.Cloud.Rollouts.RolloutController? Rollouts { get; init; }

    /// <summary>The fleet's rows (cached for <see cref="FleetCacheAge"/>).</summary>
    /// <returns>Devices ordered by id.</returns>
    public IReadOnlyList<DeviceRecord> Devices() => Devices(force: false);

    /// <summary>One device's row (a device not in the cached list is looked for again in the store), or a 404 naming
    /// <paramref name="field"/>.</summary>
    public DeviceRecord Device(string id, string field) =>
        Devices().FirstOrDefault(d => d.DeviceId == id) ?? Devices(force: true).FirstOrDefault(d => d.DeviceId == id)
        ?? throw new ApiInputException(404, field, $"{field} '{id}': no such device in the collector store (GET /api/devices lists them)");

    private IReadOnlyList<DeviceRecord> Devices(bool force)
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            if (force || !_devicesRead || now - _devicesReadAt >= FleetCacheAge.TotalMilliseconds)
            {
                _devices = fleet.GetDevices();
                _devicesReadAt = now;
                _devicesRead = true;
            }

            return _devices;
        }
    }

    /// <summary><c>GET /api/devices</c>.</summary>
    public Task ListDevices(HttpContext ctx)
    {
        long now = ApiTime.NowNs();
        IReadOnlyList<DeviceView> views = [.. Devices().Select(d => FleetViews.Device(d, now, options.HeartbeatTimeout))];
        return ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListDeviceView);
    }

    /// <summary><c>GET /api/devices/{id}</c>.</summary>
    public Task GetDevice(HttpContext ctx)
    {
        DeviceRecord d = Device((string)ctx.Request.RouteValues["id"]!, "id");
        return ctx.Response.WriteAsJsonAsync(FleetViews.Device(d, ApiTime.NowNs(), options.HeartbeatTimeout), ApiJsonContext.Default.DeviceView);
    }

    /// <summary><c>GET /api/summaries?device=&amp;sensor=&amp;from=&amp;to=&amp;limit=</c>, latest window first.</summary>
    public Task ListSummaries(HttpContext ctx)
    {
        var q = new QueryArguments(ctx.Request.Query);
        string? device = q.Text("device");
        if (device is not null)
        {
            Device(device, "device");
        }

        (long from, long to) = q.Range(ApiTime.NowNs());
        var rows = fleet.QuerySummaries(new SummaryQuery(device, q.Text("sensor"), from, to, q.Limit(1000)));
        IReadOnlyList<SummaryView> views = [.. rows.Select(FleetViews.Summary)];
        return ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListSummaryView);
    }

    /// <summary><c>GET /api/alerts?device=&amp;since=&amp;to=&amp;detector=&amp;acknowledged=&amp;limit=</c>, latest first.</summary>
    public Task ListAlerts(HttpContext ctx)
    {
        var q = new QueryArguments(ctx.Request.Query);
        string? device = q.Text("device");
        if (device is not null)
        {
            Device(device, "device");
        }

        long since = q.Time("since", 0);
        long to = q.Time("to", long.MaxValue);
        if (since >= to)
        {
            throw new ApiInputException(400, "since", $"since={ApiTime.Iso(since)}: expected a time before to={ApiTime.Iso(to)}");
        }

        var rows = fleet.QueryAlerts(new AlertQuery(device, since, to, q.Text("detector"), q.Bool("acknowledged"), q.Limit(1000)));
        IReadOnlyList<AlertView> views = [.. rows.Select(FleetViews.Alert)];
        return ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListAlertView);
    }

    /// <summary><c>POST /api/alerts/{id}/ack</c> with an optional body <c>{"by": "name"}</c>.</summary>
    public async Task Acknowledge(HttpContext ctx)
    {
        (string device, long seq) = FleetViews.ParseAlertId((string)ctx.Request.RouteValues["id"]!);
        AckRequest? body = await ApiBody.ReadAsync(ctx, ApiJsonContext.Default.AckRequest, "nothing, or a JSON object such as {\"by\": \"operator name\"}");
        StoredAlert? alert = fleet.AcknowledgeAlert(device, seq, ApiTime.NowNs(), body?.By ?? "api")
            ?? throw new ApiInputException(404, "id", $"alert '{device}:{seq}': no such alert in the collector store");
        await ctx.Response.WriteAsJsonAsync(FleetViews.Alert(alert), ApiJsonContext.Default.AlertView, cancellationToken: ctx.RequestAborted);
    }

    /// <summary><c>POST /api/alerts/{id}/label</c> with the body <c>{"label": true|false}</c> (issue 18 item 5).</summary>
    public async Task Label(HttpContext ctx)
    {
        (string device, long seq) = FleetViews.ParseAlertId((string)ctx.Request.RouteValues["id"]!);
        const string Expected = "a JSON object such as {\"label\": true} (true: a true anomaly, false: a false alarm)";
        LabelRequest? body = await ApiBody.ReadAsync(ctx, ApiJsonContext.Default.LabelRequest, Expected);
        bool label = body?.Label ?? throw new ApiInputException(400, body is null ? "body" : "label", $"label: missing (expected {Expected})");
        StoredAlert? alert = fleet.LabelAlert(device, seq, label, ApiTime.NowNs())
            ?? throw new ApiInputException(404, "id", $"alert '{device}:{seq}': no such alert in the collector store");
        await ctx.Response.WriteAsJsonAsync(FleetViews.Alert(alert), ApiJsonContext.Default.AlertView, cancellationToken: ctx.RequestAborted);
    }

    /// <summary><c>GET /api/rollups?sensor=&amp;every=1m|1h&amp;by=device|label:KEY&amp;since=&amp;until=</c>: the rows of
    /// <c>appliance cloud rollup</c> as a JSON array (<see cref="RollupJson"/>); since defaults to an hour ago, until to now,
    /// and the range is at most <see cref="QueryArguments.MaxRange"/>.</summary>
    public async Task ListRollups(HttpContext ctx)
    {
        var q = new QueryArguments(ctx.Request.Query);
        long now = ApiTime.NowNs();
        long until = q.Time("until", now);
        long since = q.Time("since", until - RollupQuery.HourNs);
        if (until - since > QueryArguments.MaxRange.Ticks * 100)
        {
            throw new ApiInputException(400, "since", $"since={ApiTime.Iso(since)}: expected a range of at most {QueryArguments.MaxRange.TotalDays} days before until={ApiTime.Iso(until)}");
        }

        RollupQuery query;
        try
        {
            query = RollupQuery.Parse(q.Text("sensor") ?? "", q.Text("every") ?? "1m", q.Text("by") ?? "device", since, until);
        }
        catch (ArgumentException ex)
        {
            throw new ApiInputException(400, ex.ParamName ?? "sensor", ex.Message.Split(" (Parameter")[0]);
        }

        IReadOnlyList<RollupRow> rows = fleet.QueryRollups(query);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        using (var w = new Utf8JsonWriter(ctx.Response.BodyWriter))
        {
            w.WriteStartArray();
            foreach (RollupRow row in rows)
            {
                RollupJson.Write(w, query, row);
            }

            w.WriteEndArray();
        }

        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary><c>GET /api/stats</c>.</summary>
    public Task Stats(HttpContext ctx)
    {
        CollectorStats s = fleet.GetStats();
        CollectorCounters c = counters?.Invoke() ?? default;
        long now = ApiTime.NowNs();
        long online = Devices().Count(d => FleetViews.Device(d, now, options.HeartbeatTimeout).Online);
        var view = new StatsView(s.Devices, online, s.Summaries, s.Alerts, s.DuplicatesRejected, s.MalformedDropped, s.IdentitiesUnauthenticated,
            new CollectorView(c.Received, c.Stored, c.Duplicates, c.Malformed, c.AcksSent, c.StoreFaults, c.Quarantined, c.Routes, c.WalBytes));
        return ctx.Response.WriteAsJsonAsync(view, ApiJsonContext.Default.StatsView);
    }
}
