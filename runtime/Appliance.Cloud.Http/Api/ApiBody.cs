using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>Reads a request's JSON body with source-generated metadata (Native AOT safe); Kestrel caps its size at
/// <see cref="FleetHttpServer.MaxBodyBytes"/>.</summary>
internal static class ApiBody
{
    /// <summary>Reads and parses the body.</summary>
    /// <param name="ctx">The request.</param>
    /// <param name="type">The body's type.</param>
    /// <param name="expected">What a good body looks like, for the error (e.g. <c>a JSON object such as {"by": "name"}</c>).</param>
    /// <returns>The body; null when it is empty or the JSON literal <c>null</c>.</returns>
    /// <exception cref="ApiInputException">Not JSON, or not of that shape: 400 naming the member at fault (<c>body</c> when none).</exception>
    public static async Task<T?> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> type, string expected)
        where T : class
    {
        try
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            return buffer.Length == 0 ? null : JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            int bracket = field.IndexOf('[', StringComparison.Ordinal);
            throw new ApiInputException(400, bracket > 0 ? field[..bracket] : field, $"request body: {e.Message} (expected {expected})");
        }
    }
}
