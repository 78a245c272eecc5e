namespace Appliance.Contracts.Inference;

/// <summary>A model could not be loaded or run, or the required execution provider is missing.</summary>
public sealed class InferenceException : Exception
{
    /// <summary>Creates the error.</summary>
    public InferenceException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
