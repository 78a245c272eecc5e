using Appliance.Cloud.Storage;
using Microsoft.AspNetCore.Http;

namespace Appliance.Cloud.Http.Api;

/// <summary>One camera event and its clip (<c>GET /api/devices/{id}/clips</c>; docs/video.md, "Cloud clips").</summary>
/// <param name="Id">Row id: <c>GET /api/clips/{id}</c> serves the file.</param>
/// <param name="DeviceId">Device.</param>
/// <param name="Camera">Camera name on the device.</param>
/// <param name="EventId">The event's id on the device (its first frame, UTC Unix ns).</param>
/// <param name="Start">Clip start, ISO 8601 UTC.</param>
/// <param name="End">Clip end, ISO 8601 UTC.</param>
/// <param name="Bytes">Clip size, bytes.</param>
/// <param name="Sha256">The device's SHA-256 of the clip, hex.</param>
/// <param name="Chunks">Chunks of the clip (0: dropped by the device's budget).</param>
/// <param name="ChunksStored">Chunks stored.</param>
/// <param name="State"><c>complete</c>, <c>partial</c>, <c>dropped</c> or <c>checksum_failed</c>.</param>
public sealed record ClipView(long Id, string DeviceId, string Camera, long EventId, string Start, string End, long Bytes, string Sha256,
    int Chunks, int ChunksStored, string State);

/// <summary>The clip handlers of the JSON API (docs/api.md).</summary>
/// <param name="api">The fleet API (its store and device lookup).</param>
public sealed class ClipsApi(FleetApi api)
{
    /// <summary>The view of a stored clip.</summary>
    public static ClipView View(StoredClip c) =>
        new(c.Id, c.DeviceId, c.Camera, c.EventId, ApiTime.Iso(c.StartNs), ApiTime.Iso(c.EndNs), c.Bytes, c.Sha256, c.ChunkCount, c.ChunksStored, c.State);

    /// <summary><c>GET /api/devices/{id}/clips</c>: the device's camera events, latest first.</summary>
    public Task List(HttpContext ctx)
    {
        DeviceRecord d = api.Device((string)ctx.Request.RouteValues["id"]!, "id");
        IReadOnlyList<ClipView> views = [.. api.Fleet.GetClips(d.DeviceId).Select(View)];
        return ctx.Response.WriteAsJsonAsync(views, ApiJsonContext.Default.IReadOnlyListClipView);
    }

    /// <summary><c>GET /api/clips/{id}</c>: the clip file (<c>video/mp2t</c> or <c>video/x-motion-jpeg</c>); 404 when the id is
    /// unknown or the clip is not complete.</summary>
    public Task Get(HttpContext ctx)
    {
        string text = (string)ctx.Request.RouteValues["id"]!;
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id))
        {
            throw new ApiInputException(400, "id", $"clip id '{text}': expected a number (the id of GET /api/devices/{{id}}/clips)");
        }

        StoredClip c = api.Fleet.GetClip(id) ?? throw new ApiInputException(404, "id", $"clip {id}: no such clip in the collector store");
        if (!c.Complete || c.Path is null || !File.Exists(c.Path))
        {
            throw new ApiInputException(404, "id", $"clip {id}: {c.State}, no file to serve ({c.ChunksStored} of {c.ChunkCount} chunks stored)");
        }

        return Results.File(c.Path, c.Container == "ts" ? "video/mp2t" : "video/x-motion-jpeg", Path.GetFileName(c.Path)).ExecuteAsync(ctx);
    }
}
