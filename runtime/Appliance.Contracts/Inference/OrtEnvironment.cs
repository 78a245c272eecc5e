using Microsoft.ML.OnnxRuntime;

namespace Appliance.Contracts.Inference;

/// <summary>
/// The process's one ONNX Runtime environment, created on first use with telemetry off and ORT's own console log limited
/// to fatal messages: failures (a missing CUDA library, a bad model) reach the appliance as exceptions and are reported
/// once through its own log and status, not as colour-coded lines on standard error.
/// </summary>
internal static class OrtEnvironment
{
    private static readonly Lazy<OrtEnv> s_env = new(() =>
    {
        var options = new EnvironmentCreationOptions
        {
            logId = "appliance",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        var env = OrtEnv.CreateInstanceWithOptions(ref options);
        env.DisableTelemetryEvents();
        return env;
    });

    public static OrtEnv Instance => s_env.Value;
}
