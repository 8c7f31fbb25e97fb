using Tessera.Graphs;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// Percentiles of a chunked array. Each block is summarized by weighted values: all its values
/// when it has at most <see cref="PercentileFunctions.Atoms"/> of them, otherwise that many evenly
/// spaced order statistics, each standing for an equal share of the block, and its extremes. The
/// summaries are gathered in a tree, and the answer is NumPy's linear interpolation between the two
/// order statistics around the requested rank of the pooled, weighted values: exact when every block
/// is summarized by all its values, otherwise within N / Atoms ranks of the exact answer.
/// </summary>
internal static class Percentiles<T>
    where T : unmanaged
{
    public static readonly TaskFunction Chunk = TaskFunction.Create<NDArray<T>, int, NDArray<double>>(Summarize, "percentile-chunk");

    // A summary is a [2, K] array: sorted values, and how many of the block's elements each stands for.
    // A block holding NaN is summarized as one NaN.
    private static NDArray<double> Summarize(NDArray<T> block, int atoms)
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        T[] raw = block.ToArray();
        double[] sorted = new double[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            sorted[i] = ops.ToDouble(raw[i]);
        }

        if (Array.Exists(sorted, double.IsNaN))
        {
            return NDArray<double>.FromArray([double.NaN, sorted.Length], 2, 1);
        }

        Array.Sort(sorted);
        int n = sorted.Length;
        if (n <= atoms)
        {
            double[] all = new double[2 * n];
            sorted.CopyTo(all, 0);
            all.AsSpan(n).Fill(1);
            return NDArray<double>.FromArray(all, 2, n);
        }

        // The extremes too, standing for no elements, so that the 0th and 100th percentiles are exact.
        int k = atoms + 2;
        double[] summary = new double[2 * k];
        double share = (double)n / atoms;
        summary[0] = sorted[0];
        summary[k - 1] = sorted[^1];
        for (int j = 0; j < atoms; j++)
        {
            summary[1 + j] = sorted[(int)((j + 0.5) * share)];
            summary[k + 1 + j] = share;
        }

        return NDArray<double>.FromArray(summary, 2, k);
    }
}

/// <summary>The element-type-free steps of <see cref="Percentiles{T}"/>.</summary>
internal static class PercentileFunctions
{
    /// <summary>How many weighted values summarize a block of several (a whole array of one block is summarized by all its values).</summary>
    public const int Atoms = 1000;

    public static readonly TaskFunction Combine = TaskFunction.Create<NDArray<double>[], NDArray<double>>(Concatenate, "percentile-combine");
    public static readonly TaskFunction Finish = TaskFunction.Create<NDArray<double>, double[], NDArray<double>>(Interpolate, "percentile");

    private static NDArray<double> Concatenate(NDArray<double>[] parts)
    {
        int k = parts.Sum(p => p.Shape[1]);
        double[] all = new double[2 * k];
        int at = 0;
        foreach (NDArray<double> p in parts)
        {
            int n = p.Shape[1];
            double[] data = p.ToArray();
            Array.Copy(data, 0, all, at, n);
            Array.Copy(data, n, all, k + at, n);
            at += n;
        }

        return NDArray<double>.FromArray(all, 2, k);
    }

    private static NDArray<double> Interpolate(NDArray<double> summary, double[] q)
    {
        int k = summary.Shape[1];
        double[] s = summary.ToArray();
        double[] values = s[..k], weights = s[k..];
        if (Array.Exists(values, double.IsNaN))
        {
            return NDArray<double>.FromArray([.. q.Select(_ => double.NaN)], q.Length);
        }

        if (k == 0)
        {
            throw new InvalidOperationException("percentile: the array is empty; a percentile needs at least one element.");
        }

        Array.Sort(values, weights);

        // ends[i]: how many elements the values up to i stand for; value i holds ranks [ends[i-1], ends[i]).
        double[] ends = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++)
        {
            ends[i] = total += weights[i];
        }

        double At(double rank)
        {
            int i = Array.BinarySearch(ends, rank);
            i = i >= 0 ? i + 1 : ~i;
            return values[Math.Min(i, k - 1)];
        }

        double[] result = new double[q.Length];
        for (int j = 0; j < q.Length; j++)
        {
            double rank = q[j] / 100 * (total - 1);
            double lo = Math.Floor(rank);
            double a = At(lo), b = At(Math.Min(lo + 1, total - 1));
            result[j] = q[j] == 0 ? values[0] : q[j] == 100 ? values[^1] : rank == lo ? a : a + ((rank - lo) * (b - a));
        }

        return NDArray<double>.FromArray(result, q.Length);
    }
}
