using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// The acknowledgements of one collector batch: the sequences to acknowledge grouped by (device id, incarnation), since one
/// <see cref="Ack"/> names one incarnation (its envelope's), and an acknowledgement must never reach a record of another
/// incarnation that has the same sequence. Each group goes to the route its latest message came from.
/// </summary>
internal sealed class AckGroups
{
    private readonly Dictionary<(string DeviceId, long Incarnation), (byte[] Route, List<long> Sequences)> _groups = [];

    /// <summary>Adds <paramref name="env"/>'s sequence to its device and incarnation's acknowledgement.</summary>
    /// <param name="route">The ROUTER identity it came from.</param>
    /// <param name="env">The device message.</param>
    public void Add(byte[] route, in Envelope env)
    {
        (string, long) key = (env.DeviceId, env.Incarnation);
        if (!_groups.TryGetValue(key, out var entry))
        {
            entry = (route, new List<long>());
        }

        entry.Sequences.Add(env.Sequence);
        _groups[key] = (route, entry.Sequences);
    }

    /// <summary>The acknowledgements: route, device id, and the envelope body and incarnation to send.</summary>
    /// <returns>One per device and incarnation.</returns>
    public IEnumerable<(byte[] Route, string DeviceId, long Incarnation, Ack Ack)> Acks()
    {
        foreach (((string deviceId, long incarnation), (byte[] route, List<long> sequences)) in _groups)
        {
            yield return (route, deviceId, incarnation, new Ack { Sequences = sequences });
        }
    }
}
