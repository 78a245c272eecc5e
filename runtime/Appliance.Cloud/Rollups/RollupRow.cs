using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Rollups;

/// <summary>
/// One bucket of one group and channel: the exact merge of its windows' features (count, mean, M2..M4, min, max: Pébay 2008,
/// "Formulas for robust, one-pass parallel computation of covariances and arbitrary-order statistical moments", Sandia
/// SAND2008-6212, through <see cref="WindowStatistics.Merge(in WindowFeatures, in WindowFeatures)"/>), and the quantiles of the
/// merge of their DDSketches (Masson, Rim and Lee 2019, §2.3), each within relative error <see cref="Alpha"/> of the true
/// sample quantile of the windows that carried a sketch.
/// </summary>
/// <param name="BucketStartNs">Start of the bucket, UTC Unix ns (a multiple of the query's <c>EveryNs</c>).</param>
/// <param name="Group">The device id, or the label's value (<see cref="Unlabelled"/> for devices without the label).</param>
/// <param name="Channel">The channel.</param>
/// <param name="Windows">Windows merged.</param>
/// <param name="Devices">Distinct devices among them.</param>
/// <param name="Features">The merged features: use <see cref="WindowFeatures.Mean"/>, <see cref="WindowFeatures.StdDev"/>,
/// <see cref="WindowFeatures.Skewness"/>, <see cref="WindowFeatures.Kurtosis"/>, Min, Max, Count. First and Last follow the
/// windows in start order (across devices of a group they are the earliest and latest window's).</param>
/// <param name="Alpha">The sketches' relative accuracy α; NaN when no window carried a sketch.</param>
/// <param name="SketchCount">Samples the merged sketch holds (those of windows with a sketch of α).</param>
/// <param name="SketchesSkipped">Windows whose sketch had another α than the bucket's first (not merged: counted here).</param>
/// <param name="P50">Median from the merged sketch (NaN without one).</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record RollupRow(
    long BucketStartNs,
    string Group,
    string Channel,
    long Windows,
    int Devices,
    WindowFeatures Features,
    double Alpha,
    long SketchCount,
    long SketchesSkipped,
    double P50,
    double P95,
    double P99)
{
    /// <summary>The group of devices that lack the label a rollup groups by.</summary>
    public const string Unlabelled = "(none)";
}
