using System.Text.Json;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;

namespace Appliance.Device.Health;

/// <summary>The journal and uplink keys of the status file: <c>seq_written</c>, <c>seq_durable</c>, <c>seq_acked</c>,
/// <c>journal_bytes</c>, <c>journal_budget_bytes</c>, <c>journal_segments</c>, <c>retransmits</c>, <c>merged</c>,
/// <c>dropped</c>, <c>journal_gaps</c> (sequences lost to a torn or corrupt journal, skipped), <c>journal_no_space</c> (full-disk events), <c>link</c> (<c>connecting</c>|<c>up</c>|<c>down</c>), <c>sent</c>, <c>dead_peers</c>,
/// <c>reconnects</c>, <c>send_stalls</c>, <c>recovered_records</c>, <c>truncated_bytes</c>.</summary>
/// <param name="journal">The device's journal.</param>
/// <param name="uplink">The device's uplink client.</param>
public sealed class UplinkStatusSection(JournalOutbox journal, UplinkClient uplink) : IStatusSection
{
    /// <inheritdoc />
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JournalCounters j = journal.Counters;
        UplinkCounters u = uplink.Counters;
        writer.WriteNumber("seq_written", j.HighestWritten);
        writer.WriteNumber("seq_durable", j.HighestDurable);
        writer.WriteNumber("seq_acked", j.HighestAcknowledged);
        writer.WriteNumber("journal_bytes", j.JournalBytes);
        writer.WriteNumber("journal_budget_bytes", j.BudgetBytes);
        writer.WriteNumber("journal_segments", j.Segments);
        writer.WriteNumber("retransmits", u.Retransmits);
        writer.WriteNumber("merged", j.Merged);
        writer.WriteNumber("dropped", j.Dropped);
        writer.WriteNumber("journal_gaps", j.Gaps);
        writer.WriteNumber("journal_no_space", j.NoSpace);
        writer.WriteString("link", uplink.Link switch
        {
            UplinkLinkState.Up => "up",
            UplinkLinkState.Down => "down",
            _ => "connecting",
        });
        writer.WriteNumber("sent", u.Sent);
        writer.WriteNumber("dead_peers", u.DeadPeers);
        writer.WriteNumber("reconnects", u.Reconnects);
        writer.WriteNumber("send_stalls", u.SendStalls);
        writer.WriteNumber("recovered_records", j.RecoveredRecords);
        writer.WriteNumber("truncated_bytes", j.TruncatedBytes);
    }
}
