using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="CommandResult"/> body: array of 3 items, id, succeeded and text (layout on <see cref="CommandResult"/>).</summary>
internal sealed class CommandResultFormatter : IMessagePackFormatter<CommandResult>
{
    private const int Fields = 3;

    public void Serialize(ref MessagePackWriter writer, CommandResult value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Id);
        writer.Write(value.Succeeded);
        writer.Write(value.Text);
    }

    public CommandResult Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "command_result");
        long id = WireReadRules.ReadInteger(ref reader, "command_result.id");
        if (id < 1)
        {
            throw new MessagePackSerializationException($"command_result.id {id}, expected 1-based");
        }

        if (reader.NextMessagePackType != MessagePackType.Boolean)
        {
            throw new MessagePackSerializationException($"command_result.succeeded: found {reader.NextMessagePackType}, expected a boolean");
        }

        bool succeeded = reader.ReadBoolean();
        string text = WireReadRules.ReadRequiredString(ref reader, "command_result.text");
        WireReadRules.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return new CommandResult { Id = id, Succeeded = succeeded, Text = text };
    }
}
