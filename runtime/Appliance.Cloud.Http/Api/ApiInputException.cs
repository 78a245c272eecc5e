namespace Appliance.Cloud.Http.Api;

/// <summary>A request the API refuses: answered with <see cref="Status"/> and an RFC 9457 problem naming <see cref="Field"/>.</summary>
/// <param name="status">The 4xx status.</param>
/// <param name="field">The query parameter, route value, header or body member that was wrong.</param>
/// <param name="message">What was wrong and what was expected.</param>
public sealed class ApiInputException(int status, string field, string message) : Exception(message)
{
    /// <summary>The HTTP status, 400-499.</summary>
    public int Status { get; } = status;

    /// <summary>The field that was wrong.</summary>
    public string Field { get; } = field;
}
