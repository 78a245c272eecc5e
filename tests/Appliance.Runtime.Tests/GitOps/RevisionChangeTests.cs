namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// Which revisions a running device takes in place (issue 5, item 3, as driven by GitOps): only a revision whose parsed
/// configuration equals the running one with <c>[inference] model</c> left out, and whose model bytes (SHA-256) differ, is a
/// model update; anything else rebuilds.
/// </summary>
public sealed class RevisionChangeTests
{
    private static string Toml(double rate = 10, string model = "pump", string extra = "") => $$"""
        [device]
        id = "pump-7"

        [[sensor]]
        name = "adc"
        chip = "ads1115"
        bus = "emulated:ads1115"
        rate_hz = {{rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
        channels = "ain0,ain1"
        {{extra}}
        [window]
        length = "1s"

        [inference]
        enabled = true
        gpu = "off"
        model = "{{model}}"

        [uplink]
        endpoint = "tcp://127.0.0.1:5556"

        [gitops]
        branch = "main"
        interval = "30s"

        """;

    private static ConfigBundle Bundle(string toml, params ModelPackage[] models) =>
        new("rev", ConfigLoader.Parse(toml, "appliance.toml"), models, "test");

    private static ModelPackage Model(string name, byte content) => new(name, [content, 1, 2, 3], 2, 4);

    [Fact]
    public void Between_OnlyModelBytesDiffer_ModelOnlyWithNewModel()
    {
        var next = Model("pump", 2);
        var change = RevisionChange.Between(Bundle(Toml(), Model("pump", 1)), Bundle(Toml(), next));

        Assert.Equal(RevisionChangeKind.ModelOnly, change.Kind);
        Assert.Same(next, change.Model);
    }

    [Fact]
    public void Between_SameBytesOtherUnusedModelFolder_None()
    {
        // Two parses (their channel lists are different objects) of the same text and the same model bytes: nothing to do.
        var change = RevisionChange.Between(Bundle(Toml(), Model("pump", 1)), Bundle(Toml(), Model("pump", 1), Model("spare", 9)));

        Assert.Equal((RevisionChangeKind.None, (ModelPackage?)null), (change.Kind, change.Model));
    }

    // A sensor's spectral table and a [[camera]] table parse into records holding lists (bands, channels, cameras): two parses
    // of the same text are the same configuration, so a model push still swaps in place (found when both landed: every
    // revision became a rebuild), and a changed camera or band still rebuilds.
    private const string SpectralAndCamera = """
        spectral = { size = 8, window = "hann", bands = [[1.0, 4.0]] }

        [[camera]]
        name = "door"
        source = "file:/srv/door.mp4"

        """;

    [Fact]
    public void Between_SameSpectralAndCameraText_ModelOnlyOrNone()
    {
        var next = Model("pump", 2);
        Assert.Equal(RevisionChangeKind.ModelOnly, RevisionChange.Between(Bundle(Toml(extra: SpectralAndCamera), Model("pump", 1)), Bundle(Toml(extra: SpectralAndCamera), next)).Kind);
        Assert.Equal(RevisionChangeKind.None, RevisionChange.Between(Bundle(Toml(extra: SpectralAndCamera), next), Bundle(Toml(extra: SpectralAndCamera), next)).Kind);
    }

    [Theory]
    [InlineData("[[1.0, 4.0]]", "/srv/door2.mp4")]
    [InlineData("[[1.0, 3.0]]", "/srv/door.mp4")]
    public void Between_CameraOrBandsChanged_Rebuild(string bands, string source)
    {
        var changed = SpectralAndCamera.Replace("[[1.0, 4.0]]", bands, StringComparison.Ordinal).Replace("/srv/door.mp4", source, StringComparison.Ordinal);
        Assert.Equal(RevisionChangeKind.Rebuild, RevisionChange.Between(Bundle(Toml(extra: SpectralAndCamera), Model("pump", 1)), Bundle(Toml(extra: changed), Model("pump", 1))).Kind);
    }

    [Fact]
    public void Between_ModelFolderRenamed_ModelOnly()
    {
        var change = RevisionChange.Between(Bundle(Toml(model: "pump"), Model("pump", 1)), Bundle(Toml(model: "pump-v2"), Model("pump-v2", 1)));

        Assert.Equal(RevisionChangeKind.ModelOnly, change.Kind);
        Assert.Equal("pump-v2", change.Model!.Name);
    }

    [Theory]
    [InlineData("rate")]
    [InlineData("channels")]
    [InlineData("detector")]
    [InlineData("alarm")]
    public void Between_ModelAndAnotherSettingChange_Rebuild(string setting)
    {
        var next = setting switch
        {
            "rate" => Toml(rate: 20),
            "channels" => Toml().Replace("ain0,ain1", "ain1,ain0", StringComparison.Ordinal),
            "detector" => Toml(extra: "detector = \"cusum\"\n"),
            _ => Toml() + "[[alarm]]\nname = \"relay\"\nbus = \"emulated:gpio\"\nline = 4\n",
        };

        var change = RevisionChange.Between(Bundle(Toml(), Model("pump", 1)), Bundle(next, Model("pump", 2)));

        Assert.Equal((RevisionChangeKind.Rebuild, (ModelPackage?)null), (change.Kind, change.Model));
    }

    [Fact]
    public void Between_FittedOnDeviceToRepositoryModel_Rebuild()
    {
        var fitted = Toml().Replace("model = \"pump\"\n", "", StringComparison.Ordinal);

        Assert.Equal(RevisionChangeKind.Rebuild, RevisionChange.Between(Bundle(fitted), Bundle(Toml(), Model("pump", 1))).Kind);
        Assert.Equal(RevisionChangeKind.Rebuild, RevisionChange.Between(Bundle(Toml(), Model("pump", 1)), Bundle(fitted)).Kind);
        Assert.Equal(RevisionChangeKind.None, RevisionChange.Between(Bundle(fitted), Bundle(fitted, Model("pump", 1))).Kind);
    }

    [Fact]
    public void Id_ModelBytes_NameAndSha256Prefix()
    {
        // Reference: SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2, appendix B.1).
        var package = new ModelPackage("pump", "abc"u8.ToArray(), 1, 2);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", package.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("abc"u8)), package.Sha256);
        Assert.Equal("models/pump@sha256:ba7816bf8f01", package.Id);
    }
}
