using Tessera.Arrays;
using Tessera.Collections;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests;

/// <summary>
/// <c>Persist</c> with a client keeps a collection's parts on the workers (Dask's persist on a
/// distributed client): the collection's graph then holds futures, and later computations start from them.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class PersistTests
{
    private static int s_blocksComputed;

    [Fact]
    public async Task PersistOnAClient_KeepsThePartsOnTheWorkers_AndLaterComputationsStartFromThem()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: false);
        await using Client client = await Client.ConnectAsync(cluster);
        DArray<double> x = DArray.Random.Uniform([400, 300], chunks: new[] { 100, 100 }, seed: 9).MapBlocks(b =>
        {
            Interlocked.Increment(ref s_blocksComputed);
            return b;
        });
        NDArray<double> local = (x + 1).Sum(axis: 0).Compute(Schedulers.Sync);
        Volatile.Write(ref s_blocksComputed, 0);

        DArray<double> held = x.Persist(client, TestContext.Current.CancellationToken);
        TaskGraph graph = held.Graph.ToTaskGraph();
        Assert.Equal(12, graph.Count);
        Assert.All(graph.Values, n => Assert.IsType<Future<object?>>(Assert.IsType<LiteralNode>(n, exactMatch: false).Value));

        NDArray<double> once = await (held + 1).Sum(axis: 0).ComputeAsync(client, TestContext.Current.CancellationToken);
        NDArray<double> twice = await (held + 1).Sum(axis: 0).ComputeAsync(client, TestContext.Current.CancellationToken);
        NDArray<double> whole = await held.ComputeAsync(client, TestContext.Current.CancellationToken);
        Assert.Equal(local.ToArray(), once.ToArray());
        Assert.Equal(local.ToArray(), twice.ToArray());
        Assert.Equal(x.Compute(Schedulers.Sync).ToArray(), whole.ToArray());
        Assert.Equal(12 + 12, Volatile.Read(ref s_blocksComputed)); // the persist's 12 blocks, and the local oracle's 12 just above
    }

    [Fact]
    public async Task APersistedCollection_ComputedOnAnotherClient_IsAnErrorNamingTheFix()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, threadsPerWorker: 1, processes: false);
        await using Client first = await Client.ConnectAsync(cluster);
        await using Client second = await Client.ConnectAsync(cluster);
        DArray<double> held = DArray.Ones<double>([10], chunks: new[] { 5 }).Persist(first, TestContext.Current.CancellationToken);

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => held.Sum().ComputeAsync(second, TestContext.Current.CancellationToken));
        Assert.Contains("compute the collection on the client that persisted it", e.Message, StringComparison.Ordinal);
    }
}
