using Appliance.Contracts.Inference;

namespace Appliance.Contracts.Config;

/// <summary>
/// One <c>[[multivariate]]</c> table: a model that scores the windows of several sensors together. The windows of all
/// <paramref name="Sensors"/> that close together (same window start) form one row, channel-major: for each listed sensor
/// in order, for each of its channels in order, the <paramref name="Features"/> of that channel's window. The model
/// (<c>models/NAME/model.onnx</c> of the revision, input float32 <c>[1, C·F]</c>, output <c>[1, 1]</c>) scores it in one
/// ONNX <c>Run</c>; a score at or above the threshold opens an incident, raised as one alert (sensor: the listed sensors
/// joined by <c>+</c>, channel <c>*</c>, detector <c>multivariate:NAME</c>).
/// </summary>
/// <param name="Model">The model folder name under <c>models/</c> (<c>model = "pump-pca"</c> or <c>"models/pump-pca"</c>).</param>
/// <param name="Sensors">The sensors whose channels form the row, in row order; at least one, each configured once.</param>
/// <param name="Features">The window features per channel (names of <see cref="WindowFeatureColumns"/>); null to take the model's
/// ONNX metadata <c>appliance.features</c> (else <c>mean,std</c>).</param>
/// <param name="Threshold">Score at or above which a row is anomalous; null for the model's <c>appliance.threshold</c>.</param>
/// <param name="Cooldown">Rows below the threshold that close an incident (default 1).</param>
public sealed record MultivariateSettings(string Model, IReadOnlyList<string> Sensors, IReadOnlyList<string>? Features, double? Threshold, int Cooldown)
{
    /// <summary>Reads and checks every <c>[[multivariate]]</c> table: a model folder name used once, configured sensors listed once, known features.</summary>
    /// <exception cref="ConfigException">A table breaks one of the rules; the message names the file, line and key.</exception>
    internal static IReadOnlyList<MultivariateSettings> ReadAll(TableReader root, IReadOnlyList<SensorSettings> sensors, Func<TableReader, string?> modelName)
    {
        var list = new List<MultivariateSettings>();
        foreach (var m in root.TableArray("multivariate"))
        {
            m.RejectUnknown(["model", "sensors", "features", "threshold", "cooldown"]);
            if (!m.Has("model"))
            {
                throw m.Error("model", "missing key (expected model = \"NAME\", the folder models/NAME holding model.onnx)");
            }

            var model = modelName(m)!;
            if (list.Exists(x => x.Model == model))
            {
                throw m.Error("model", $"multivariate model '{model}' is configured twice");
            }

            var listed = m.StringArray("sensors") ?? [];
            if (listed.Count == 0)
            {
                throw m.Error("sensors", $"multivariate '{model}' sensors: expected the names of one or more [[sensor]] tables, e.g. sensors = [\"pump\", \"valve\"]");
            }

            for (var i = 0; i < listed.Count; i++)
            {
                if (!sensors.Any(x => x.Name == listed[i]))
                {
                    throw m.Error("sensors", $"multivariate '{model}' sensors: '{listed[i]}' is not a configured sensor (expected names of [[sensor]] tables: {string.Join(", ", sensors.Select(x => x.Name))})");
                }

                if (listed.Take(i).Contains(listed[i], StringComparer.Ordinal))
                {
                    throw m.Error("sensors", $"multivariate '{model}' sensors: '{listed[i]}' is listed twice");
                }
            }

            var features = m.StringArray("features");
            if (features is not null)
            {
                if (features.Count == 0)
                {
                    throw m.Error("features", $"multivariate '{model}' features: expected one or more of {string.Join(", ", WindowFeatureColumns.Names)}, or no key for the model's own");
                }

                try
                {
                    _ = WindowFeatureColumns.Resolve(features);
                }
                catch (ArgumentException e)
                {
                    throw m.Error("features", $"multivariate '{model}' {e.Message}");
                }
            }

            double? threshold = m.Has("threshold") ? m.Number("threshold", null, 1e-12, 1e12, $"multivariate '{model}' ") : null;
            var cooldown = (int)m.Integer("cooldown", 1, 1, 1_000_000);
            list.Add(new MultivariateSettings(model, listed, features, threshold, cooldown));
        }

        return list;
    }
}
