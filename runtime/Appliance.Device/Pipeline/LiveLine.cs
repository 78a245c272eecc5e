using System.Globalization;
using System.Text;
using Appliance.Kernels.Statistics;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The demo's live line, one per closed sensor window:
/// <c>window 2024-01-01T00:00:00.000Z NAME: CHANNEL n=N mean=M LABEL=S [ALERT(SEVERITY, DETECTOR)] ... [| onnx score=X]</c>.
/// One builder, reused; worker thread only.
/// </summary>
internal sealed class LiveLine(Action<string> write)
{
    private readonly StringBuilder _line = new();

    /// <summary>Starts the line of a window of <paramref name="sensor"/> that started at <paramref name="startNs"/> (Unix ns).</summary>
    public void Begin(string sensor, long startNs)
    {
        _line.Clear();
        _line.Append(CultureInfo.InvariantCulture, $"window {DateTimeOffset.FromUnixTimeMilliseconds(startNs / 1_000_000):yyyy-MM-ddTHH:mm:ss.fffZ} {sensor}:");
    }

    /// <summary>Adds a channel: sample count, mean and the detector's score under its label.</summary>
    public void Channel(string channel, in WindowFeatures f, string scoreLabel, double score) =>
        _line.Append(CultureInfo.InvariantCulture, $" {channel} n={f.Count} mean={f.Mean:G6} {scoreLabel}={score:G4}");

    /// <summary>Adds the alert the channel's detector raised.</summary>
    public void Alert(bool critical, string detector) =>
        _line.Append(CultureInfo.InvariantCulture, $" ALERT({(critical ? "critical" : "warning")}, {detector})");

    /// <summary>Ends the line (with the highest model score of the window, when one scored it) and writes it.</summary>
    public void End(double? maxModelScore)
    {
        if (maxModelScore is { } sc)
        {
            _line.Append(CultureInfo.InvariantCulture, $" | onnx score={sc:G4}");
        }

        write(_line.ToString());
    }
}
