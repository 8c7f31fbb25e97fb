using System.Runtime.Loader;

namespace Tessera.Distributed.TestUserCode;

/// <summary>A user record that travels as data.</summary>
public sealed record Point(double X, double Y)
{
    public double Length => Math.Sqrt((X * X) + (Y * Y));
}

/// <summary>Closures defined in user code.</summary>
public static class UserFunctions
{
    /// <summary>Captures a record and a local; returns a user type.</summary>
    public static Func<double, Point> Scale(Point origin, double shift)
    {
        double factor = origin.Length;
        return x => new Point((origin.X * x) + shift, origin.Y * x * factor);
    }

    /// <summary>A lambda that calls another captured lambda.</summary>
    public static Func<int, int> Nested(int offset)
    {
        Func<int, int> inner = x => x + offset;
        return y => inner(y) * 2;
    }

    /// <summary>A closure in a generic method (a generic display class).</summary>
    public static Func<int, string> Describe<T>(T value) => x => $"{value}:{x}";

    /// <summary>A plain function of a user type.</summary>
    public static double Length(Point p) => p.Length;

    /// <summary>A function that tells whether this assembly was loaded into a collectible load context (uploaded code is).</summary>
    public static Func<bool> LoadedAsUploadedCode() => static () => AssemblyLoadContext.GetLoadContext(typeof(Point).Assembly)?.IsCollectible ?? false;

    /// <summary>Sums a list of points captured with a scale.</summary>
    public static Func<int, double> SumLengths(IReadOnlyList<Point> points, double scale)
    {
        List<Point> copy = [.. points];
        return n => copy.Take(n).Sum(p => p.Length) * scale;
    }
}
