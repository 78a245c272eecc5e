using Appliance.Contracts.Config;
using Appliance.Detection;
using Appliance.Drivers.Sampling;
using Appliance.Kernels.Statistics;
using Appliance.Kernels.Windows;

namespace Appliance.Device.Pipeline;

/// <summary>
/// One sensor's state as its samples pass the stages: the supervised source the sampling stage reads, the ring it writes,
/// the tumbling window that reads the ring in place, the window waiting for its batch, and one detector per channel.
/// </summary>
internal sealed class SensorStream
{
    /// <summary>Seconds of samples a live sensor's ring holds: the worker's longest expected pause (a batch waits at most
    /// 0.5 s for the other sensors, then one ONNX run) several times over. Independent of the window length: the window
    /// reads the ring in place and folds it in runs, so it needs no room for a whole window.</summary>
    private const double LiveRingSeconds = 4.0;

    public SensorStream(SensorBinding binding, ApplianceConfig config, SensorSettings? settings, int offset, long notBeforeNs)
    {
        Offset = offset;
        Binding = binding;
        Channels = binding.Source.Channels.Count;

        // Every source is read through the drivers' supervisor and sampling loop; bus sensors come supervised already
        // (their statistics are the device's), a replay or other source is wrapped here.
        Supervisor = binding.Source as SensorSupervisor ?? new SensorSupervisor(binding.Source, binding.RateHz);
        var capacity = binding.IsReplay ? 1 << 16 : (int)Math.Ceiling(binding.RateHz * LiveRingSeconds);
        Ring = new SampleRing(Math.Max(capacity, 1024), Channels);
        // A live sensor's stamps (SteadyClock) go back only at a wall-clock step: its windows restart there, nothing is late.
        Window = new TumblingWindow(Ring, config.Window.Length, notBeforeNs, binding.IsReplay ? null : SteadyClock.DefaultStepThreshold);
        if (settings?.Spectral is { } spectral)
        {
            Spectral = new SpectralTap(spectral, binding.Source.Channels, binding.RateHz);
            Window.Tap = Spectral;
        }

        if (settings?.Quantiles is { } alpha)
        {
            Quantiles = new QuantileTap(alpha, Channels);
            Window.Tap = Window.Tap is { } spectralTap ? new WindowTapPair(spectralTap, Quantiles) : Quantiles;
        }

        Closed = new WindowFeatures[Channels];
        PendingFeatures = new WindowFeatures[Channels];
        Detectors = new IDetector[Channels];
        for (var c = 0; c < Channels; c++)
        {
            Detectors[c] = WindowDetectors.Create(settings?.Detector, config.Detector);
        }
    }

    /// <summary>The batch row of this sensor's first channel.</summary>
    public int Offset { get; }

    public SensorBinding Binding { get; }

    public string Name => Binding.Source.Name;

    public int Channels { get; }

    public SensorSupervisor Supervisor { get; }

    public SampleRing Ring { get; }

    public TumblingWindow Window { get; }

    /// <summary>The sensor's spectral features per window (its <c>spectral</c> table); null when it has none.</summary>
    public SpectralTap? Spectral { get; }

    /// <summary>The sensor's quantile sketches per window (its <c>quantiles</c> key); null when it has none.</summary>
    public QuantileTap? Quantiles { get; }

    /// <summary>Where the window writes the features of the window it closes.</summary>
    public WindowFeatures[] Closed { get; }

    /// <summary>The closed window that waits for its batch (valid while <see cref="Pending"/>).</summary>
    public WindowFeatures[] PendingFeatures { get; }

    public bool Pending { get; set; }

    public long PendingStart { get; set; }

    public long PendingEnd { get; set; }

    public IDetector[] Detectors { get; }

    /// <summary>Set by the sampling stage when the source has ended (a replay's end, an error, or stop).</summary>
    public volatile bool Ended;

    /// <summary>When the sampling loop last turned (<see cref="Environment.TickCount64"/>, ms): the watchdog's progress signal.</summary>
    public long LastTurn;

    /// <summary>The supervisor's failed samples already added to the pipeline's fault count (the sampling thread's own).</summary>
    public long FaultsCounted;
}
