namespace Appliance.Drivers.Emulation;

/// <summary>
/// The geometry of a rolling-element bearing, which fixes its defect frequencies as multiples of the shaft rate.
/// </summary>
/// <param name="Balls">n, the number of rolling elements.</param>
/// <param name="BallDiameterMm">d, the rolling-element diameter, mm.</param>
/// <param name="PitchDiameterMm">D, the pitch (cage) diameter, mm.</param>
/// <param name="ContactAngleDeg">φ, the contact angle, degrees (0 for a deep-groove ball bearing under radial load).</param>
public readonly record struct BearingGeometry(int Balls, double BallDiameterMm, double PitchDiameterMm, double ContactAngleDeg)
{
    /// <summary>
    /// The SKF 6205-2RS JEM deep-groove ball bearing of the Case Western Reserve University bearing data set: n = 9,
    /// d = 7.94 mm (0.3126 in), D = 39.04 mm (1.537 in), φ = 0; its BPFO is 3.5848 × the shaft rate, as the data set's
    /// "Bearing Information" page tabulates.
    /// </summary>
    public static BearingGeometry Skf6205 { get; } = new(9, 7.94, 39.04, 0);

    /// <summary>
    /// The ball pass frequency of the outer race, the rate at which rolling elements roll over a defect on a stationary outer race:
    /// BPFO = (n / 2) · f_r · (1 − (d / D) · cos φ) (R. B. Randall and J. Antoni, "Rolling element bearing diagnostics — A
    /// tutorial", Mechanical Systems and Signal Processing 25 (2011) 485–520, equation (1); T. A. Harris, Rolling Bearing
    /// Analysis).
    /// </summary>
    /// <param name="shaftHz">f_r, the shaft (inner race) rotation rate, Hz.</param>
    /// <returns>BPFO, Hz (107.5 Hz for <see cref="Skf6205"/> at 30 Hz).</returns>
    public double OuterRaceHz(double shaftHz) =>
        Balls / 2.0 * shaftHz * (1 - (BallDiameterMm / PitchDiameterMm * Math.Cos(ContactAngleDeg * Math.PI / 180)));
}
