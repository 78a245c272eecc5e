namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance video FILE --json</c> in the published binary (issue 22, "Interface outside checks rely on"), on a clip
/// made by perf/video/make-clip.sh with motion during 5-7 s and 13-15 s. FFmpeg is required (build.sh test installs it).
/// </summary>
public sealed class VideoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-video-aot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void VideoJson_GeneratedClip_EventsThenTotalsWithTheIssueKeys()
    {
        string clip = Path.Combine(_dir, "clip.mp4");
        var make = Process.Start(new ProcessStartInfo("bash", [Path.Combine(PublishedBinary.RepositoryRoot, "perf", "video", "make-clip.sh"), clip, "20", "12", "320x180", "5-7,13-15"]) { RedirectStandardError = true })!;
        string makeErr = make.StandardError.ReadToEnd();
        make.WaitForExit();
        Assert.True(make.ExitCode == 0, $"make-clip.sh failed (FFmpeg is required): {makeErr}");

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "video", clip, "--json");
        Assert.True(code == 0, $"appliance video exited {code}: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(3, lines.Count);
        long sent = 0;
        foreach (var (e, (from, to)) in lines.Take(2).Zip(new[] { (5.0, 7.0), (13.0, 15.0) }))
        {
            Assert.Equal(["start_s", "end_s", "bytes"], e.EnumerateObject().Take(3).Select(p => p.Name));
            Assert.InRange(e.GetProperty("start_s").GetDouble(), from, from + (1 / 12.0));
            Assert.InRange(e.GetProperty("end_s").GetDouble(), to - (1 / 12.0), to);
            sent += e.GetProperty("bytes").GetInt64();
        }

        JsonElement total = lines[2];
        Assert.Equal(["events", "raw_bytes", "sent_bytes", "ratio"], total.EnumerateObject().Take(4).Select(p => p.Name));
        Assert.Equal(2, total.GetProperty("events").GetInt32());
        Assert.Equal(sent, total.GetProperty("sent_bytes").GetInt64());
        Assert.Equal(Math.Round((double)total.GetProperty("raw_bytes").GetInt64() / sent, 2), total.GetProperty("ratio").GetDouble());
    }

    [Fact]
    public void VideoModel_TrainFramesThenScore_ScoreKeyLastAndAboveThreshold_TotalsUnchanged()
    {
        string clip = Path.Combine(_dir, "clip.mp4");
        var make = Process.Start(new ProcessStartInfo("bash", [Path.Combine(PublishedBinary.RepositoryRoot, "perf", "video", "make-clip.sh"), clip, "20", "12", "320x180", "8-10"]) { RedirectStandardError = true })!;
        string makeErr = make.StandardError.ReadToEnd();
        make.WaitForExit();
        Assert.True(make.ExitCode == 0, $"make-clip.sh failed (FFmpeg is required): {makeErr}");

        string model = Path.Combine(_dir, "frames");
        var (trainCode, _, trainErr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "train-frames", clip, "--until", "7", "--out", model);
        Assert.True(trainCode == 0, $"appliance train-frames exited {trainCode}: {trainErr}");
        var threshold = double.Parse(File.ReadAllLines(Path.Combine(model, "model-card.md")).Single(l => l.Contains("appliance.threshold = ", StringComparison.Ordinal)).Split(" = ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "video", clip, "--json", "--model", model);
        Assert.True(code == 0, $"appliance video --model exited {code}: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(["start_s", "end_s", "bytes", "segment_start_s", "segment_end_s", "score"], lines[0].EnumerateObject().Select(p => p.Name));
        Assert.True(lines[0].GetProperty("score").GetDouble() >= threshold, $"event score {lines[0].GetProperty("score")} below threshold {threshold}");
        Assert.Equal(["events", "raw_bytes", "sent_bytes", "ratio"], lines[1].EnumerateObject().Take(4).Select(p => p.Name));
    }

    [Fact]
    public void Video_MissingFile_OneLineExit2()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "video", Path.Combine(_dir, "none.mp4"), "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"appliance: {Path.Combine(_dir, "none.mp4")}: no such video file", stderr.TrimEnd('\n'));
    }
}
