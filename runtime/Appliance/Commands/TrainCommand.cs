using System.CommandLine;
using Appliance.Cloud.Training;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance train --input DATA --out DIR [--components K] [--explained F] [--held-out F] [--quantile Q] [--window T] [--features LIST]</c>: fits a
/// PCA reconstruction model (linear autoencoder, normalisation in the graph) on a features CSV, chooses the threshold on
/// held-out normal rows and writes model.onnx, selftest.json and model-card.md (<see cref="ModelTrainer"/>).
/// Prints one summary line; exit 2 on bad input. <c>appliance train-frames FILE --until S --out DIR [--batch 8] [--margin 2]</c>
/// fits the background model of an event's frames (<see cref="FrameModelBundle"/>) on the video's frames before S seconds.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Features CSV: header of feature names (a timestamp column is ignored), one window per row", Required = true };
        var output = new Option<string>("--out") { Description = "Directory for model.onnx, selftest.json and model-card.md", Required = true };
        var components = new Option<int>("--components") { Description = "Principal components to keep (0: enough to explain --explained)", DefaultValueFactory = _ => 0 };
        var explained = new Option<double>("--explained") { Description = "Variance fraction to explain when --components is 0", DefaultValueFactory = _ => 0.95 };
        var heldOut = new Option<double>("--held-out") { Description = "Fraction of rows (the last ones) held out to choose the threshold", DefaultValueFactory = _ => 0.2 };
        var quantile = new Option<double>("--quantile") { Description = "Quantile of held-out scores used as the threshold", DefaultValueFactory = _ => 0.999 };
        var window = new Option<string?>("--window") { Description = "The input is a recorded timestamp,value series: cut it into tumbling windows of this length (e.g. 3h), as the device does" };
        var features = new Option<string?>("--features") { Description = "Feature columns, comma-separated (window features: mean,std,min,max,rms,...; default: every column, or mean,std,min,max with --window)" };
        var cmd = new Command("train", "Fit a window-feature model and write an ONNX model bundle") { input, output, components, explained, heldOut, quantile, window, features };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            TimeSpan? length = null;
            if (p.GetValue(window) is { } text)
            {
                length = Contracts.Config.Duration.TryParse(text, out var span, out var error) ? span : throw new ArgumentException($"--window: {error}");
            }

            var names = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names?.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new ArgumentException($"--features: '{twice.Key}' is named twice (expected each feature once)");
            }

            if (!(p.GetValue(explained) is > 0 and <= 1))
            {
                throw new ArgumentException($"--explained {p.GetValue(explained).ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a variance fraction in (0, 1]");
            }

            var r = ModelTrainer.Train(p.GetValue(input)!, p.GetValue(output)!, p.GetValue(components), p.GetValue(explained), p.GetValue(heldOut), p.GetValue(quantile), length, names);
            Console.WriteLine($"train: {r.FeatureNames.Count} features, {r.TrainingRows} rows fitted, {r.HeldOutRows} held out; {r.Components} components ({r.ExplainedVariance:P1} variance); threshold {r.Threshold:G6}; ORT vs C# max relative difference {r.MaxRelativeDifference:E2}; wrote {r.OutputDirectory}/model.onnx");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    /// <summary><c>appliance train-frames</c>: the frame model <c>appliance video --model</c> and a camera score events with.</summary>
    public static Command CreateFrames()
    {
        var file = new Argument<string>("file") { Description = "Video file (any format FFmpeg reads) whose frames before --until show only the background" };
        var until = new Option<double>("--until") { Description = "Seconds of background-only frames from the start to fit on", Required = true };
        var output = new Option<string>("--out") { Description = "Directory for the bundle (model.onnx, selftest.toml, SHA256SUMS, model-card.md)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Frames of one event scored in one run (S)", DefaultValueFactory = _ => 8 };
        var margin = new Option<double>("--margin") { Description = "Threshold = margin x the largest background score", DefaultValueFactory = _ => FrameModelBundle.DefaultMargin };
        var cmd = new Command("train-frames", "Fit a background model of a camera's frame thumbnails and write an ONNX model bundle for scoring events") { file, until, output, batch, margin };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            var path = p.GetValue(file)!;
            long untilNs = (long)(p.GetValue(until) * 1e9);
            var rows = new List<float[]>();
            using (var source = new FfmpegFrameSource(path))
            {
                var thumbnail = new FrameThumbnail(source.Format.Width, source.Format.Height);
                var frame = new byte[source.Format.LumaBytes];
                while (source.TryReadFrame(frame, out long t) && t < untilNs)
                {
                    var row = new float[thumbnail.Length];
                    thumbnail.Compute(frame, row);
                    rows.Add(row);
                }
            }

            var package = FrameModelBundle.Write(rows, p.GetValue(batch), p.GetValue(output)!, $"{Path.GetFileName(path)}, frames before {p.GetValue(until)} s", p.GetValue(margin));
            Console.WriteLine($"train-frames: {rows.Count} background frames fitted; batch {package.Streams} x {package.Features}; wrote {Path.GetFullPath(p.GetValue(output)!)}/model.onnx ({package.Id})");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }
}
