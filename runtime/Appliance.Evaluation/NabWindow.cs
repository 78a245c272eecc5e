namespace Appliance.Evaluation;

/// <summary>One labelled anomaly window of a NAB series, as row indices into the series (both inclusive).</summary>
/// <param name="Start">Index of the first row whose timestamp is at or after the window's start.</param>
/// <param name="End">Index of the last row whose timestamp is at or before the window's end.</param>
public readonly record struct NabWindow(int Start, int End)
{
    /// <summary>Rows in the window, End - Start + 1.</summary>
    public int Length => End - Start + 1;
}
