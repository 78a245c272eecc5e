using System.Collections.ObjectModel;
using System.Device.I2c;
using Appliance.Drivers.Sources;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace Appliance.Drivers.Chips.Bme280;

/// <summary>
/// A BME280 read through the Iot.Device.Bindings driver (<see cref="Iot.Device.Bmxx80.Bme280"/>) in forced mode,
/// as a <see cref="ISampleSource"/> with channels <c>temperature_c</c> (°C), <c>pressure_pa</c> (Pa), <c>humidity_pct</c> (%RH).
/// </summary>
/// <remarks>
/// <para>Before first use the chip id at 0xD0 is checked against 0x60 (BST-BME280-DS002 5.4.1); another id throws
/// <see cref="InvalidDataException"/>, because a BMP280 (0x58) or BME680 (0x61) has a different register map and would be
/// read as plausible nonsense.</para>
/// <para>Each <see cref="Read"/> writes mode = forced to ctrl_meas, waits the datasheet's maximum measurement time
/// (Appendix B, 9.1: 1.25 + 2.3·T + 2.3·P + 0.575 + 2.3·H + 0.575 ms) on the injected <see cref="TimeProvider"/>, then polls
/// status.measuring (5.4.4) until the conversion is done, and only then reads the data registers 0xF7..0xFE in one burst and
/// compensates them with the datasheet's double-precision formulas (<see cref="Bme280Compensation"/>, section 8.1). The
/// binding configures the chip; its <c>TryReadTemperature</c>/<c>TryReadPressure</c> are not used (they re-read the registers
/// and return UnitsNet quantities, which pull all of UnitsNet into the Native AOT binary: docs/footprint.md). A conversion
/// still running after the binding's own budget (<see cref="Bmx280Base.GetMeasurementDuration"/>, 7/9/14/23/44 ms per channel) is a fault.
/// The binding's <c>Bme280.Read()</c> is not used: it waits with <c>Thread.Sleep(GetMeasurementDuration())</c>, which ignores the
/// injected clock, and allocates a result object per call.</para>
/// <para>An <see cref="IOException"/> from the bus makes <see cref="Read"/> return <see cref="SampleStatus.Fault"/>, counts it in
/// <see cref="FaultCount"/> and keeps its message in <see cref="LastFault"/>; the next <see cref="Read"/> tries again (and
/// re-opens the driver if opening failed). Every <see cref="Read"/> checks the chip id before it trusts the data registers, so a
/// chip that was reset, replaced or answers with another id is never read as if it were a BME280.
/// A reading outside the datasheet's operating range (table 1: −40..85 °C, 300..1100 hPa) is a fault too: no compensation
/// error or bit flip in a data register goes on as a plausible value. The sensor owns <c>device</c> and disposes it.</para>
/// <para>Not thread-safe: one sampling loop per bus reads it.</para>
/// </remarks>
public sealed class Bme280Sensor : IBusSensor
{
    /// <summary>The BME280 chip id at register 0xD0 (BST-BME280-DS002 5.4.1).</summary>
    public const byte ExpectedChipId = 0x60;

    internal static readonly ReadOnlyCollection<string> ChannelNames = Array.AsReadOnly(["temperature_c", "pressure_pa", "humidity_pct"]);

    private readonly I2cDevice _device;
    private readonly TimeProvider _clock;
    private readonly Iot.Device.Bmxx80.Sampling _oversampling;
    private readonly bool _ownsDevice;
    private readonly ManualResetEventSlim _elapsed = new(false);
    private readonly ITimer _timer;
    private readonly TimeSpan _measurementTime;
    private readonly byte[] _rawPointer = [0xF7];
    private readonly byte[] _raw = new byte[8];
    private Iot.Device.Bmxx80.Bme280? _driver;
    private Bme280Calibration? _calibration;
    private TimeSpan _conversionBudget;
    private long _faultCount;
    private bool _verifyChipId;
    private bool _disposed;

