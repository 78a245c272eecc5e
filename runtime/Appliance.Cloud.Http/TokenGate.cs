using System.Security.Cryptography;
using System.Text;
using Appliance.Cloud.Http.Api;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http;

/// <summary>
/// The bearer token check of <c>--http-token-file</c>: every API call, page and <c>/metrics</c> must carry the token as
/// <c>Authorization: Bearer TOKEN</c> (RFC 6750 §2.1) or as the cookie <see cref="CookieName"/>. A page opened once as
/// <c>/?token=TOKEN</c> sets that cookie (HttpOnly, SameSite=Strict) and redirects to itself without the token, so a
/// browser can use the dashboard. Comparison is constant-time.
/// </summary>
/// <param name="token">The token.</param>
public sealed class TokenGate(string token)
{
    /// <summary>The cookie a browser carries the token in.</summary>
    public const string CookieName = "appliance_token";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    /// <summary>Checks the request: the next step runs only with the right token.</summary>
    /// <exception cref="ApiInputException">No token or a wrong one (401, field <c>Authorization</c>).</exception>
    public Task Check(HttpContext ctx, RequestDelegate next)
    {
        if (Matches(Presented(ctx.Request)))
        {
            return next(ctx);
        }

        if (HttpMethods.IsGet(ctx.Request.Method) && !ctx.Request.Path.StartsWithSegments("/api")
            && ctx.Request.Query.TryGetValue("token", out var q) && q.Count == 1 && Matches(q[0]))
        {
            ctx.Response.Cookies.Append(CookieName, q[0]!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            ctx.Response.Redirect(ctx.Request.PathBase + ctx.Request.Path);
            return Task.CompletedTask;
        }

        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        throw new ApiInputException(401, "Authorization", Presented(ctx.Request) is null
            ? "missing token: expected the header 'Authorization: Bearer TOKEN' (the token of --http-token-file)"
            : "wrong token: expected the token of --http-token-file");
    }

    private static string? Presented(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Cookies.TryGetValue(CookieName, out string? cookie) ? cookie : header;
    }

    private bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
}
