using Tessera.Graphs;

namespace Tessera.Arrays.Kernels;

/// <summary>Histograms, bin counts and unique values: per-block partials merged in a tree.</summary>
internal static class Counting<T>
    where T : unmanaged
{
    public static readonly TaskFunction HistogramChunk = TaskFunction.Create<NDArray<T>, int, double, double, NDArray<long>>(Histogram, "histogram-chunk");
    public static readonly TaskFunction BincountChunk = TaskFunction.Create<NDArray<T>, int, NDArray<long>>(Bincount, "bincount-chunk");
    public static readonly TaskFunction UniqueChunk = TaskFunction.Create<NDArray<T>, NDArray<T>>(Unique, "unique-chunk");
    public static readonly TaskFunction UniqueCombine = TaskFunction.Create<NDArray<T>[], NDArray<T>>(MergeUnique, "unique-combine");
    public static readonly TaskFunction Identity = TaskFunction.Create<NDArray<T>, NDArray<T>>(static a => a, "identity");

    public static NDArray<long> Histogram(NDArray<T> a, int bins, double min, double max)
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        var counts = new long[bins];
        double width = (max - min) / bins;
        foreach (T x in a.ToArray())
        {
            double v = ops.ToDouble(x);
            if (!(v >= min && v <= max))
            {
                continue;
            }

            int b = v == max ? bins - 1 : (int)((v - min) / width);
            counts[Math.Min(b, bins - 1)]++;
        }

        return new NDArray<long>(counts, [bins]);
    }

    public static NDArray<long> Bincount(NDArray<T> a, int minLength)
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        T[] values = a.ToArray();
        long max = -1;
        foreach (T x in values)
        {
            double v = ops.ToDouble(x);
            if (v < 0)
            {
                throw new ArgumentException($"bincount: the input must not hold negative values, found {v}.");
            }

            max = Math.Max(max, (long)v);
        }

        var counts = new long[Math.Max(max + 1, minLength)];
        foreach (T x in values)
        {
            counts[(long)ops.ToDouble(x)]++;
        }

        return new NDArray<long>(counts, [counts.Length]);
    }

    /// <summary>Adds count vectors of different lengths (the shorter ones padded with zeros).</summary>
    public static NDArray<long> AddPadded(NDArray<long>[] parts)
    {
        int n = parts.Max(p => p.ShapeArray[0]);
        var sum = new long[n];
        foreach (NDArray<long> p in parts)
        {
            long[] v = p.ToArray();
            for (int i = 0; i < v.Length; i++)
            {
                sum[i] += v[i];
            }
        }

        return new NDArray<long>(sum, [n]);
    }

    public static NDArray<T> Unique(NDArray<T> a)
    {
        T[] v = a.ToArray();
        Array.Sort(v);
        int k = 0;
        for (int i = 0; i < v.Length; i++)
        {
            if (k == 0 || !EqualityComparer<T>.Default.Equals(v[k - 1], v[i]))
            {
                v[k++] = v[i];
            }
        }

        return new NDArray<T>(v[..k], [k]);
    }

    private static NDArray<T> MergeUnique(NDArray<T>[] parts) =>
        Unique(new NDArray<T>([.. parts.SelectMany(p => p.ToArray())], [parts.Sum(p => p.ShapeArray[0])]));
}

/// <summary>Combining count vectors, shared by every element type.</summary>
internal static class CountFunctions
{
    public static readonly TaskFunction AddCounts = TaskFunction.Create<NDArray<long>[], NDArray<long>>(Counting<long>.AddPadded, "counts-combine");
    public static readonly TaskFunction Identity = TaskFunction.Create<NDArray<long>, NDArray<long>>(static a => a, "identity");
}
