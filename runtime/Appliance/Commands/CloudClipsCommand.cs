using System.CommandLine;
using System.Globalization;
using Appliance.Cloud.Storage;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud clips --db PATH|URL [--device ID] [--json]</c>: the camera events the collector holds, latest start
/// first, with their clip files (docs/video.md, "Cloud clips"); and the collector's <c>--clips-dir</c> option.
/// </summary>
internal static class CloudClipsCommand
{
    /// <summary>The collector's <c>--clips-dir DIR</c>.</summary>
    public static Option<string?> ClipsDirOption() => new("--clips-dir")
    {
        Description = "Where assembled camera clips are written (default: the SQLite file's path + .clips; for PostgreSQL ./appliance-clips)",
    };

    /// <summary>Points <paramref name="store"/>'s clip files at <paramref name="clipsDir"/> when it is given.</summary>
    public static void SetClipsDirectory(ICollectorStore store, string? clipsDir)
    {
        if (clipsDir is null)
        {
            return;
        }

        string full = Path.GetFullPath(clipsDir);
        switch (store)
        {
            case SqliteStore s: s.ClipsDirectory = full; break;
            case PostgresStore p: p.ClipsDirectory = full; break;
        }
    }

    /// <summary>The verb.</summary>
    public static Command Create()
    {
        var db = CloudCommand.DbOption();
        var json = CloudCommand.JsonOption();
        var device = new Option<string?>("--device") { Description = "Only this device" };
        var cmd = new Command("clips", "Camera events and their clips, latest first: complete (file path, SHA-256 verified), partial, dropped by the device's budget, or failed checksum") { db, device, json };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            using var store = CloudCommand.OpenExisting(p.GetValue(db)!);
            IReadOnlyList<StoredClip> rows = ((IFleetReader)store).GetClips(p.GetValue(device));
            if (p.GetValue(json))
            {
                CloudCommand.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (StoredClip c in rows)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", c.Id);
                        w.WriteString("device", c.DeviceId);
                        w.WriteString("camera", c.Camera);
                        w.WriteNumber("event_id", c.EventId);
                        w.WriteNumber("start_ns", c.StartNs);
                        w.WriteNumber("end_ns", c.EndNs);
                        w.WriteNumber("bytes", c.Bytes);
                        w.WriteString("sha256", c.Sha256);
                        w.WriteNumber("chunks", c.ChunkCount);
                        w.WriteNumber("chunks_stored", c.ChunksStored);
                        w.WriteString("state", c.State);
                        w.WriteBoolean("complete", c.Complete);
                        if (c.Path is null)
                        {
                            w.WriteNull("path");
                        }
                        else
                        {
                            w.WriteString("path", c.Path);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (StoredClip c in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"#{c.Id} {CloudCommand.Time(c.StartNs)} {c.DeviceId}/{c.Camera} {(c.EndNs - c.StartNs) / 1e9:F1} s {c.Bytes} bytes {c.State} {c.ChunksStored}/{c.ChunkCount} sha256 {c.Sha256} {c.Path ?? "-"}"));
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }
}
