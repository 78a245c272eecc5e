namespace Appliance.Faults.Tests;

/// <summary>
/// Issue 22, must show: <c>kill -9</c> of the device while a clip's chunks are being uploaded; after a restart on the same
/// state directory the clip arrives whole (its file's SHA-256 equals the device's) and once (one events row, one file).
/// </summary>
public sealed class ClipKillTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-faults-" + Guid.NewGuid().ToString("N"));

    public ClipKillTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "collector.db");

    /// <summary>12 s of SMPTE HD bars at 640x480, 10 fps, an 80x80 white box moving from 4 s to 6 s (still otherwise).</summary>
    private string MovingBoxClip()
    {
        string path = Path.Combine(_dir, "bars.mkv");
        using var p = Process.Start(new ProcessStartInfo("ffmpeg",
        [
            "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "smptehdbars=s=640x480:r=10:d=12", "-f", "lavfi", "-i", "color=c=white:s=80x80:r=10",
            "-filter_complex", "[0][1]overlay=x='if(between(t,4,6),20+(t-4)*100,20)':y=80:shortest=1", "-c:v", "libx264", "-qp", "0", path,
        ]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        return path;
    }

    /// <summary>The events rows: (chunk_count, chunks stored, complete, path, sha256).</summary>
    private List<(long Count, long Stored, bool Complete, string? Path, string Sha)> Events()
    {
        if (!File.Exists(Db))
        {
            return [];
        }

        using var c = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using SqliteCommand q = c.CreateCommand();
        q.CommandText = "SELECT e.chunk_count, (SELECT count(*) FROM clip_chunks k WHERE k.device_id = e.device_id AND k.event_id = e.event_id), e.complete, e.path, e.sha256 FROM events e";
        try
        {
            using SqliteDataReader r = q.ExecuteReader();
            var rows = new List<(long, long, bool, string?, string)>();
            while (r.Read())
            {
                rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt64(2) != 0, r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4)));
            }

            return rows;
        }
        catch (SqliteException)
        {
            return []; // the collector has not created its tables yet
        }
    }

    [Fact]
    public void Device_KilledDuringAClipsUpload_ClipArrivesWholeAndOnceAfterRestart()
    {
        string clip = MovingBoxClip();
        int port = FaultProcess.FreePort();
        using FaultProcess collector = FaultProcess.StartCollector(Db, port);
        string[] device = ["camera", "--state", Path.Combine(_dir, "device"), "--endpoint", $"tcp://127.0.0.1:{port}", "--clip", clip, "--ack-window", "2"];

        (long Count, long Stored) atKill;
        using (FaultProcess first = FaultProcess.Start(device))
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "no chunk of the clip reached the collector in 120 s");
                Assert.False(first.HasExited, "the device exited");
                var rows = Events();
                if (rows is [var row] && row.Stored > 0)
                {
                    first.KillHard(); // SIGKILL mid-upload: chunks journaled, some acknowledged, the rest in flight or queued
                    atKill = (row.Count, Events()[0].Stored);
                    break;
                }

                Thread.Sleep(5);
            }
        }

        Assert.True(atKill.Stored < atKill.Count, $"the upload had finished ({atKill.Stored} of {atKill.Count} chunks) before the kill");
        using FaultProcess second = FaultProcess.Start(device);
        second.WaitForLine("journaled", TimeSpan.FromSeconds(120));
        var done = Stopwatch.StartNew();
        while (Events() is not [{ Complete: true }] && done.Elapsed < TimeSpan.FromSeconds(120))
        {
            Thread.Sleep(50);
        }

        var (count, stored, complete, path, sha) = Assert.Single(Events());
        Assert.True(complete, $"clip not complete: {stored} of {count} chunks");
        Assert.Equal(count, stored);
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path!))));
        Assert.Single(Directory.GetFiles(Db + ".clips"));
        Console.WriteLine($"clip: {count} chunks, {atKill.Stored} stored at the kill, whole after restart, sha256 {sha}");
    }
}
