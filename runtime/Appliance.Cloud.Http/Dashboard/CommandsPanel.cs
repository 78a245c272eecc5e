using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Appliance.Cloud.Control;

namespace Appliance.Cloud.Http.Dashboard;

/// <summary>
/// The device page's commands panel (<c>section#commands</c>): one button per verb of <see cref="CommandService.Verbs"/>
/// (identify with its seconds, set-log-level with its level) posting to <c>POST /api/devices/{id}/commands</c>, and the
/// device's latest <see cref="RecentCommands"/> commands (<c>table#command-list</c>, rows <c>tr[data-command]</c> with
/// <c>td.state</c> and <c>td.result</c>) re-read from <c>GET /api/commands?device=</c> every
/// <see cref="DashboardPages.PollSeconds"/> s, so a result shows without a reload.
/// </summary>
internal static class CommandsPanel
{
    /// <summary>How many of the device's commands the table lists.</summary>
    public const int RecentCommands = 20;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Appends the panel for <paramref name="deviceId"/> to <paramref name="html"/>.</summary>
    /// <param name="html">The page.</param>
    /// <param name="deviceId">The device (a checked device id).</param>
    public static void Render(StringBuilder html, string deviceId)
    {
        html.Append("<section id=\"commands\"><h2>Commands</h2>\n<form id=\"command-form\" onsubmit=\"return false\">")
            .Append("<button type=\"button\" data-verb=\"pull-config\">Pull config</button> ")
            .Append("<label>identify for <input id=\"identify-seconds\" type=\"number\" min=\"1\" max=\"3600\" value=\"10\" size=\"5\"> s</label> ")
            .Append("<button type=\"button\" data-verb=\"identify\">Identify</button> ")
            .Append("<button type=\"button\" data-verb=\"restart-pipeline\">Restart pipeline</button> ")
            .Append("<label>log level <select id=\"log-level\">");
        foreach (string level in CommandService.LogLevels)
        {
            html.Append(C, $"<option{(level == "information" ? " selected" : "")}>{level}</option>");
        }

        html.Append("</select></label> <button type=\"button\" data-verb=\"set-log-level\">Set log level</button></form>\n")
            .Append("<p id=\"command-status\" role=\"status\"></p>\n")
            .Append("<table id=\"command-list\"><thead><tr><th>id</th><th>verb</th><th>args</th><th>by</th><th>created (UTC)</th>")
            .Append("<th>state</th><th>result</th></tr></thead><tbody></tbody></table>\n<script>\n")
            .Append(C, $"const commandDevice = '{JavaScriptEncoder.Default.Encode(deviceId)}';\n")
            .Append(C, $"const commandPollMs = {DashboardPages.PollSeconds * 1000}, commandLimit = {RecentCommands};\n")
            .Append("""
                const commandArgs = { 'identify': () => [document.getElementById('identify-seconds').value],
                                      'set-log-level': () => [document.getElementById('log-level').value] };
                async function refreshCommands() {
                  try {
                    const r = await fetch('/api/commands?device=' + encodeURIComponent(commandDevice) + '&limit=' + commandLimit, { credentials: 'same-origin' });
                    if (!r.ok) return;
                    const rows = [];
                    for (const c of await r.json()) {
                      const tr = document.createElement('tr'); tr.dataset.command = c.id; tr.dataset.verb = c.verb; tr.dataset.state = c.state;
                      for (const [text, cls] of [[String(c.id)], [c.verb], [c.args.join(' ')], [c.by], [c.created], [c.state, 'state'], [c.result, 'result']]) {
                        const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
                      }
                      rows.push(tr);
                    }
                    document.querySelector('#command-list tbody').replaceChildren(...rows);
                  } catch (e) { /* the next poll tries again */ }
                }
                document.querySelectorAll('#command-form button[data-verb]').forEach(b => b.addEventListener('click', async () => {
                  const verb = b.dataset.verb, status = document.getElementById('command-status');
                  b.disabled = true;
                  try {
                    const r = await fetch('/api/devices/' + encodeURIComponent(commandDevice) + '/commands', {
                      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
                      body: JSON.stringify({ verb: verb, args: commandArgs[verb] ? commandArgs[verb]() : [], by: 'dashboard' }) });
                    const v = await r.json();
                    status.textContent = r.ok ? 'command ' + v.id + ' (' + verb + ') ' + v.state : verb + ' refused: ' + v.detail;
                  } catch (e) { status.textContent = verb + ' not sent: ' + e; }
                  b.disabled = false;
                  refreshCommands();
                }));
                refreshCommands();
                setInterval(refreshCommands, commandPollMs);
                </script></section>

                """);
    }
}
