using Appliance.Cloud.Ingest;
namespace Appliance.Cloud.Storage;

/// <summary>What one <see cref="ICollectorStore.Store"/> call committed.</summary>
/// <param name="Stored">Messages newly inserted.</param>
/// <param name="Duplicates">Messages whose (device id, incarnation, sequence) was already stored, so not inserted again.</param>
public readonly record struct StoreBatchResult(int Stored, int Duplicates);
