using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Appliance.Cloud.Storage;

namespace Appliance.Cloud.Http.Dashboard;

/// <summary>
/// One channel's windows over a time range as an inline SVG drawn on the server: the min..max band, the mean as a line, one
/// <c>circle.window</c> per window (at its start, on its mean; a window whose mean is not finite is drawn at the bottom edge
/// so that the count stays one point per window), and each alert as a red vertical <c>line.alert</c>. The root carries
/// <c>data-device</c>, <c>data-sensor</c>, <c>data-channel</c>, <c>data-from-ns</c>, <c>data-to-ns</c> and <c>data-windows</c>,
/// so a test or a script can ask the API for the same range.
/// </summary>
public static class SensorChart
{
    private const double Width = 760, Height = 160, Pad = 4;

    /// <summary>Renders the chart.</summary>
    /// <param name="html">Where the SVG goes.</param>
    /// <param name="device">Device id.</param>
    /// <param name="sensor">Sensor name.</param>
    /// <param name="channel">Channel name.</param>
    /// <param name="fromNs">Range start, UTC Unix ns (left edge).</param>
    /// <param name="toNs">Range end, UTC Unix ns (right edge).</param>
    /// <param name="windows">The channel's summaries in the range, any order.</param>
    /// <param name="alerts">The channel's alerts in the range.</param>
    public static void Render(StringBuilder html, string device, string sensor, string channel, long fromNs, long toNs,
        IReadOnlyList<StoredSummary> windows, IReadOnlyList<StoredAlert> alerts)
    {
        var ordered = windows.OrderBy(w => w.WindowStartNs).ToList();
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (StoredSummary w in ordered)
        {
            foreach (double v in (ReadOnlySpan<double>)[w.Features.Min, w.Features.Max, w.Features.Mean])
            {
                if (double.IsFinite(v))
                {
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }
            }
        }

        if (!double.IsFinite(lo))
        {
            (lo, hi) = (0, 1);
        }
        else if (hi - lo < 1e-9)
        {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }

        double X(long ns) => Pad + ((ns - fromNs) / (double)(toNs - fromNs) * (Width - 2 * Pad));
        double Y(double v) => double.IsFinite(v) ? Height - Pad - ((v - lo) / (hi - lo) * (Height - 2 * Pad)) : Height - Pad;
        var enc = HtmlEncoder.Default;
        var c = CultureInfo.InvariantCulture;
        html.Append(c, $"<figure class=\"chart\"><figcaption>{enc.Encode(sensor)} / {enc.Encode(channel)}: mean (line), min..max (band), {ordered.Count} windows; ")
            .Append(c, $"range {lo:G5} .. {hi:G5}</figcaption>\n")
            .Append(c, $"<svg role=\"img\" aria-label=\"{enc.Encode(sensor + " " + channel)}\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" ")
            .Append(c, $"data-device=\"{enc.Encode(device)}\" data-sensor=\"{enc.Encode(sensor)}\" data-channel=\"{enc.Encode(channel)}\" ")
            .Append(c, $"data-from-ns=\"{fromNs}\" data-to-ns=\"{toNs}\" data-windows=\"{ordered.Count}\">\n")
            .Append(c, $"<rect class=\"frame\" x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\"/>\n");
        if (ordered.Count > 0)
        {
            html.Append("<polygon class=\"band\" points=\"");
            foreach (StoredSummary w in ordered)
            {
                html.Append(c, $"{X(w.WindowStartNs):F1},{Y(w.Features.Max):F1} ");
            }

            for (int i = ordered.Count - 1; i >= 0; i--)
            {
                html.Append(c, $"{X(ordered[i].WindowStartNs):F1},{Y(ordered[i].Features.Min):F1} ");
            }

            html.Append("\"/>\n<polyline class=\"mean\" points=\"");
            foreach (StoredSummary w in ordered)
            {
                html.Append(c, $"{X(w.WindowStartNs):F1},{Y(w.Features.Mean):F1} ");
            }

            html.Append("\"/>\n");
            foreach (StoredSummary w in ordered)
            {
                html.Append(c, $"<circle class=\"window\" cx=\"{X(w.WindowStartNs):F1}\" cy=\"{Y(w.Features.Mean):F1}\" r=\"1.5\" data-start-ns=\"{w.WindowStartNs}\"/>");
            }

            html.Append('\n');
        }

        foreach (StoredAlert a in alerts)
        {
            double x = X(a.TimeNs);
            html.Append(c, $"<line class=\"alert\" x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"0\" y2=\"{Height}\" data-alert=\"{enc.Encode(Api.FleetViews.AlertId(a.DeviceId, a.Sequence))}\">")
                .Append(c, $"<title>alert {enc.Encode(a.Detector)} score {a.Score:G4} at {Api.ApiTime.Iso(a.TimeNs)}</title></line>\n");
        }

        html.Append("</svg></figure>\n");
    }
}
