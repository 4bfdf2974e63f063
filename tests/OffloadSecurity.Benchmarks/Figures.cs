using System.Globalization;

namespace OffloadSecurity.Benchmarks;

/// <summary>What every benchmark needs: its command-line options and percentiles of what it measured.</summary>
public static class Figures
{
    public static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The nearest-rank percentile of <paramref name="values"/>.</summary>
    public static double Percentile(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
