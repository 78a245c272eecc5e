using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Contracts.Wire;
using Appliance.Drivers.Chips.Adxl345;
using Appliance.Drivers.Emulation;
using Appliance.Drivers.Sampling;
using Appliance.Kernels.Spectral;
using Appliance.Kernels.Statistics;
using Appliance.Kernels.Windows;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench vibration [--seconds S] [--window N] [--json]</c>: the ADXL345 at 3200 Hz through its FIFO, on the real
/// (steady) clock, for S seconds (600 for the 10 minutes), and the uplink bytes that its windows cost.
/// </summary>
/// <remarks>
/// <para>The real driver (<see cref="Adxl345Sensor"/>, FIFO batches) reads an emulated chip (<see cref="Adxl345Emulator"/> measuring a
/// <see cref="BearingVibrationSignal"/> whose outer-race defect starts halfway and grows to the end) under the sampling policy
/// (<see cref="SensorSupervisor"/>) and the <see cref="SamplingLoop"/> (400 wakes/s, one per quarter FIFO, one thread), into a
/// <see cref="SampleRing"/> of 2 s; a second thread takes the ring in tumbling windows of N samples per axis, computes each axis's
/// window statistics and Welch spectral features (N = 1024 frames, Hann, bands [10,100), [100,500), [500,1000), [1000,1600) Hz,
/// envelope at BPFO, 3 harmonics) and encodes one <see cref="Summary"/> envelope per axis and window, spectral item included (schema 3),
/// as the uplink sends it.</para>
/// <para>Figures: <c>samples_expected</c> = ⌊ODR · (last read − open)⌋ on the clock; <c>samples_read</c>, <c>chip_samples_taken</c>
/// (the chip's own count), <c>fifo_overruns</c> (INT_SOURCE Overrun), <c>ring_overruns</c>, <c>reanchors</c>; <c>max_read_gap_ms</c> and <c>read_gaps_over_7_5_ms</c>: the longest time between two reads
/// on the clock, and how many exceeded the 7.5 ms that three quarters of the FIFO hold (the host did not run the loop in time);
/// <c>effective_rate_hz</c> = (samples read − 1) / (last − first sample timestamp); <c>cpu_share_one_core</c> = (utime + stime of
/// /proc/self/stat, in clock ticks of 1/100 s, the Linux USER_HZ) / wall time, over the run, the whole process (emulated chip
/// included, so an upper bound of the driver's share); <c>raw_bytes_per_hour</c> = 6 · ODR · 3600 (three int16 axes per sample,
/// as the chip's data registers hold them, no framing) and <c>sent_bytes_per_hour</c> = the encoded summary envelopes of the
/// run scaled to an hour; <c>raw_over_sent</c> their ratio.</para>
/// <para>What can stop the sampling thread: <c>wake_late_p50_us</c>, <c>wake_late_p99_us</c> (lateness of the last 4096 wake-ups
/// against their absolute deadlines) and <c>missed_wakes</c> (wake-ups skipped whole); the collector's work over the run
/// (<see cref="GcFigures"/>: <c>gc_count</c>, <c>gc_gen1_count</c>, <c>gc_gen2_count</c>, <c>gc_pause_total_ms</c>, <c>allocated_bytes</c>,
/// <c>sampling_thread_allocated_bytes</c> after the first 100 wake-ups, <c>consumer_thread_allocated_bytes</c> after the first window,
/// the collector's mode); and the machine's load, <c>load_average_1min_start</c> and <c>load_average_1min_end</c> (/proc/loadavg).</para>
/// </remarks>
internal static class BenchVibrationCommand
{
    private const double Odr = 3200;
    private const int WarmUpWakes = 100; // the sampling thread's allocations are counted after these (the sensor's open, first uses)
    private static readonly (double Low, double High)[] s_bands = [(10, 100), (100, 500), (500, 1000), (1000, 1600)];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var seconds = new Option<int>("--seconds") { Description = "Run length on the real clock, seconds (600: 10 minutes)", DefaultValueFactory = _ => 20 };
        var window = new Option<int>("--window") { Description = "Samples per window and axis (3200: 1 s)", DefaultValueFactory = _ => 3200 };
        var cmd = new Command("vibration", "ADXL345 at 3200 Hz through its FIFO on the real clock: samples expected vs read, FIFO overruns, CPU share; uplink bytes raw vs sent") { json, seconds, window };
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(json), p.GetValue(seconds), p.GetValue(window)))));
        return cmd;
    }

    private static int Run(bool json, int seconds, int windowSamples)
    {
        if (seconds is < 2 or > 86_400)
        {
            throw new ArgumentException($"--seconds {seconds}: expected 2 to 86400");
        }

        if (windowSamples is < 1024 or > 1_000_000)
        {
            throw new ArgumentException($"--window {windowSamples}: expected 1024 to 1000000 samples (at least one 1024-sample FFT frame)");
        }

        TimeProvider clock = SteadyClock.Shared;
        long nowNs = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var signal = new BearingVibrationSignal(nowNs + (seconds * 500_000_000L), TimeSpan.FromSeconds(Math.Max(1, seconds / 2)));
        var chip = new Adxl345Emulator(signal, clock);
        var sensor = new Adxl345Sensor("vib", chip, Odr, 16, clock);
        using var supervisor = new SensorSupervisor(sensor, Odr, clock: clock);
        var loop = new SamplingLoop(supervisor, Odr, clock);
        var ring = new SampleRing(8192, 3);
        long first = long.MinValue, last = 0;
        using var stop = new CancellationTokenSource();
        var consumer = new WindowConsumer(ring, windowSamples, signal.OuterRaceHz, sensor.Channels);
        var consumerThread = new Thread(() => consumer.Run(stop.Token)) { IsBackground = true, Name = "bench-windows" };
        consumerThread.Start();
        var gc = GcFigures.Start();
        double load0 = LoadAverage();
        (long cpu0, long wall0) = (CpuTicks(), Stopwatch.GetTimestamp());
        long openTick = clock.GetTimestamp();
        long endTick = openTick + (seconds * clock.TimestampFrequency);
        long lastReadTick = openTick;
        long maxGapTicks = 0, lateWakes = 0;
        long lateTicks = (long)(0.0075 * clock.TimestampFrequency); // three quarters of the FIFO at 3200 Hz: a wake later than this overruns
        // One delegate for the run: a lambda written in the call would be a new delegate (64 bytes) at each of the 400 wakes a
        // second, 25 kB/s on the sampling thread that bring the next collection, which stops this thread, closer.
        SampleHandler handler = (ts, v) =>
        {
            first = first == long.MinValue ? ts : first;
            last = ts;
            ring.TryWrite(ts, v);
        };
        long wakes = 0;
        while (clock.GetTimestamp() < endTick && loop.RunOnce(handler, stop.Token))
        {
            if (++wakes == WarmUpWakes)
            {
                gc.StartThreadCount();
            }

            long now = clock.GetTimestamp();
            maxGapTicks = Math.Max(maxGapTicks, now - lastReadTick);
            lateWakes += now - lastReadTick > lateTicks ? 1 : 0;
            lastReadTick = now;
        }

        gc.Stop();
        stop.Cancel();
        consumerThread.Join();
        double load1 = LoadAverage();
        SamplingStatsSnapshot lateness = supervisor.Stats.Snapshot();
        double wallS = Stopwatch.GetElapsedTime(wall0).TotalSeconds;
        double cpuShare = (CpuTicks() - cpu0) / 100.0 / wallS;
        double runS = (lastReadTick - openTick) / (double)clock.TimestampFrequency;
        long expected = (long)Math.Floor(Odr * runS);
        long read = sensor.SamplesRead;
        double effective = (read - 1) / ((last - first) / 1e9);
        double sentPerHour = consumer.Bytes * 3600.0 * Odr / windowSamples / Math.Max(1, consumer.Windows);
        double rawPerHour = 6 * Odr * 3600;
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteNumber("seconds", Math.Round(runS, 3));
                w.WriteNumber("odr_hz", Odr);
                w.WriteNumber("samples_expected", expected);
                w.WriteNumber("samples_read", read);
                w.WriteNumber("chip_samples_taken", chip.SamplesTaken);
                w.WriteNumber("fifo_overruns", sensor.FifoOverruns);
                w.WriteNumber("ring_overruns", ring.Overruns);
                w.WriteNumber("reanchors", sensor.Reanchors);
                w.WriteNumber("bus_faults", sensor.FaultCount);
                w.WriteNumber("max_read_gap_ms", Math.Round(maxGapTicks * 1e3 / clock.TimestampFrequency, 2));
                w.WriteNumber("read_gaps_over_7_5_ms", lateWakes);
                w.WriteNumber("effective_rate_hz", Math.Round(effective, 3));
                w.WriteNumber("cpu_share_one_core", Math.Round(cpuShare, 4));
                w.WriteNumber("wake_late_p50_us", Math.Round(Finite(lateness.JitterP50Us), 1));
                w.WriteNumber("wake_late_p99_us", Math.Round(Finite(lateness.JitterP99Us), 1));
                w.WriteNumber("missed_wakes", lateness.MissedDeadlines);
                gc.Write(w);
                w.WriteNumber("consumer_thread_allocated_bytes", consumer.AllocatedBytes);
                WriteLoad(w, "load_average_1min_start", load0);
                WriteLoad(w, "load_average_1min_end", load1);
                w.WriteNumber("windows", consumer.Windows);
                w.WriteNumber("raw_bytes_per_hour", rawPerHour);
                w.WriteNumber("sent_bytes_per_hour", Math.Round(sentPerHour));
                w.WriteNumber("raw_over_sent", Math.Round(rawPerHour / sentPerHour, 1));
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ADXL345 at {Odr} Hz for {runS:F1} s: {read} samples read of {expected} expected ({chip.SamplesTaken} taken by the chip), {sensor.FifoOverruns} FIFO overruns, {ring.Overruns} ring overruns, {sensor.Reanchors} re-anchors, effective rate {effective:F3} Hz; longest gap between reads {maxGapTicks * 1e3 / clock.TimestampFrequency:F2} ms, {lateWakes} gaps over 7.5 ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU: {cpuShare:P2} of one core (utime + stime from /proc/self/stat over wall time, whole process); load average {load0:F2} at start, {load1:F2} at end"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wake-ups: lateness p50 {Finite(lateness.JitterP50Us):F1} µs, p99 {Finite(lateness.JitterP99Us):F1} µs (last {SamplingStats.WindowSize}), {lateness.MissedDeadlines} missed"));
            Console.WriteLine(gc.Describe());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uplink per hour: raw {rawPerHour:F0} bytes (3 x int16 x {Odr} Hz), sent {sentPerHour:F0} bytes ({consumer.Windows} windows x 3 axes of summaries), ratio {rawPerHour / sentPerHour:F1}"));
        }

        return ExitCodes.Ok;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    private static void WriteLoad(Utf8JsonWriter w, string name, double load)
    {
        if (double.IsNaN(load))
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, load);
        }
    }

    // The 1-minute load average, the first field of /proc/loadavg (proc(5)); NaN where it cannot be read.
    internal static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    // utime + stime, fields 14 and 15 of /proc/self/stat (proc(5)), counted after the ")" that ends the command name.
    private static long CpuTicks()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    // Takes the ring in tumbling windows per axis: statistics, Welch features and the encoded summary of each.
    private sealed class WindowConsumer(SampleRing ring, int windowSamples, double bpfoHz, IReadOnlyList<string> channels)
    {
        private readonly float[][] _axes = [new float[windowSamples], new float[windowSamples], new float[windowSamples]];
        private readonly WelchEstimator _welch = new(new SpectralOptions { Size = 1024, Bands = s_bands, Envelope = true, EnvelopeHz = bpfoHz, EnvelopeHarmonics = 3 }, Odr);
        private readonly double[] _bandRms = new double[s_bands.Length];
        private readonly float[] _bands = new float[s_bands.Length];
        private readonly ArrayBufferWriter<byte> _frame = new(512); // one frame at a time, as the uplink encodes

        public long Bytes { get; private set; }

        public long Windows { get; private set; }

        // Bytes this thread allocated from the end of its first window to its end (the first window warms the kernels up).
        public long AllocatedBytes { get; private set; }

        public void Run(CancellationToken token)
        {
            long allocatedAtFirstWindow = -1;
            Span<float> values = stackalloc float[3];
            int filled = 0;
            long start = 0;
            while (!token.IsCancellationRequested)
            {
                if (!ring.WaitForData(TimeSpan.FromMilliseconds(100)))
                {
                    continue;
                }

                while (ring.TryRead(out long ts, values))
                {
                    start = filled == 0 ? ts : start;
                    for (int c = 0; c < 3; c++)
                    {
                        _axes[c][filled] = values[c];
                    }

                    if (++filled == windowSamples)
                    {
                        Close(start, ts);
                        filled = 0;
                        allocatedAtFirstWindow = allocatedAtFirstWindow < 0 ? GC.GetAllocatedBytesForCurrentThread() : allocatedAtFirstWindow;
                    }
                }
            }

            AllocatedBytes = allocatedAtFirstWindow < 0 ? 0 : GC.GetAllocatedBytesForCurrentThread() - allocatedAtFirstWindow;
        }

        private void Close(long startNs, long endNs)
        {
            for (int c = 0; c < 3; c++)
            {
                _welch.Add(_axes[c]);
                WelchFeatures f = _welch.Complete(_bandRms);
                for (int b = 0; b < _bands.Length; b++)
                {
                    _bands[b] = (float)_bandRms[b];
                }

                var spectral = new SpectralSummary
                {
                    DominantHz = (float)f.DominantHz,
                    DominantAmplitude = (float)f.DominantAmplitude,
                    CentroidHz = (float)f.CentroidHz,
                    Kurtosis = (float)f.Kurtosis,
                    EnvelopeAmplitude = (float)f.EnvelopeAmplitude,
                    BandRms = _bands,
                };
                var summary = new Summary { Sensor = "vib", Channel = channels[c], WindowStartNs = startNs, WindowEndNs = endNs, Features = WindowStatistics.Compute(_axes[c]), Spectral = spectral };
                _frame.ResetWrittenCount();
                Bytes += WireCodec.Encode(Envelope.Create("dev-0001", 1_000_000 + (Windows * 3) + c, summary, incarnation: 0x5DEECE66D_1234567), _frame);
            }

            Windows++;
        }
    }
}
