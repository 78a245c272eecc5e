using System.Security.Cryptography;

namespace Appliance.Device.Outbox;

/// <summary>Makes outbox incarnations (<see cref="IOutbox.Incarnation"/>): random ids from the operating system's
/// cryptographic generator, so two incarnations of one device, or a device and a spoofer guessing, coincide with
/// probability 2^-63.</summary>
internal static class OutboxIncarnation
{
    /// <summary>A new random incarnation, 1 to 2^63-1 (positive, so it fits SQL BIGINT; 0 means none on the wire).</summary>
    public static long New()
    {
        while (true)
        {
            long id = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
            if (id != 0)
            {
                return id;
            }
        }
    }
}
