namespace Appliance.Contracts.Config;

/// <summary>The <c>[outbox]</c> table: the device's disk journal of unacknowledged summaries.</summary>
/// <param name="BudgetBytes"><c>budget</c>: most bytes the journal may hold on disk (then it merges, then drops the oldest),
/// 4 MiB to 1 TiB; default 64 MiB. Written as bytes (<c>budget = 67108864</c>) or with a binary unit (<c>"64MiB"</c>).</param>
/// <param name="ReserveBytes"><c>reserve</c>: bytes the journal leaves free on its file system, by the same policy; 0 to
/// 1 TiB, default 8 MiB.</param>
public sealed record OutboxSettings(long BudgetBytes = OutboxSettings.DefaultBudget, long ReserveBytes = OutboxSettings.DefaultReserve)
{
    /// <summary>The default budget, 64 MiB.</summary>
    public const long DefaultBudget = 64L << 20;

    /// <summary>The default reserve, 8 MiB.</summary>
    public const long DefaultReserve = 8L << 20;

    /// <summary>Reads the optional <c>[outbox]</c> table.</summary>
    internal static OutboxSettings Read(TableReader root)
    {
        var t = root.Table("outbox", required: false);
        t.RejectUnknown(["budget", "reserve"]);
        return new OutboxSettings(
            t.Size("budget", DefaultBudget, 4L << 20, 1L << 40),
            t.Size("reserve", DefaultReserve, 0, 1L << 40));
    }
}
