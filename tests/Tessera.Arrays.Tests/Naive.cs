namespace Tessera.Arrays.Tests;

/// <summary>Reference implementations by plain loops over indices.</summary>
internal static class Naive
{
    public static IEnumerable<int[]> Indices(int[] shape)
    {
        if (shape.Any(d => d == 0))
        {
            yield break;
        }

        var index = new int[shape.Length];
        while (true)
        {
            yield return (int[])index.Clone();
            int a = shape.Length - 1;
            while (a >= 0 && ++index[a] == shape[a])
            {
                index[a] = 0;
                a--;
            }

            if (a < 0)
            {
                yield break;
            }
        }
    }

    public static NDArray<double> Binary(NDArray<double> a, NDArray<double> b, Func<double, double, double> f)
    {
        int n = Math.Max(a.NDim, b.NDim);
        var shape = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i - (n - a.NDim) >= 0 ? a.Shape[i - (n - a.NDim)] : 1;
            int db = i - (n - b.NDim) >= 0 ? b.Shape[i - (n - b.NDim)] : 1;
            shape[i] = Math.Max(da, db);
        }

        NDArray<double> r = NDArray<double>.Zeros(shape);
        foreach (int[] idx in Indices(shape))
        {
            r[idx] = f(a[Project(idx, a)], b[Project(idx, b)]);
        }

        return r;
    }

    private static int[] Project(int[] idx, NDArray a)
    {
        var p = new int[a.NDim];
        for (int i = 0; i < a.NDim; i++)
        {
            int j = i + (idx.Length - a.NDim);
            p[i] = a.Shape[i] == 1 ? 0 : idx[j];
        }

        return p;
    }

    /// <summary>Reduces with a function of the list of values per output element.</summary>
    public static NDArray<double> Reduce(NDArray<double> a, int[] axes, bool keepdims, Func<List<double>, double> f)
    {
        int[] outShape = [.. Enumerable.Range(0, a.NDim).Where(i => keepdims || !axes.Contains(i)).Select(i => axes.Contains(i) ? 1 : a.Shape[i])];
        var groups = new Dictionary<string, List<double>>();
        foreach (int[] idx in Indices([.. a.Shape]))
        {
            int[] o = [.. Enumerable.Range(0, a.NDim).Where(i => keepdims || !axes.Contains(i)).Select(i => axes.Contains(i) ? 0 : idx[i])];
            string k = string.Join(",", o);
            if (!groups.TryGetValue(k, out List<double>? list))
            {
                groups[k] = list = [];
            }

            list.Add(a[idx]);
        }

        NDArray<double> r = NDArray<double>.Zeros(outShape);
        foreach (int[] o in Indices(outShape).DefaultIfEmpty([]))
        {
            r[o] = f(groups[string.Join(",", o)]);
        }

        return r;
    }

    public static double Var(List<double> v, double ddof)
    {
        double m = v.Average();
        return v.Sum(x => (x - m) * (x - m)) / (v.Count - ddof);
    }
}
