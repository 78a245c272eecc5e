using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Contracts.Config;

/// <summary>
/// Tomlyn's built-in (reflection-free) type information for its document model, so that parsing into
/// <see cref="TomlTable"/> stays trim- and Native-AOT-safe (the reflection-based overloads are not).
/// </summary>
internal sealed class TomlModelTypes : TomlSerializerContext
{
    public static TomlTypeInfo<TomlTable> Table(TomlSerializerOptions options) =>
        GetBuiltInTypeInfo<TomlTable>(options) ?? throw new InvalidOperationException("Tomlyn has no built-in type info for TomlTable");

    public override TomlTypeInfo? GetTypeInfo(Type type, TomlSerializerOptions options) => null;
}
