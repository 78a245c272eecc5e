using System.Text.Json;

namespace Appliance.Evaluation;

/// <summary>Reads the benchmark's JSON files with the document model (no reflection: trim and AOT safe).</summary>
internal static class NabJson
{
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }
    }
}
