namespace Appliance.Evaluation;

/// <summary>One NAB data file: its rows and its labelled windows.</summary>
public sealed class NabSeries
{
    /// <summary>Fraction of each file that is probationary (NAB <c>runner.py</c>: probationaryPercent = 0.15).</summary>
    public const double ProbationaryFraction = 0.15;

    /// <summary>Creates a series.</summary>
    /// <param name="relativePath"><c>category/name.csv</c>, as keyed in <c>combined_windows.json</c>.</param>
    /// <param name="timestamps">Row timestamps (UTC, as written in the file).</param>
    /// <param name="values">Row values.</param>
    /// <param name="windows">Labelled windows in time order.</param>
    public NabSeries(string relativePath, DateTime[] timestamps, double[] values, NabWindow[] windows)
    {
        RelativePath = relativePath;
        Timestamps = timestamps;
        Values = values;
        Windows = windows;
        // NAB util.getProbationPeriod: min(floor(0.15 * n), 0.15 * 5000).
        ProbationaryLength = (int)Math.Min(Math.Floor(ProbationaryFraction * values.Length), ProbationaryFraction * 5000);
    }

    /// <summary><c>category/name.csv</c>.</summary>
    public string RelativePath { get; }

    /// <summary>Row timestamps.</summary>
    public DateTime[] Timestamps { get; }

    /// <summary>Row values.</summary>
    public double[] Values { get; }

    /// <summary>Labelled windows in time order (row indices).</summary>
    public NabWindow[] Windows { get; }

    /// <summary>Rows at the start that are not scored: min(⌊0.15·n⌋, 750) (NAB <c>util.getProbationPeriod</c>).</summary>
    public int ProbationaryLength { get; }

    /// <summary>Number of rows.</summary>
    public int Length => Values.Length;
}
