using CsCheck;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays.Tests;

/// <summary>Reductions of a rechunked array reduce the input's blocks and rechunk the result: same values as one in-memory block, no rechunk of the input in the graph.</summary>
public class ReduceThroughRechunkTests
{
    private const int Iterations = 60;

    [Fact]
    public void Reductions_OfARechunk_MatchInMemory_Double() => Reductions<double>();

    [Fact]
    public void Reductions_OfARechunk_MatchInMemory_Float() => Reductions<float>();

    [Fact]
    public void Reductions_OfARechunk_MatchInMemory_Int64() => Reductions<long>();

    [Fact]
    public void Reductions_OfARechunk_MatchInMemory_Int32() => Reductions<int>();

    private static void Reductions<T>()
        where T : unmanaged
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 7);
            NDArray<T> a = TestData.Values<T>(r, shape);
            DArray<T> x = DArray.FromArray(a, TestData.Chunks(r, shape));
            DArray<T> rechunked = x.Rechunk(TestData.Chunks(r, shape));
            if (r.Next(3) == 0)
            {
                rechunked = rechunked.Rechunk(TestData.Chunks(r, shape));
            }

            int[] axes = [.. Enumerable.Range(0, a.NDim).Where(_ => r.Next(2) == 0)];
            Axes? axis = r.Next(4) == 0 ? null : axes.Length == 0 ? r.Next(a.NDim) : axes;
            int single = r.Next(a.NDim);
            bool keep = r.Next(2) == 0;
            int split = r.Next(2, 6);

            TestData.Equivalent(a.Sum(axis, keep), Checked(x, rechunked, rechunked.Sum(axis, keep, split)).Compute());
            TestData.Equivalent(a.Prod(single, keep), Checked(x, rechunked, rechunked.Prod(single, keep, split)).Compute());
            TestData.Equivalent(a.Min(axis, keep), Checked(x, rechunked, rechunked.Min(axis, keep, split)).Compute());
            TestData.Equivalent(a.Max(axis, keep), Checked(x, rechunked, rechunked.Max(axis, keep, split)).Compute());
            TestData.Close(a.Mean(axis, keep), Checked(x, rechunked, rechunked.Mean(axis, keep, split)).Compute());
            TestData.Close(a.Var(axis, 0, keep), Checked(x, rechunked, rechunked.Var(axis, 0, keep, split)).Compute());
            TestData.Close(a.Std(axis, 1, keep), Checked(x, rechunked, rechunked.Std(axis, 1, keep, split)).Compute());
            TestData.Same(a.Any(axis, keep), Checked(x, rechunked, rechunked.Any(axis, keep, split)).Compute());
            TestData.Same(a.All(axis, keep), Checked(x, rechunked, rechunked.All(axis, keep, split)).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void NanReductions_OfARechunk_MatchInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 7);
            NDArray<double> a = TestData.Doubles(r, shape, nans: true);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, shape));
            DArray<double> rechunked = x.Rechunk(TestData.Chunks(r, shape));
            int axis = r.Next(a.NDim);
            TestData.Close(a.NanSum(axis), Checked(x, rechunked, rechunked.NanSum(axis)).Compute());
            TestData.Close(a.NanMin(), Checked(x, rechunked, rechunked.NanMin()).Compute());
            TestData.Close(a.NanMean(axis), Checked(x, rechunked, rechunked.NanMean(axis)).Compute());
            TestData.Close(a.NanVar(axis, 1), Checked(x, rechunked, rechunked.NanVar(axis, 1)).Compute());
            TestData.Close(a.Sum(axis), Checked(x, rechunked, rechunked.Sum(axis)).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void ReduceThroughRechunk_Off_KeepsTheRechunkAndTheValues()
    {
        NDArray<long> a = NDArray<long>.FromArray([.. Enumerable.Range(0, 48).Select(i => (long)i)], 6, 8);
        DArray<long> rechunked = DArray.FromArray(a, new[] { 6, 1 }).Rechunk(new[] { 1, 8 });
        DArray<long> pushed = rechunked.Sum(axis: 1);
        DArray<long> kept;
        using (TesseraConfig.Set(("array.reduce-through-rechunk", false)))
        {
            kept = rechunked.Sum(axis: 1);
        }

        Assert.Contains(kept.Graph.Layers, l => l.Name == rechunked.Name);
        Assert.DoesNotContain(pushed.Graph.Layers, l => l.Name == rechunked.Name);
        TestData.Same(a.Sum(axis: 1), kept.Compute());
        TestData.Same(a.Sum(axis: 1), pushed.Compute());
        Assert.Equal([6], pushed.Chunks.Select(c => c.Length));
    }

    [Fact]
    public void PersistedRechunk_IsReducedFromItsOwnBlocks()
    {
        NDArray<long> a = NDArray<long>.FromArray([.. Enumerable.Range(0, 48).Select(i => (long)i)], 6, 8);
        DArray<long> x = DArray.FromArray(a, new[] { 6, 1 });
        DArray<long> persisted = x.Rechunk(new[] { 1, 8 }).Persist(Schedulers.Sync);
        DArray<long> sum = persisted.Sum(axis: 1);
        Assert.DoesNotContain(sum.Graph.Layers, l => x.Graph.Layers.Any(source => source.Name == l.Name));
        TestData.Same(a.Sum(axis: 1), sum.Compute());
    }

    [Fact]
    public void TransposeLikeRechunk_SumOverAllAxes_HasNoRechunkTasks()
    {
        DArray<double> x = DArray.Random.Uniform([400, 400], chunks: new[] { 400, 4 }, seed: 3);
        DArray<double> rechunked = x.Rechunk(new[] { 4, 400 });
        DArray<double> total = rechunked.Sum();
        Assert.DoesNotContain(total.Graph.Layers, l => l.Name.StartsWith("rechunk", StringComparison.Ordinal));
        Assert.Equal(x.Compute().Sum().ToScalar(), total.Compute().ToScalar(), 1e-9);
    }

    /// <summary>Asserts that <paramref name="result"/>'s graph has none of the rechunk's own layers, and returns it.</summary>
    private static DArray<TOut> Checked<T, TOut>(DArray<T> input, DArray<T> rechunked, DArray<TOut> result)
        where T : unmanaged
        where TOut : unmanaged
    {
        HashSet<string> inputLayers = [.. input.Graph.Layers.Select(l => l.Name)];
        foreach (Layer layer in rechunked.Graph.Layers.Where(l => !inputLayers.Contains(l.Name)))
        {
            Assert.DoesNotContain(result.Graph.Layers, l => l.Name == layer.Name);
        }

        return result;
    }
}
