using System.Text.Json;

namespace Appliance.Device.Health;

/// <summary>A contributor of keys to the device status file (<see cref="StatusFile"/>): sensors, configuration, uplink...</summary>
/// <remarks>The file is one flat JSON object, so each section writes properties with names unique across sections
/// (snake_case, prefixed by its area when ambiguous, e.g. <c>config_revision</c>). Called on the status writer's thread.</remarks>
public interface IStatusSection
{
    /// <summary>Writes this section's properties into the open status object.</summary>
    /// <param name="writer">Positioned inside the top-level object.</param>
    void Write(Utf8JsonWriter writer);
}
