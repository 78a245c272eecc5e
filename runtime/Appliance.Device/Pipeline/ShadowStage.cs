using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Contracts.Wire;
using Appliance.Device.GitOps;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The candidates a device runs in shadow (<see cref="RolloutRole.Shadow"/>, docs/models.md "Shadow scoring"): one
/// <see cref="ShadowRun"/> per rollout, each scoring the windows of every batch the incumbent <c>[inference]</c> model
/// scored, after it. Runs are set from any thread (<see cref="Use"/>: a revision's rollouts; a run whose rollout and
/// candidate are unchanged keeps its totals) and scored on the worker thread; one lock keeps a run from being disposed
/// while it scores (uncontended but at a revision, so it costs nothing per batch).
/// </summary>
internal sealed class ShadowStage : IDisposable
{
    private readonly object _gate = new();
    private readonly int _rows;
    private readonly GpuPolicy _policy;
    private ShadowRun[] _runs = [];

    /// <param name="rows">S: rows of the pipeline's batch.</param>
    /// <param name="policy">The execution provider policy of <c>[inference] gpu</c>.</param>
    public ShadowStage(int rows, GpuPolicy policy)
    {
        _rows = rows;
        _policy = policy;
    }

    /// <summary>
    /// Runs in shadow the candidates of <paramref name="rollouts"/> that give this device <see cref="RolloutRole.Shadow"/>,
    /// and reports the rejected ones (shadow or active) with their reason. Loading a new candidate on this pipeline's batch
    /// shape (<see cref="HotSwapScorer.Stage(string, byte[], ModelSelfTest?)"/>) happens here, off the worker thread; a
    /// candidate the pipeline refuses becomes a rejected run, never an error. Any thread.
    /// </summary>
    /// <param name="rollouts">The revision's rollouts for this device (<see cref="ConfigBundle.Rollouts"/>).</param>
    public void Use(IReadOnlyList<DeviceRollout> rollouts)
    {
        ShadowRun[] current;
        lock (_gate)
        {
            current = _runs;
        }

        var next = new List<ShadowRun>();
        foreach (var r in rollouts)
        {
            if (next.Count == ShadowReport.MaxPerHeartbeat || !(r.Role == RolloutRole.Shadow || r.Rejection.Length > 0))
            {
                continue;
            }

            var key = r.Candidate?.Id ?? "rejected: " + r.Rejection;
            next.Add(Array.Find(current, x => x.Rollout == r.Spec.Name && x.Key == key) ?? Load(r, key));
        }

        lock (_gate)
        {
            foreach (var old in _runs)
            {
                if (!next.Contains(old))
                {
                    old.Dispose();
                }
            }

            _runs = [.. next];
        }
    }

    /// <summary>
    /// Scores the batch's windows with every running candidate (worker thread, after the incumbent scored them).
    /// </summary>
    /// <param name="streams">The sensors; their pending windows are the batch.</param>
    /// <param name="rows">Which of the S rows are windows of this batch.</param>
    /// <param name="incumbent">The model that scored the batch.</param>
    /// <param name="incumbentScores">Its S scores.</param>
    public void Score(SensorStream[] streams, ReadOnlySpan<bool> rows, ScoringModel incumbent, ReadOnlySpan<float> incumbentScores)
    {
        lock (_gate)
        {
            foreach (var run in _runs)
            {
                if (run.Active is { } model)
                {
                    BatchScoringStage.FillRows(streams, model, run.Input);
                    run.Score(incumbentScores, incumbent.Threshold, rows);
                }
            }
        }
    }

    /// <summary>The reports of the runs, one per rollout (any thread).</summary>
    public IReadOnlyList<ShadowReport> Reports()
    {
        lock (_gate)
        {
            return Array.ConvertAll(_runs, r => r.Report());
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var run in _runs)
            {
                run.Dispose();
            }

            _runs = [];
        }
    }

    private ShadowRun Load(DeviceRollout r, string key)
    {
        var spec = r.Spec;
        if (r.Role != RolloutRole.Shadow || r.Candidate is not { } candidate)
        {
            return new ShadowRun(spec.Name, spec.Model, spec.Incumbent, key, null, r.Rejection);
        }

        var scorer = new HotSwapScorer(_rows, _policy);
        string? rejection = scorer.Stage(candidate.Id, candidate.Onnx, candidate.SelfTestCase) ? null : scorer.LastRejection!.Reason;
        if (rejection is null)
        {
            scorer.TrySwap(); // not yet shared with the worker: swapped in here
            rejection = scorer.Active!.Threshold is null ? $"the model carries no threshold ({OnnxScorer.ThresholdKey}): its would-alert count cannot be judged" : null;
        }

        if (rejection is not null)
        {
            scorer.Dispose();
            return new ShadowRun(spec.Name, spec.Model, spec.Incumbent, key, null, $"{candidate.Id}: {rejection}");
        }

        return new ShadowRun(spec.Name, spec.Model, spec.Incumbent, key, scorer, string.Empty);
    }
}
