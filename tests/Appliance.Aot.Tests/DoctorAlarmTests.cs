namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance doctor --config FILE</c> (which configured sensors answer, chip id check) and the demo's alarm line, through
/// the published binary. Chip ids: BME280 0xD0 = 0x60 (BST-BME280-DS002 5.4.1); an emulated <c>chipid</c> fault reads 0xFF.
/// </summary>
public sealed partial class DoctorAlarmTests
{
    private static readonly string Config = Appliance.Runtime.Tests.Config.TestToml.EnvSensorHead.Replace("id = \"d\"", "id = \"doctor-test\"", StringComparison.Ordinal) + """
        FAULT

        [[alarm]]
        name = "relay"
        bus = "emulated:gpio"
        line = 4
        sensors = ["env"]
        """ + "\n" + Appliance.Runtime.Tests.Config.TestToml.Tail;

    private static string Write(string fault)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("appliance-doctor-").FullName, "appliance.toml");
        File.WriteAllText(path, Config.Replace("FAULT", fault, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public void Doctor_ConfigWithChipIdFault_SaysWrongChipIdWithActualAndExpectedAndExitsOne()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "doctor", "--config", Write("fault = \"chipid:0s+1h\""));

        Assert.True(code == 1, $"{stdout}\n{stderr}");
        Assert.Matches(@"buses: i2c .*; spi .*; gpio ", stdout);
        Assert.Matches(@"sensor env \(bme280 on emulated:bme280\): DOES NOT ANSWER: wrong chip id: .*is 0xff; expected 0x60", stdout);
        Assert.Contains("alarm relay (output on emulated:gpio line 4, active high, hold 5 s): raised by alerts of env", stdout, StringComparison.Ordinal);
        Assert.Contains("libgit2:", stdout, StringComparison.Ordinal); // the existing lines are still there
    }

    [Fact]
    public void Doctor_HealthyConfig_SensorAnswersWithChipIdOkAndExitsZero()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "doctor", "--config", Write(string.Empty));

        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Matches(@"sensor env \(bme280 on emulated:bme280\): answers; chip id 0x60 ok; read temperature_c=", stdout);
    }

    [Fact]
    public void Doctor_BadConfig_OneLineErrorWithFileLineExitTwo()
    {
        var path = Write("fault = \"chipid:0s+1h\"").Replace("appliance.toml", "bad.toml", StringComparison.Ordinal);
        File.WriteAllText(path, Config.Replace("FAULT", string.Empty, StringComparison.Ordinal).Replace("sensors = [\"env\"]", "sensors = [\"vib\"]", StringComparison.Ordinal));

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "doctor", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("bad.toml:15: [alarm] sensors: alarm 'relay' sensors: 'vib' is not a configured sensor", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_EmbeddedDefault_HeaterAlertRaisesLampAndFinalLineStaysLast()
    {
        // The embedded default's heater fault (+15 °C from 8 s for 4 s) raises an alert on env; the lamp listens to env.
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(90), "demo", "--duration", "15s");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Matches(@"^demo: \d+ windows summarised, \d+ summaries stored, \d+ alerts$", lines[^1]);
        var alarm = AlarmLine().Match(lines[^2]);
        Assert.True(alarm.Success, stdout);
        Assert.True(long.Parse(alarm.Groups[1].Value) >= 1, stdout);
        Assert.Equal("0", alarm.Groups[2].Value);
    }

    [GeneratedRegex(@"^demo: alarm lamp raised (\d+) times, cleared \d+ times, (\d+) write faults$")]
    private static partial Regex AlarmLine();
}
