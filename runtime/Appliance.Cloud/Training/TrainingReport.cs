namespace Appliance.Cloud.Training;

/// <summary>What <see cref="ModelTrainer.Train"/> fitted and wrote.</summary>
/// <param name="FeatureNames">Feature columns, in model input order.</param>
/// <param name="TrainingRows">Rows the model was fitted on (the first part of the file).</param>
/// <param name="HeldOutRows">Normal rows held out to choose the threshold (the last part).</param>
/// <param name="Components">Principal components kept.</param>
/// <param name="ExplainedVariance">Fraction of the standardised variance the components explain.</param>
/// <param name="Threshold">Score above which a window is anomalous: the chosen quantile of held-out scores.</param>
/// <param name="MaxRelativeDifference">Largest |ORT − C#| / max(1e-30, |C#|) over the held-out rows, scored by ONNX Runtime after writing.</param>
/// <param name="OutputDirectory">Where model.onnx, selftest.json and model-card.md are.</param>
/// <param name="HeldOutAlertRate">Fraction of held-out rows whose score is above <paramref name="Threshold"/>: how often the
/// model would have alerted on them (about 1 − quantile by construction; more where scores tie at the threshold's floor).</param>
public sealed record TrainingReport(
    IReadOnlyList<string> FeatureNames,
    int TrainingRows,
    int HeldOutRows,
    int Components,
    double ExplainedVariance,
    double Threshold,
    double MaxRelativeDifference,
    string OutputDirectory,
    double HeldOutAlertRate);
