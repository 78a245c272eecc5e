namespace Appliance.Device.GitOps;

/// <summary>A configuration file as found at one commit of the configuration repository.</summary>
/// <param name="Commit">The commit id (40 hex digits).</param>
/// <param name="Path">The file's path inside the repository.</param>
/// <param name="Text">The file's text (UTF-8).</param>
public sealed record ConfigRevision(string Commit, string Path, string Text);
