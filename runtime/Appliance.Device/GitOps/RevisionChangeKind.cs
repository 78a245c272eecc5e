namespace Appliance.Device.GitOps;

/// <summary>How a running device takes a new revision (<see cref="RevisionChange.Between"/>).</summary>
public enum RevisionChangeKind
{
    /// <summary>Something the pipeline is built from changed (sensors, windows, detectors, uplink, alarms, ...): a new
    /// pipeline is built and swapped in at a window boundary.</summary>
    Rebuild,

    /// <summary>Only the scoring model changed (its bytes, or the folder <c>[inference] model</c> names): the running pipeline
    /// keeps its windows, detector state and sampling loop and swaps the model in between batches.</summary>
    ModelOnly,

    /// <summary>Nothing the device runs changed (the same configuration and model bytes): the revision is recorded, the pipeline kept.</summary>
    None,
}
