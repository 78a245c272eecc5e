namespace Appliance.Contracts.Inference;

/// <summary>Which ONNX Runtime execution provider a session may use (configuration <c>[inference] gpu</c>).</summary>
public enum GpuPolicy
{
    /// <summary>CUDA when its libraries and a GPU are present, otherwise CPU (the fallback is logged).</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Off,

    /// <summary>CUDA or a start-up error: no silent fallback.</summary>
    Required,
}
