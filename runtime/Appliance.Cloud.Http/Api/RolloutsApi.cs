using System.Text.Json;
using Appliance.Cloud.Rollouts;
using Appliance.Contracts.Config;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>The rollout handlers of the JSON API (docs/api.md, "Rollouts"), served while the collector runs the rollout
/// controller (<c>--rollouts-repo</c>); the bodies are <see cref="RolloutJson"/>'s, as <c>appliance cloud rollout status --json</c>.</summary>
/// <param name="controller">The collector's controller.</param>
public sealed class RolloutsApi(RolloutController controller)
{
    /// <summary><c>GET /api/rollouts</c>: every rollout of the repository's tip, by name (the short form).</summary>
    public Task List(HttpContext ctx) => Write(ctx, w =>
    {
        w.WriteStartArray();
        foreach (var spec in controller.List())
        {
            RolloutJson.WriteSummary(w, spec);
        }

        w.WriteEndArray();
    });

    /// <summary><c>GET /api/rollouts/{name}</c>: one rollout with its waves, devices' shadow reports and audit trail; 404 when
    /// there is no <c>rollouts/NAME.toml</c>, 422 when the file does not parse.</summary>
    public Task Get(HttpContext ctx)
    {
        string name = (string)ctx.Request.RouteValues["name"]!;
        RolloutStatus status;
        try
        {
            status = controller.Status(name);
        }
        catch (ArgumentException e)
        {
            throw new ApiInputException(404, "name", e.Message);
        }
        catch (ConfigException e)
        {
            throw new ApiInputException(422, "name", e.Message);
        }

        return Write(ctx, w => RolloutJson.Write(w, status));
    }

    private static async Task Write(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }

        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
