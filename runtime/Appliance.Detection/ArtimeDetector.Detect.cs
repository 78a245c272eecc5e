namespace Appliance.Detection;

/// <summary>ARTime's detection step: the initial vigilance, the category search with its confidence, and the adaptive vigilance.</summary>
public sealed partial class ArtimeDetector
{
    // The mean best resonance of a scratch ART (ρ = 0.8) trained on the full windows of the learning period, least
    // typical first, over its second half.
    private double InitialVigilanceOf()
    {
        var first = Window - 1;
        var n = _order.Length;
        var typicality = _typicality;
        Array.Fill(typicality, 1.0); // similarity with itself
        for (var i = 0; i < n; i++)
        {
            var a = _kept.AsSpan((first + i) * FeatureCount, FeatureCount);
            for (var j = 0; j < i; j++)
            {
                var s = Cosine(a, _kept.AsSpan((first + j) * FeatureCount, FeatureCount));
                typicality[i] += s;
                typicality[j] += s;
            }
        }

        var order = _order;
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        typicality.CopyTo(_typicalityKeys, 0);
        Array.Sort(_typicalityKeys, order);
        StableTies(typicality, order);

        var scratch = _scratch;
        scratch.Clear();
        scratch.LowerVigilance = InitialVigilance;
        scratch.UpperVigilance = InitialVigilance;
        scratch.AddUncommitted();
        var coded = _coded;
        var from = _learning / 2; // 1-based position in the presented sequence
        double sum = 0;
        var count = 0;
        for (var k = 1; k <= n; k++)
        {
            var resonance = 0.0;
            if (k > 1)
            {
                FuzzyArtCategories.ComplementCode(_kept.AsSpan((first + order[k - 1]) * FeatureCount, FeatureCount), coded);
                _ = scratch.Present(coded, learn: true, out resonance, out _);
            }

            if (k >= from)
            {
                sum += resonance;
                count++;
            }
        }

        return count == 0 ? InitialVigilance : sum / count;
    }

    // Array.Sort is not stable: within runs of equal keys, restore ascending original index.
    private static void StableTies(double[] keys, int[] order)
    {
        var start = 0;
        while (start < order.Length)
        {
            var end = start + 1;
            while (end < order.Length && keys[order[end]] == keys[order[start]])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }

            start = end;
        }
    }

    // ARTime's similarity of two feature vectors: the cosine, or 1 − |other| when one is all zeros.
    private static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        na = Math.Sqrt(na);
        nb = Math.Sqrt(nb);
        return na == 0 ? 1 - nb : nb == 0 ? 1 - na : dot / (na * nb);
    }

    private double Detect(ReadOnlySpan<double> features, long step)
    {
        var sinceAnomaly = step - _lastAnomaly;
        var adaptAfterAnomaly = sinceAnomaly == Mask;
        var adaptForTrend = step - _lastVigilanceUpdate >= _learning / 2;
        var maskAfterAnomaly = sinceAnomaly <= Mask;
        if (step > _learning + Mask && _maskAfterCluster && _stepsWithoutCluster >= Mask)
        {
            _maskAfterCluster = false;
        }

        double resonance, energy;
        bool newCluster;
        if (_art.Count == 0)
        {
            // The first presentation only founds the uncommitted box (ARTime: it is not measured; resonance 0).
            _art.AddUncommitted();
            resonance = 0.0;
            energy = 0.0;
            newCluster = true;
        }
        else
        {
            FuzzyArtCategories.ComplementCode(features, _coded);
            var learn = step >= Window;
            newCluster = _art.Present(_coded, learn, out resonance, out energy) || !learn;
        }

        _stepsWithoutCluster = newCluster ? 0 : _stepsWithoutCluster + 1;
        _resonanceSum += resonance;
        _recent[_recentAt] = resonance;
        _recentAt = (_recentAt + 1) % _recent.Length;
        _shortfall[_shortfallAt] = _art.UpperVigilance - resonance;
        _shortfallAt = (_shortfallAt + 1) % _shortfall.Length;
        if (sinceAnomaly < Mask && _anomalies > 0 && resonance < _anomalyLowest)
        {
            // An anomaly's recorded resonance is the lowest seen while it is masked (the confidence keeps the first).
            _anomalyResonanceSum += resonance - _anomalyLowest;
            _anomalyLowest = resonance;
        }

        var masked = _maskAfterCluster || maskAfterAnomaly;
        var belowLast = resonance < _lastAnomalyResonance * (maskAfterAnomaly ? 0.90 : 0.70);
        var score = 0.0;
        if (step > _learning && newCluster && (!masked || belowLast))
        {
            score = Confidence(resonance, energy);
            _anomalies++;
            _anomalyResonanceSum += resonance;
            _lastAnomalyResonance = resonance;
            _anomalyLowest = resonance;
            _lastAnomaly = step;
        }

        _maskAfterCluster |= newCluster;
        if (step > _learning && (adaptAfterAnomaly || adaptForTrend))
        {
            Adapt(step);
        }

        return score;
    }

    private double Confidence(double resonance, double energy)
    {
        var r = Math.Min(0.999, resonance);
        var upper = ((1 - r) - (1 - _art.UpperVigilance)) / (1 - r);
        var lower = ((1 - r) - (1 - _art.LowerVigilance)) / (1 - r);
        var s = Math.Min(1.0, (upper * 0.35) + (lower * 0.65) + ((1.0 - energy) * 1.5));
        return Math.Round(s, 6, MidpointRounding.ToEven);
    }

    private void Adapt(long step)
    {
        var lowestRecent = double.PositiveInfinity;
        foreach (var r in _recent)
        {
            lowestRecent = Math.Min(lowestRecent, r);
        }

        var upper = Math.Min(UpperCap, _resonanceSum / step);
        var lower = _art.LowerVigilance;
        if (lower <= lowestRecent)
        {
            lower += (lowestRecent - lower) * 0.19;
        }
        else
        {
            var decrease = 0.0;
            if (step > 2L * _learning)
            {
                double sum = 0;
                var count = 0;
                foreach (var d in _shortfall)
                {
                    if (d > 0.05)
                    {
                        sum += Math.Min(0.37, d);
                        count++;
                    }
                }

                decrease = count > 0 ? sum / count : 0.0;
            }

            lower -= Math.Max(0.01, decrease) / 2;
            if (_anomalies > 0)
            {
                lower = Math.Max(_anomalyResonanceSum / _anomalies, lower);
            }
        }

        _art.LowerVigilance = Math.Min(upper, lower);
        _art.UpperVigilance = upper;
        _lastVigilanceUpdate = step;
        _maskAfterCluster = true;
    }
}
