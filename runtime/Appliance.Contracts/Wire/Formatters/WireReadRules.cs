using MessagePack;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary>
/// Reading rules shared by the wire formatters: minimum array lengths, required strings, and a skip of
/// unknown trailing items whose recursion is bounded by the security depth (so hostile nesting cannot
/// exhaust the stack).
/// </summary>
internal static class WireReadRules
{
    /// <summary>Reads an array header and checks it has at least <paramref name="minimum"/> items.</summary>
    public static int ReadArrayHeader(ref MessagePackReader reader, int minimum, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw new MessagePackSerializationException(
                $"{what}: found {reader.NextMessagePackType}, expected an array of at least {minimum} items");
        }

        int count = reader.ReadArrayHeader();
        if (count < minimum)
        {
            throw new MessagePackSerializationException($"{what}: array of {count} items, expected at least {minimum}");
        }

        return count;
    }

    /// <summary>Reads a string that must not be nil.</summary>
    public static string ReadRequiredString(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw new MessagePackSerializationException($"{what}: found {reader.NextMessagePackType}, expected a string");
        }

        return reader.ReadString()!;
    }

    /// <summary>Reads a signed 64-bit integer, rejecting any other type (floats included).</summary>
    public static long ReadInteger(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            throw new MessagePackSerializationException($"{what}: found {reader.NextMessagePackType}, expected an integer");
        }

        return reader.ReadInt64();
    }

    /// <summary>Reads a float64 or float32 (integers are rejected: the writer always writes float64).</summary>
    public static double ReadFloat(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Float)
        {
            throw new MessagePackSerializationException($"{what}: found {reader.NextMessagePackType}, expected a float");
        }

        return reader.ReadDouble();
    }

    /// <summary>Skips <paramref name="count"/> items written by a newer writer.</summary>
    public static void SkipItems(ref MessagePackReader reader, int count, MessagePackSerializerOptions options)
    {
        for (int i = 0; i < count; i++)
        {
            Skip(ref reader, options);
        }
    }

    /// <summary>Skips one item of any type; nested arrays and maps count against the security depth.</summary>
    public static void Skip(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
            {
                options.Security.DepthStep(ref reader);
                int n = reader.ReadArrayHeader();
                SkipItems(ref reader, n, options);
                reader.Depth--;
                break;
            }

            case MessagePackType.Map:
            {
                options.Security.DepthStep(ref reader);
                int n = reader.ReadMapHeader();
                for (int i = 0; i < n; i++)
                {
                    Skip(ref reader, options);
                    Skip(ref reader, options);
                }

                reader.Depth--;
                break;
            }

            default:
                reader.Skip();
                break;
        }
    }
}
