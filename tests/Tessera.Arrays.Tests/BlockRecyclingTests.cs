using Tessera.Arrays.Kernels;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays.Tests;

/// <summary>
/// Dead blocks' buffers are reused only where the local scheduler can show that nothing holds them:
/// never a block that a view in an output, a user function or the caller may still hold.
/// </summary>
[Collection(typeof(RunsAlone))] // BlockMemory.Reused counts reuses in the whole process
public class BlockRecyclingTests
{
    // 600² doubles: 2.9 MB blocks, above the 1 MiB of a large block.
    private static DArray<double> Random(ulong seed) => DArray.Random.RandomSample([1200, 1200], chunks: 600, seed: seed);

    private static void SameBits(NDArray<double> expected, NDArray<double> actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(Snapshot(expected), Snapshot(actual));
    }

    // The values, copied into memory of the test's own (a BlockMemory allocation could take a recycled buffer).
    private static long[] Snapshot(NDArray<double> a)
    {
        var values = new double[a.Size];
        a.CopyTo(values);
        return [.. values.Select(BitConverter.DoubleToInt64Bits)];
    }

    [Fact]
    public void BlocksThatOnlyReductionsRead_AreReused_AndTheResultIsUnchanged()
    {
        DArray<double> x = Random(3);
        NDArray<double> data = x.Compute();
        NDArray<double> expected = (x + x.T).Mean(axis: 0).Compute();
        TestData.Close((data + data.T).Mean(axis: 0), expected);

        // On one thread the blocks are made and consumed in turn: each random block after the first
        // few can take a dead one's buffer (a collection by another test between the two can free it,
        // hence a few tries).
        bool reused = false;
        for (int i = 0; i < 5 && !reused; i++)
        {
            long before = BlockMemory.Reused;
            SameBits(expected, (x + x.T).Mean(axis: 0).Compute(SyncScheduler.Instance));
            SameBits(expected, (x + x.T).Mean(axis: 0).Compute());
            reused = BlockMemory.Reused > before;
        }

        Assert.True(reused, "no random block reused a dead block's buffer");
    }

    [Fact]
    public void TheBlocksOfASymmetricProduct_AreReused_AndTheResultIsUnchanged()
    {
        // x @ x.T reads each row of x's blocks as a list (syrk on the diagonal, gemm above it). Every product
        // block is an output, so only x's blocks, read solely through those lists, can be reused.
        DArray<double> x = Random(11);
        DArray<double> product = DArray.MatMul(x, x.T);
        NDArray<double> data = x.Compute();
        NDArray<double> expected;
        using (new Watching().Activate())
        {
            // A callback sees every result, so nothing is recycled in this run.
            expected = product.Compute();
        }

        TestData.Close(NDArray.MatMul(data, data.T), expected, 1e-6);
        bool reused = false;
        for (int i = 0; i < 5 && !reused; i++)
        {
            long before = BlockMemory.Reused;
            SameBits(expected, product.Compute(SyncScheduler.Instance));
            SameBits(expected, product.Compute());
            reused = BlockMemory.Reused > before;
        }

        Assert.True(reused, "no block of x @ x.T reused a dead block's buffer");
    }

    private sealed class Watching : SchedulerCallback;

    private const int Length = 600 * 600;

    private static readonly Key X = new("x");

    // A random 600² block as its own task, read by the tasks of others: the block is not fused into them.
    private static Dictionary<Key, Node> Graph(params (string Key, Node Node)[] readers)
    {
        var graph = new Dictionary<Key, Node> { [X] = Node.Call(RandomFunctions.Uniform, Node.Literal(7UL), Node.Literal(0L), Node.Literal(new[] { 600, 600 }), Node.Literal(0.0), Node.Literal(1.0)) };
        foreach ((string key, Node node) in readers)
        {
            graph[new Key(key)] = node;
        }

        return graph;
    }

    private static Node SumOfX => Node.Call(BlockFunctions<double>.Reduce, Node.Ref(X), Node.Literal(ReduceOp.Sum), Node.Literal(new[] { 0 }));

    // Allocations that take (and overwrite) any recycled buffer of the block's length.
    // Allocates blocks of the same size and fills them: a block whose buffer went back to the pool would change.
    private static void AssertUnchangedByLaterAllocations(NDArray<double> block)
    {
        long[] before = Snapshot(block);
        for (int i = 0; i < 4; i++)
        {
            BlockMemory.Allocate<double>(Length).AsSpan().Fill(-1);
        }

        Assert.Equal(before, Snapshot(block));
    }

    public static TheoryData<string> Schedulers => ["sync", "threads"];

