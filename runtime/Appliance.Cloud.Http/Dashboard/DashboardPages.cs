using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Appliance.Cloud.Http.Api;
using Appliance.Cloud.Storage;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Dashboard;

/// <summary>
/// The dashboard: server-rendered HTML with a little JavaScript, no build step. <c>/</c> is the fleet table (rows
/// <c>tr[data-device]</c> carrying the device id as text; a script re-reads <c>/api/devices</c> every
/// <see cref="PollSeconds"/> s so a silent device turns offline without a reload), <c>/devices/{id}</c> a device with one
/// <see cref="SensorChart"/> per sensor channel over the last hour and the <see cref="CommandsPanel"/>, <c>/alerts</c> the latest alerts
/// with an Acknowledge button each (<c>POST /api/alerts/{id}/ack</c>).
/// </summary>
/// <param name="api">The API whose reads the pages share.</param>
public sealed class DashboardPages(FleetApi api)
{
    /// <summary>How often the fleet table re-reads the API, seconds.</summary>
    public const int PollSeconds = 1;

    /// <summary>Range of the device page's charts: the last hour.</summary>
    public static readonly TimeSpan ChartRange = TimeSpan.FromHours(1);

    private static readonly HtmlEncoder Enc = HtmlEncoder.Default;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse}
        td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}.online{color:#070}.offline{color:#b00;font-weight:bold}
        nav a{margin-right:1rem}.chart svg{background:#fafafa}.frame{fill:none;stroke:#ccc}.band{fill:#9cf;opacity:.5}
        .mean{fill:none;stroke:#036;stroke-width:1}.window{fill:#036}.alert{stroke:#d00;stroke-width:2}
        """;

    /// <summary><c>GET /</c>: the fleet table.</summary>
    public Task Fleet(HttpContext ctx)
    {
        var html = Begin("Fleet");
        html.Append("<h1>Fleet</h1>\n<table id=\"fleet\"><thead><tr><th>device</th><th>state</th><th>last seen (UTC)</th><th>config</th>")
            .Append("<th>config state</th><th>sensors</th><th>summaries</th><th>alerts</th><th>journal backlog</th></tr></thead><tbody>\n");
        long now = ApiTime.NowNs();
        foreach (DeviceRecord d in api.Devices())
        {
            DeviceView v = FleetViews.Device(d, now, api.Options.HeartbeatTimeout);
            html.Append(C, $"<tr data-device=\"{Enc.Encode(v.DeviceId)}\"><td><a href=\"/devices/{Uri.EscapeDataString(v.DeviceId)}\">{Enc.Encode(v.DeviceId)}</a></td>")
                .Append(C, $"<td class=\"{State(v)}\">{State(v)}</td><td>{v.LastSeen}</td><td>{Enc.Encode(Short(v.ConfigRevision))}</td><td>{Enc.Encode(v.ConfigState)}</td>")
                .Append(C, $"<td>{Enc.Encode(Sensors(v))}</td><td>{v.Summaries}</td><td>{v.Alerts}</td><td>{v.Journal.Backlog}</td></tr>\n");
        }

        html.Append("</tbody></table>\n<script>\n").Append(C, $"const pollMs = {PollSeconds * 1000};\n").Append("""
            function sensors(v) { const bad = v.sensors.filter(s => s.health !== 'ok').length; return v.sensors.length + ' (' + (bad ? bad + ' not ok' : 'ok') + ')'; }
            async function refresh() {
              try {
                const r = await fetch('/api/devices', { credentials: 'same-origin' });
                if (!r.ok) return;
                const body = document.querySelector('#fleet tbody'); const rows = [];
                for (const v of await r.json()) {
                  const tr = document.createElement('tr'); tr.dataset.device = v.device_id;
                  const a = document.createElement('a'); a.href = '/devices/' + encodeURIComponent(v.device_id); a.textContent = v.device_id;
                  const first = document.createElement('td'); first.appendChild(a); tr.appendChild(first);
                  const state = v.online ? 'online' : 'offline';
                  for (const [text, cls] of [[state, state], [v.last_seen], [v.config_revision.slice(0, 12)], [v.config_state], [sensors(v)],
                                             [String(v.summaries)], [String(v.alerts)], [String(v.journal.backlog)]]) {
                    const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
                  }
                  rows.push(tr);
                }
                body.replaceChildren(...rows);
              } catch (e) { /* the next poll tries again */ }
            }
            setInterval(refresh, pollMs);
            </script>
            """);
        return End(ctx, html);
    }

    /// <summary><c>GET /devices/{id}</c>: one device, its sensors' charts over the last hour, and the commands panel.</summary>
    public Task Device(HttpContext ctx)
    {
        DeviceRecord d = api.Device((string)ctx.Request.RouteValues["id"]!, "id");
        long now = ApiTime.NowNs();
        DeviceView v = FleetViews.Device(d, now, api.Options.HeartbeatTimeout);
        var html = Begin("Device " + v.DeviceId);
        html.Append(C, $"<h1>Device <span id=\"device-id\">{Enc.Encode(v.DeviceId)}</span> <span class=\"{State(v)}\">{State(v)}</span></h1>\n<dl>")
            .Append(C, $"<dt>last seen</dt><dd>{v.LastSeen}</dd><dt>config</dt><dd>{Enc.Encode(v.ConfigRevision)} ({Enc.Encode(v.ConfigState)}) {Enc.Encode(v.ConfigError)}</dd>")
            .Append(C, $"<dt>model</dt><dd>{Enc.Encode(v.Model)} {Enc.Encode(v.ModelRejection)} on {Enc.Encode(v.ExecutionProvider)}</dd>")
            .Append(C, $"<dt>journal backlog</dt><dd>{v.Journal.Backlog} messages, {v.Journal.Bytes} of {v.Journal.BudgetBytes} bytes; {v.Link.Retransmits} retransmits</dd></dl>\n")
            .Append("<h2>Sensors</h2><table id=\"sensors\"><thead><tr><th>sensor</th><th>health</th><th>reason</th><th>faults</th><th>rate (Hz)</th><th>jitter p99 (µs)</th></tr></thead><tbody>\n");
        foreach (SensorView s in v.Sensors)
        {
            html.Append(C, $"<tr><td>{Enc.Encode(s.Name)}</td><td>{Enc.Encode(s.Health)}</td><td>{Enc.Encode(s.Reason)}</td><td>{s.Faults}</td><td>{s.RateHz}</td><td>{s.JitterP99Us}</td></tr>\n");
        }

        long from = now - (ChartRange.Ticks * 100);
        html.Append(C, $"</tbody></table>\n<h2>Last hour</h2>\n<p>Windows from {ApiTime.Iso(from)} to {ApiTime.Iso(now)} (UTC); red lines are alerts.</p>\n");
        var windows = api.Fleet.QuerySummaries(new SummaryQuery(v.DeviceId, null, from, now, 200_000));
        var alerts = api.Fleet.QueryAlerts(new AlertQuery(v.DeviceId, from, now, null, null, 10_000));
        foreach (var channel in windows.GroupBy(w => (w.Sensor, w.Channel)).OrderBy(g => g.Key.Sensor, StringComparer.Ordinal).ThenBy(g => g.Key.Channel, StringComparer.Ordinal))
        {
            SensorChart.Render(html, v.DeviceId, channel.Key.Sensor, channel.Key.Channel, from, now, [.. channel],
                [.. alerts.Where(a => a.Sensor == channel.Key.Sensor && a.Channel == channel.Key.Channel)]);
        }

        html.Append("<h2>Clips</h2><table id=\"clips\"><thead><tr><th>start (UTC)</th><th>end</th><th>camera</th><th>bytes</th><th>state</th><th>sha256</th></tr></thead><tbody>\n");
        foreach (ClipView c in api.Fleet.GetClips(v.DeviceId).Take(100).Select(ClipsApi.View))
        {
            string start = c.State == "complete" ? $"<a href=\"/api/clips/{c.Id}\">{c.Start}</a>" : c.Start;
            html.Append(C, $"<tr><td>{start}</td><td>{c.End}</td><td>{Enc.Encode(c.Camera)}</td><td>{c.Bytes}</td><td>{c.State} ({c.ChunksStored}/{c.Chunks})</td><td>{c.Sha256}</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
        CommandsPanel.Render(html, v.DeviceId);
        return End(ctx, html);
    }

    /// <summary><c>GET /alerts[?device=ID]</c>: the latest 200 alerts, acknowledged or not.</summary>
    public Task Alerts(HttpContext ctx)
    {
        string? device = new QueryArguments(ctx.Request.Query).Text("device");
        if (device is not null)
        {
            api.Device(device, "device");
        }

        var html = Begin("Alerts");
        html.Append("<h1>Alerts</h1>\n<table id=\"alerts\"><thead><tr><th>time (UTC)</th><th>device</th><th>sensor</th><th>channel</th><th>detector</th><th>score</th><th>acknowledged</th></tr></thead><tbody>\n");
        foreach (StoredAlert a in api.Fleet.QueryAlerts(new AlertQuery(device, 0, long.MaxValue, null, null, 200)))
        {
            AlertView v = FleetViews.Alert(a);
            html.Append(C, $"<tr data-alert=\"{Enc.Encode(v.Id)}\"><td>{v.Time}</td><td><a href=\"/devices/{Uri.EscapeDataString(v.DeviceId)}\">{Enc.Encode(v.DeviceId)}</a></td>")
                .Append(C, $"<td>{Enc.Encode(v.Sensor)}</td><td>{Enc.Encode(v.Channel)}</td><td>{Enc.Encode(v.Detector)}</td><td>{Enc.Encode(v.ScoreText)}</td><td class=\"ack\">")
                .Append(v.Acknowledged ? Enc.Encode($"acknowledged by {v.AcknowledgedBy} at {v.AcknowledgedAt}")
                    : $"<button type=\"button\" data-id=\"{Enc.Encode(v.Id)}\">Acknowledge</button>").Append("</td></tr>\n");
        }

        html.Append("""
            </tbody></table>
            <script>
            document.querySelectorAll('#alerts button[data-id]').forEach(b => b.addEventListener('click', async () => {
              b.disabled = true;
              const r = await fetch('/api/alerts/' + encodeURIComponent(b.dataset.id) + '/ack', {
                method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ by: 'dashboard' }) });
              const cell = b.parentElement;
              if (r.ok) { const v = await r.json(); cell.textContent = 'acknowledged by ' + v.acknowledged_by + ' at ' + v.acknowledged_at; }
              else { b.disabled = false; cell.append(' failed: ' + (await r.json()).detail); }
            }));
            </script>
            """);
        return End(ctx, html);
    }

    private static string State(DeviceView v) => v.Online ? "online" : "offline";

    private static string Short(string revision) => revision.Length > 12 ? revision[..12] : revision;

    private static string Sensors(DeviceView v)
    {
        int bad = v.Sensors.Count(s => s.Health != "ok");
        return string.Create(C, $"{v.Sensors.Count} ({(bad == 0 ? "ok" : bad + " not ok")})");
    }

    private static StringBuilder Begin(string title) => new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .Append(Enc.Encode(title)).Append(" · appliance</title><style>").Append(Style).Append("</style></head><body>\n")
        .Append("<nav><a href=\"/\">Fleet</a><a href=\"/alerts\">Alerts</a><a href=\"/api/stats\">Stats</a><a href=\"/metrics\">Metrics</a></nav>\n");

    private static Task End(HttpContext ctx, StringBuilder html)
    {
        html.Append("</body></html>\n");
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(html.ToString(), ctx.RequestAborted);
    }
}
