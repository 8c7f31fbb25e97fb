using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <content>Histograms, bin counts and unique values.</content>
public sealed partial class DArray<TElement>
{
    /// <summary>Counts the elements in <paramref name="bins"/> equal bins over [min, max] (NumPy's <c>histogram</c>; as in Dask the range is required, so no pass over the data is hidden).</summary>
    /// <param name="bins">The number of bins.</param>
    /// <param name="min">The lower edge of the first bin.</param>
    /// <param name="max">The upper edge of the last bin (included).</param>
    /// <returns>The lazy counts (one block) and the bin edges.</returns>
    public (DArray<long> Counts, NDArray<double> Edges) Histogram(int bins, double min, double max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!(max > min))
        {
            throw new ArgumentException($"histogram: the range ({min}, {max}) must have max > min.", nameof(max));
        }

        int[] all = [.. Enumerable.Range(0, NDim)];
        DArray<long> counts = TreeReduce<NDArray<long>, long>(
            "histogram", all, keepDims: false, splitEvery: null,
            (_, block) => Node.Call(Counting<TElement>.HistogramChunk, block, Node.Literal(bins), Node.Literal(min), Node.Literal(max)),
            CountFunctions.AddCounts, [], p => Node.Call(CountFunctions.Identity, p), [bins, min, max], [[bins]]);
        return (counts, NDArray.Linspace(min, max, bins + 1));
    }

    /// <summary>Counts occurrences of each non-negative integer (NumPy's <c>bincount</c>); the length is max + 1 (at least <paramref name="minLength"/>), unknown until computed.</summary>
    /// <param name="minLength">The smallest length of the result.</param>
    /// <returns>The lazy counts (one block of unknown length; see <see cref="ComputeChunkSizes"/>).</returns>
    public DArray<long> Bincount(int minLength = 0)
    {
        if (NDim != 1 || DType.IsFloatingPoint() || DType == DType.Bool)
        {
            throw new ArgumentException($"bincount: the input must be a 1-D integer array, not a {NDim}-D {DType.NumPyName()} array.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        return TreeReduce<NDArray<long>, long>(
            "bincount", [0], keepDims: false, splitEvery: null,
            (_, block) => Node.Call(Counting<TElement>.BincountChunk, block, Node.Literal(minLength)),
            CountFunctions.AddCounts, [], p => Node.Call(CountFunctions.Identity, p), [minLength], [[-1]]);
    }

    /// <summary>The sorted distinct elements (NumPy's <c>unique</c>), as one block of unknown length.</summary>
    /// <returns>The lazy unique values (see <see cref="ComputeChunkSizes"/>).</returns>
    public DArray<TElement> Unique()
    {
        int[] all = [.. Enumerable.Range(0, NDim)];
        return TreeReduce<NDArray<TElement>, TElement>(
            "unique", all, keepDims: false, splitEvery: null,
            (_, block) => Node.Call(Counting<TElement>.UniqueChunk, block),
            Counting<TElement>.UniqueCombine, [], p => Node.Call(Counting<TElement>.Identity, p), [], [[-1]]);
    }

    /// <summary>
    /// The <paramref name="q"/>-th percentiles of a 1-D array (NumPy's <c>percentile</c> with linear
    /// interpolation). Like Dask's, an approximation over several blocks: each block is summarized by
    /// at most 1,000 of its order statistics, which puts the answer within N / 1,000 ranks of the exact
    /// one; exact for an array of one block, or of blocks of at most 1,000 elements.
    /// </summary>
    /// <param name="q">The percentiles, each in [0, 100].</param>
    /// <returns>The lazy percentiles (one block, as doubles), in the order of <paramref name="q"/>.</returns>
    public DArray<double> Percentile(params double[] q)
    {
        ArgumentNullException.ThrowIfNull(q);
        if (NDim != 1)
        {
            throw new ArgumentException($"percentile: the array must be 1-D, not {NDim}-D with shape {Shapes.Format(ShapeArray)}; Ravel() it first, as Dask's percentile needs.");
        }

        if (q.Length == 0 || q.Any(x => !(x >= 0 && x <= 100)))
        {
            throw new ArgumentOutOfRangeException(nameof(q), $"percentile: the percentiles ({string.Join(", ", q)}) must be at least one number, each in [0, 100].");
        }

        if (Shape[0] == 0)
        {
            throw new ArgumentException("percentile: the array is empty; a percentile needs at least one element.");
        }

        int atoms = NPartitions == 1 ? int.MaxValue : PercentileFunctions.Atoms;
        double[] wanted = (double[])q.Clone();
        return TreeReduce<NDArray<double>, double>(
            "percentile", [0], keepDims: false, splitEvery: null,
            (_, block) => Node.Call(Percentiles<TElement>.Chunk, block, Node.Literal(atoms)),
            PercentileFunctions.Combine, [], p => Node.Call(PercentileFunctions.Finish, p, Node.Literal(wanted)), [.. q.Cast<object?>()], [[q.Length]]);
    }
}