    private static IScheduler Scheduler(string name) => name == "sync" ? SyncScheduler.Instance : new ThreadedScheduler(2);

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockOnlyReductionsRead_IsReused(string scheduler)
    {
        // The pool holds buffers weakly: a full collection between the run and the allocation (the large
        // object heap's budget, or memory pressure from other test processes) frees it, hence a few tries.
        bool reused = false;
        for (int i = 0; i < 5 && !reused; i++)
        {
            long before = BlockMemory.Reused;
            Scheduler(scheduler).Get(Graph(("s", SumOfX), ("m", Node.Call(BlockFunctions<double>.MeanChunk, Node.Ref(X), Node.Literal(new[] { 1 }), Node.Literal(false)))), [new Key("s"), new Key("m")]);
            _ = BlockMemory.Allocate<double>(Length);
            reused = BlockMemory.Reused > before;
        }

        Assert.True(reused, "the dead random block's buffer was not reused");
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockOnlyMatMulsListsRead_IsReused(string scheduler)
    {
        Node row = Node.List<NDArray<double>>([Node.Ref(X)]);
        long before = BlockMemory.Reused;
        Scheduler(scheduler).Get(Graph(("g", Node.Call(MatMulFunctions<double>.Gram, row)), ("d", Node.Call(MatMulFunctions<double>.DotTransposed, row, row))), [new Key("g"), new Key("d")]);
        _ = BlockMemory.Allocate<double>(Length);
        Assert.True(BlockMemory.Reused > before, "the dead random block's buffer was not reused");
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockInAListThatIsAnOutput_IsNeverReused(string scheduler)
    {
        object?[] r = Scheduler(scheduler).Get(Graph(("l", Node.List<NDArray<double>>([Node.Ref(X)])), ("s", SumOfX)), [new Key("l")]);
        NDArray<double> x = ((NDArray<double>[])r[0]!)[0];
        AssertUnchangedByLaterAllocations(x);
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockInAListThatAUserFunctionSaw_IsNeverReused(string scheduler)
    {
        NDArray<double>? kept = null;
        TaskFunction keep = TaskFunction.Create<NDArray<double>[], double>(row =>
        {
            kept = row[0];
            return kept[0, 0];
        });
        Scheduler(scheduler).Get(Graph(("k", Node.Call(keep, Node.List<NDArray<double>>([Node.Ref(X)]))), ("s", SumOfX)), [new Key("k"), new Key("s")]);
        AssertUnchangedByLaterAllocations(kept!);
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockThatAnOutputViews_IsNeverReused(string scheduler)
    {
        object?[] r = Scheduler(scheduler).Get(Graph(("t", Node.Call(BlockFunctions<double>.Transpose, Node.Ref(X), Node.Literal(new[] { 1, 0 }))), ("s", SumOfX)), [new Key("t")]);
        var t = (NDArray<double>)r[0]!;
        AssertUnchangedByLaterAllocations(t);
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockThatAUserFunctionSaw_IsNeverReused(string scheduler)
    {
        NDArray<double>? kept = null;
        TaskFunction keep = TaskFunction.Create<NDArray<double>, double>(b =>
        {
            kept = b;
            return b[0, 0];
        });
        Scheduler(scheduler).Get(Graph(("k", Node.Call(keep, Node.Ref(X))), ("s", SumOfX)), [new Key("k"), new Key("s")]);
        AssertUnchangedByLaterAllocations(kept!);
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void ABlockThatIsAnOutput_IsNeverReused(string scheduler)
    {
        object?[] r = Scheduler(scheduler).Get(Graph(("s", SumOfX), ("s2", SumOfX)), [X, new Key("s")]);
        var x = (NDArray<double>)r[0]!;
        AssertUnchangedByLaterAllocations(x);
    }

    [Fact]
    public void BlocksTheCallerGaveOrPersisted_AreNeverReused()
    {
        NDArray<double> given = NDArray<double>.Full(1.5, 600, 600);
        DArray<double> a = DArray.FromArray(given, 600);
        DArray<double> persisted = Random(6).Persist();
        NDArray<double> persistedValues = persisted.Compute();
        Assert.Equal(3.0, (a + a).Mean(axis: 0).Compute()[0]);
        Assert.Equal(600, (persisted + persisted.T).Mean(axis: 0).Compute().Size / 2);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(1200, (Random(30 + (ulong)i) + 1.0).Sum(axis: 0).Compute().Size);
        }

        Assert.True(given.ToArray().All(v => v == 1.5));
        SameBits(persistedValues, persisted.Compute());
    }
}
