namespace Appliance.Device.Outbox;

/// <summary>Thrown by <see cref="IOutbox.Append"/> when the outbox stays full past its append timeout.</summary>
public sealed class OutboxFullException : Exception
{
    /// <summary>Creates the exception with a message naming the capacity and the wait.</summary>
    /// <param name="message">What was full and for how long.</param>
    public OutboxFullException(string message)
        : base(message)
    {
    }
}