    /// <summary>Creates the sensor; the bus is not touched until <see cref="Open"/> or the first <see cref="Read"/>.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="device">The chip's I2C device; the sensor owns and disposes it.</param>
    /// <param name="clock">Clock for timestamps and for waiting on conversions; <see cref="TimeProvider.System"/> when null.
    /// Its timers must fire (a test clock fires them by moving its time forward).</param>
    /// <param name="oversampling">Oversampling for all three channels (BST-BME280-DS002 3.4-3.6); <see cref="Iot.Device.Bmxx80.Sampling.Skipped"/> disables them.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public Bme280Sensor(string name, I2cDevice device, TimeProvider? clock = null, Iot.Device.Bmxx80.Sampling oversampling = Iot.Device.Bmxx80.Sampling.UltraLowPower)
        : this(name, device, clock, oversampling, ownsDevice: true)
    {
    }

    private Bme280Sensor(string name, I2cDevice device, TimeProvider? clock, Iot.Device.Bmxx80.Sampling oversampling, bool ownsDevice)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _device = device ?? throw new ArgumentNullException(nameof(device));
        Name = name;
        _clock = clock ?? TimeProvider.System;
        _oversampling = oversampling;
        _ownsDevice = ownsDevice;
        int factor = Bme280Timing.OversamplingFactor((int)oversampling);
        _measurementTime = TimeSpan.FromMilliseconds(Bme280Timing.MaxMeasurementTimeMs(factor, factor, factor));
        _timer = _clock.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), _elapsed, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => ChannelNames;

    /// <inheritdoc/>
    public string Chip => "bme280";

    /// <summary>Reads that failed on the bus (<see cref="SampleStatus.Fault"/>).</summary>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <summary>The message of the latest bus fault, or null when none happened.</summary>
    public string? LastFault { get; private set; }

    /// <summary>
    /// Reads one sample from a BME280 (forced mode, oversampling x1), without taking ownership of <paramref name="device"/>.
    /// </summary>
    /// <param name="device">The chip's I2C device (<c>/dev/i2c-N</c>, or an emulator built from an i2cdump).</param>
    /// <returns>Temperature (°C), pressure (Pa), relative humidity (%RH; NaN when the humidity measurement was skipped).</returns>
    /// <exception cref="InvalidDataException">Register 0xD0 does not read 0x60.</exception>
    /// <exception cref="IOException">The bus failed, the conversion did not finish in time, the temperature or pressure
    /// measurement was skipped (its registers at the reset value 0x80000), or the reading is outside the operating range: the
    /// same checks as <see cref="Read"/>.</exception>
    public static Bme280Reading ReadOnce(I2cDevice device)
    {
        using var sensor = new Bme280Sensor("bme280", device, TimeProvider.System, Iot.Device.Bmxx80.Sampling.UltraLowPower, ownsDevice: false);
        sensor.Open();
        sensor.Sample(out Bme280Reading reading);
        sensor.CheckPlausible(reading);
        return reading;
    }

    /// <summary>
    /// Checks the chip id and configures the driver (oversampling, sleep mode). Called by the first <see cref="Read"/>; call it
    /// at start-up to fail early. Does nothing once it has succeeded.
    /// </summary>
    /// <exception cref="InvalidDataException">Register 0xD0 does not read 0x60: not a BME280.</exception>
    /// <exception cref="IOException">The bus failed.</exception>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_driver is not null && !_verifyChipId)
        {
            return;
        }

        _device.WriteByte(0xD0);
        byte chipId = _device.ReadByte();
        if (chipId != ExpectedChipId)
        {
            string what = chipId switch
            {
                0x56 or 0x57 or 0x58 => " (a BMP280, which has no humidity channel)",
                0x61 => " (a BME680)",
                0x55 => " (a BMP180)",
                _ => string.Empty,
            };
            throw new InvalidDataException(
                $"sensor '{Name}': chip id at register 0xD0 is 0x{chipId:x2}{what}; expected 0x60 for a BME280 (BST-BME280-DS002 5.4.1). Refusing to read it.");
        }

        _verifyChipId = false;
        if (_driver is not null)
        {
            return;
        }

        var driver = new Iot.Device.Bmxx80.Bme280(_device);
        _calibration = ReadCalibration(_device);
        driver.TemperatureSampling = _oversampling;
        driver.PressureSampling = _oversampling;
        driver.HumiditySampling = _oversampling;
        _conversionBudget = TimeSpan.FromMilliseconds(Math.Max(driver.GetMeasurementDuration(), 2 * _measurementTime.TotalMilliseconds));
        _driver = driver;
    }

    /// <summary>Reads one new measurement (forced mode, chip id checked) as UnitsNet quantities
    /// (<see cref="Bme280Reading.Temperature"/>, <see cref="Bme280Reading.Pressure"/>, <see cref="Bme280Reading.Humidity"/>).</summary>
    /// <param name="reading">The reading, when it succeeded.</param>
    /// <returns>False on a bus fault or implausible data (counted in <see cref="FaultCount"/>, message in <see cref="LastFault"/>).</returns>
    /// <exception cref="InvalidDataException">The chip id is not 0x60 (see <see cref="Open"/>).</exception>
    public bool TryRead(out Bme280Reading reading)
    {
        Span<float> values = stackalloc float[3];
        bool ok = Read(values, out _) == SampleStatus.Ok;
        reading = ok ? new Bme280Reading(values[0], values[1], values[2]) : default;
        return ok;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="values"/> has fewer than 3 elements.</exception>
    /// <exception cref="InvalidDataException">The chip id is not 0x60 (see <see cref="Open"/>).</exception>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        if (values.Length < ChannelNames.Count)
        {
            throw new ArgumentException($"sensor '{Name}': values has {values.Length} elements; expected at least {ChannelNames.Count} (temperature_c, pressure_pa, humidity_pct).", nameof(values));
        }

        try
        {
            _verifyChipId = true; // one 2-byte transfer per sample: a chip that now answers with another id is never read
            Open();
            timestampNs = Sample(out Bme280Reading reading);
            CheckPlausible(reading);

            values[0] = (float)reading.TemperatureC;
            values[1] = (float)reading.PressurePa;
            values[2] = (float)reading.HumidityPct;
            return SampleStatus.Ok;
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = e.Message;
            _verifyChipId = true;
            values[..ChannelNames.Count].Fill(float.NaN);
            timestampNs = UnixNs(_clock.GetUtcNow());
            return SampleStatus.Fault;
        }
    }

    /// <summary>Disposes the timer and, when the sensor owns it, the I2C device.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        _elapsed.Dispose();
        if (_ownsDevice)
        {
            if (_driver is not null)
            {
                _driver.Dispose(); // disposes the device too
            }
            else
            {
                _device.Dispose();
            }
        }
    }

    private long Sample(out Bme280Reading reading)
    {
        Iot.Device.Bmxx80.Bme280 driver = _driver!;
        long start = _clock.GetTimestamp();
        long timestampNs = UnixNs(_clock.GetUtcNow());
        driver.SetPowerMode(Bmx280PowerMode.Forced);
        WaitFor(_measurementTime);
        while (IsMeasuring())
        {
            TimeSpan elapsed = _clock.GetElapsedTime(start);
            if (elapsed > _conversionBudget)
            {
                throw new IOException(
                    $"sensor '{Name}': conversion still running after {elapsed.TotalMilliseconds:F1} ms (status.measuring stayed 1; budget {_conversionBudget.TotalMilliseconds:F1} ms, BST-BME280-DS002 Appendix B).");
            }

            WaitFor(TimeSpan.FromMilliseconds(1));
        }

        // One burst of the data registers 0xF7..0xFE (table 18): a measurement at its reset value was skipped and has no value.
        _device.WriteRead(_rawPointer, _raw);
        CheckNotSkipped();
        // Temperature and pressure from this burst with the datasheet's double-precision formulas (Bme280Compensation,
        // section 8.1), as Humidity() does; skipped oversampling reads NaN, as the binding's TryReadTemperature/TryReadPressure
        // returned false. Those two are not called: they read the data registers once more (three more transfers), and they
        // return UnitsNet quantities, whose every member first runs the quantity's static constructor; Native AOT cannot
        // compile that without every quantity and unit table of UnitsNet (2.4 MiB of the device binary, docs/footprint.md).
        double t = double.NaN, p = double.NaN;
        if (_oversampling != Iot.Device.Bmxx80.Sampling.Skipped)
        {
            int adcP = (_raw[0] << 12) | (_raw[1] << 4) | (_raw[2] >> 4);
            t = Bme280Compensation.Temperature(AdcT(), _calibration!, out double tFine);
            p = Bme280Compensation.Pressure(adcP, tFine, _calibration!);
        }

        reading = new Bme280Reading(t, p, Humidity());
        return timestampNs;
    }

    /// <summary>
    /// Relative humidity from the chip's own calibration with dig_H4 and dig_H5 sign-extended from 12 bits
    /// (<see cref="Bme280Calibration.ReadFrom"/>, as Bosch BME280_SensorAPI parse_humidity_calib_data does): Iot.Device.Bindings
    /// 4.2.0 reads them unsigned, so a chip with a negative H4 or H5 read 0 %RH through it. adc_T (for t_fine) and adc_H come
    /// from the burst of <see cref="Sample"/>; adc_H at its reset value 0x8000 is a skipped measurement: NaN.
    /// </summary>
    private double Humidity()
    {
        int adcH = (_raw[6] << 8) | _raw[7];
        if (adcH == 0x8000)
        {
            return double.NaN;
        }

        Bme280Compensation.Temperature(AdcT(), _calibration!, out double tFine);
        return Bme280Compensation.Humidity(adcH, tFine, _calibration!);
    }

    /// <summary>adc_T, the 20-bit temperature code of the burst: registers 0xFA..0xFC (BST-BME280-DS002 table 18).</summary>
    private int AdcT() => (_raw[3] << 12) | (_raw[4] << 4) | (_raw[5] >> 4);

    /// <summary>
    /// Refuses a temperature or pressure measurement whose registers hold their reset value 0x80000: what the chip reads
    /// when the measurement was skipped (osrs = 000) or never made since reset (BST-BME280-DS002 5.4.7, 5.4.8, table 18). The
    /// compensation formulas would turn it into a plausible-looking 26.46 °C and 82044.54 Pa.
    /// </summary>
    private void CheckNotSkipped()
    {
        bool p = _raw[0] == 0x80 && _raw[1] == 0 && (_raw[2] >> 4) == 0;
        bool t = _raw[3] == 0x80 && _raw[4] == 0 && (_raw[5] >> 4) == 0;
        if (t || p)
        {
            string what = t && p ? "temperature and pressure measurements" : t ? "temperature measurement" : "pressure measurement";
            throw new IOException(
                $"sensor '{Name}': {what} skipped (data registers at their reset value 0x80000, BST-BME280-DS002 5.4.7-5.4.8: oversampling 000 or no conversion since reset); no value to report.");
        }
    }

    /// <summary>Refuses a reading outside the operating range −40..85 °C, 300..1100 hPa (BST-BME280-DS002 table 1): corrupted data.</summary>
    private void CheckPlausible(Bme280Reading reading)
    {
        if (!(reading.TemperatureC is >= -40 and <= 85) || !(reading.PressurePa is >= 30_000 and <= 110_000))
        {
            throw new IOException(
                $"sensor '{Name}': implausible reading {reading.TemperatureC:F2} °C, {reading.PressurePa:F0} Pa (outside the operating range −40..85 °C, 300..1100 hPa of BST-BME280-DS002 table 1): corrupted data.");
        }
    }

    /// <summary>Reads the trimming parameters (0x88..0xA1 and 0xE1..0xE7, BST-BME280-DS002 table 16) into a register image.</summary>
    private static Bme280Calibration ReadCalibration(I2cDevice device)
    {
        var image = new byte[256];
        device.WriteRead([0x88], image.AsSpan(0x88, 26));
        device.WriteRead([0xE1], image.AsSpan(0xE1, 7));
        return Bme280Calibration.ReadFrom(image);
    }

    private bool IsMeasuring()
    {
        // Status register 0xF3, bit 3 "measuring" (BST-BME280-DS002 5.4.4).
        _device.WriteByte(0xF3);
        return (_device.ReadByte() & 0x08) != 0;
    }

    private void WaitFor(TimeSpan delay)
    {
        _elapsed.Reset();
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        _elapsed.Wait();
    }

    private static long UnixNs(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}
