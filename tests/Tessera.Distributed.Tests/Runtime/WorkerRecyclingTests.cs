using Tessera.Arrays;
using Tessera.Collections;
using Tessera.Distributed.Runtime;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// Workers recycle the blocks that nothing holds any more, as the local schedulers do: the memory
/// declarations of the array functions travel with them, and a block that a view, a send or the client
/// may still hold is left alone.
/// </summary>
public sealed class WorkerRecyclingTests
{
    // Blocks of 2 MiB: large enough for the block pool.
    private static readonly long[] s_shape = [1024, 1024];
    private static readonly int[] s_chunks = [512, 512];

    [Fact]
    public async Task BlocksThatNothingHolds_AreRecycledOnTheWorkers_AndTheResultIsTheThreadedOne()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 2);
        DArray<double> x = DArray.Random.Uniform(s_shape, chunks: s_chunks, seed: 3);
        DArray<double> expression = (x + x.T).Sum() + DArray.MatMul(x * 2, x).Sum();

        double distributed = (await expression.ComputeAsync(cluster.Client, TestContext.Current.CancellationToken)).ToScalar();

        Assert.Equal(expression.Compute(Schedulers.Threaded).ToScalar(), distributed, 1e-9);
        Assert.True(cluster.Workers.Sum(w => w.RecycledCount) > 0, "No worker recycled a block.");
    }

    [Fact]
    public async Task BlocksThatAViewOrTheClientHolds_AreNotRecycled_SoLaterBlocksDoNotOverwriteThem()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 2);
        DArray<double> x = DArray.Random.Uniform(s_shape, chunks: s_chunks, seed: 4);

        // Unfused, x's blocks are tasks of their own, whose keys are freed once the persisted blocks made
        // from them exist: the transposed ones are views of them.
        using IDisposable unfused = TesseraConfig.Set(("optimization.blockwise.active", false));
        DArray<double> transposed = x.T.Persist(cluster.Client, TestContext.Current.CancellationToken);
        DArray<double> kept = (x + 1).Persist(cluster.Client, TestContext.Current.CancellationToken);

        // Fresh blocks of the same size, which would take any recycled buffer and write over it.
        DArray<double> later = DArray.Random.Uniform(s_shape, chunks: s_chunks, seed: 5);
        _ = await ((later * 3) + later.T).Sum().ComputeAsync(cluster.Client, TestContext.Current.CancellationToken);

        Assert.Equal(x.T.Compute(Schedulers.Sync).ToArray(), (await transposed.ComputeAsync(cluster.Client, TestContext.Current.CancellationToken)).ToArray());
        Assert.Equal((x + 1).Compute(Schedulers.Sync).ToArray(), (await kept.ComputeAsync(cluster.Client, TestContext.Current.CancellationToken)).ToArray());
    }
}
