namespace Appliance.Commands;

/// <summary>The process exit codes every verb uses.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The job ran and failed (for example the demo stored fewer summaries than it produced).</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a missing or malformed file, configuration, repository or argument. One line names it.</summary>
    public const int BadInput = 2;
}
