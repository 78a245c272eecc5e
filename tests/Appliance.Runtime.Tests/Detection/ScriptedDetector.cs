namespace Appliance.Runtime.Tests.Detection;

/// <summary>A test detector whose score is the sample itself, so wrappers can be driven with exact raw scores.</summary>
internal sealed class ScriptedDetector : ISampleDetector
{
    public string Name => "scripted";

    public double Update(double value) => value;

    public void Reset()
    {
    }
}
