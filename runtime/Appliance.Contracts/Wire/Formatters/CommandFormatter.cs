using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Command"/> body: array of 2 items, kind and string arguments, and a third, the id, when it is
/// positive (layout on <see cref="Command"/>).</summary>
internal sealed class CommandFormatter : IMessagePackFormatter<Command>
{
    private const int Fields = 2;

    public void Serialize(ref MessagePackWriter writer, Command value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(value.Id > 0 ? Fields + 1 : Fields);
        writer.Write((ushort)value.Kind);
        writer.WriteArrayHeader(value.Arguments.Count);
        for (int i = 0; i < value.Arguments.Count; i++)
        {
            writer.Write(value.Arguments[i]);
        }

        if (value.Id > 0)
        {
            writer.Write(value.Id);
        }
    }

    public Command Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "command");
        long kind = WireReadRules.ReadInteger(ref reader, "command.kind");
        if (kind is < 0 or > ushort.MaxValue)
        {
            throw new MessagePackSerializationException($"command.kind {kind}, expected 0..{ushort.MaxValue}");
        }

        options.Security.DepthStep(ref reader);
        int n = WireReadRules.ReadArrayHeader(ref reader, 0, "command.arguments");
        var arguments = new string[n];
        for (int i = 0; i < n; i++)
        {
            arguments[i] = WireReadRules.ReadRequiredString(ref reader, "command.arguments item");
        }

        reader.Depth--;
        long id = 0;
        if (count > Fields)
        {
            id = WireReadRules.ReadInteger(ref reader, "command.id");
            if (id < 1)
            {
                throw new MessagePackSerializationException($"command.id {id}, expected 1-based");
            }
        }

        WireReadRules.SkipItems(ref reader, count - Fields - (count > Fields ? 1 : 0), options);
        reader.Depth--;
        return new Command { Kind = (CommandKind)kind, Arguments = arguments, Id = id };
    }
}
