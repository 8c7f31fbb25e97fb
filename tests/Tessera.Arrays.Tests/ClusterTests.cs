using Tessera.Distributed;
using Tessera.Scheduling;

namespace Tessera.Arrays.Tests;

/// <summary>A connected client becomes the default scheduler of the process, so cluster tests run alone.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>Arrays computed on a LocalCluster with worker processes get the local scheduler's answer.</summary>
[Collection(typeof(RunsAlone))]
public sealed class ClusterTests
{
    [Fact]
    public async Task WorkerProcesses_ComputeArraysLikeTheLocalScheduler()
    {
        DArray<double> x = DArray.Random.Uniform([60, 40], chunks: new[] { 25, 15 }, seed: 7);
        DArray<double> mean = (x + x[Ix.S(null, null, -1)]).Mean(axis: 0);
        DArray<double> var = x.Rechunk(new[] { 20, 40 }).Var(axis: 1, ddof: 1);
        DArray<long> arg = x.ArgMax(axis: 1);
        DArray<double> product = DArray.MatMul(x, x.T);
        DArray<double> sliced = DArray.Concatenate([x[Ix.S(1, 50, 3)], x[..5]]).Reshape(-1).MapBlocks(static b => b.Sqrt());
        DArray<double> masked = x[x > 0.5];
        DArray<double> percentiles = masked.Percentile(10, 50, 90);
        DArray<double> blockwise = DArray.Blockwise<double, double>("ij,kj->ik", static b => NDArray.MatMul(b[0], b[1].T), x, x);

        NDArray<double> mean0 = mean.Compute(Schedulers.Sync);
        NDArray<double> var0 = var.Compute(Schedulers.Sync);
        NDArray<long> arg0 = arg.Compute(Schedulers.Sync);
        NDArray<double> product0 = product.Compute(Schedulers.Sync);
        NDArray<double> sliced0 = sliced.Compute(Schedulers.Sync);
        NDArray<double> masked0 = masked.Compute(Schedulers.Sync);
        NDArray<double> percentiles0 = percentiles.Compute(Schedulers.Sync);
        NDArray<double> blockwise0 = blockwise.Compute(Schedulers.Sync);

        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        TestData.Same(mean0, await mean.ComputeAsync());
        TestData.Same(var0, await var.ComputeAsync());
        TestData.Same(arg0, await arg.ComputeAsync());
        TestData.Close(product0, await product.ComputeAsync());
        TestData.Same(sliced0, await sliced.ComputeAsync());
        TestData.Same(masked0, await masked.ComputeAsync());
        TestData.Same(percentiles0, await percentiles.ComputeAsync());
        TestData.Close(blockwise0, await blockwise.ComputeAsync());
        TestData.Close(product0, blockwise0);
        TestData.Same(x.Compute(Schedulers.Sync), x.Persist().Compute());
    }

    [Fact]
    public async Task WorkerProcesses_StoreRegionsLikeTheLocalScheduler()
    {
        string dir = Directory.CreateTempSubdirectory("tessera-cluster-store").FullName;
        try
        {
            DArray<double> x = DArray.Random.Uniform([30, 20], chunks: new[] { 7, 9 }, seed: 8);
            DArray<int> y = DArray.Arange<int>(0, 50, chunks: 12);
            ZarrWrite[] Writes(string name)
            {
                ZarrArray a = ZarrArray.Create(Path.Combine(dir, name + "-a"), [40, 20], [10, 10], DType.Float64, new ZarrOptions(Compressor: "blosc", Level: 5));
                ZarrArray b = ZarrArray.Create(Path.Combine(dir, name + "-b"), [60], [8], DType.Int32, new ZarrOptions(3, "zstd"));
                return [x.Into(a, 5..35), (x[..10] * 2.0).Into(a, 30..40), y.Into(b, 3..53)];
            }

            long local = DArray.Store(Writes("local"));
            await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
            await using (Client client = await Client.ConnectAsync(cluster))
            {
                Assert.Equal(local, DArray.Store(Writes("cluster")));
            }

            // The two writes overlap on rows 30..35: the later one, in Store's order, wins.
            NDArray<double> xs = x.Compute(Schedulers.Sync), expected = NDArray<double>.Zeros([40, 20]);
            expected.Slice(5..35).Assign(xs);
            expected.Slice(30..40).Assign(xs.Slice(..10) * 2.0);
            TestData.Same(expected, DArray.FromZarr<double>(Path.Combine(dir, "cluster-a")).Compute(Schedulers.Sync));
            TestData.Same(expected, DArray.FromZarr<double>(Path.Combine(dir, "local-a")).Compute(Schedulers.Sync));
            TestData.Same(DArray.FromZarr<int>(Path.Combine(dir, "local-b")).Compute(Schedulers.Sync), DArray.FromZarr<int>(Path.Combine(dir, "cluster-b")).Compute(Schedulers.Sync));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task WorkerProcesses_RechunkWithPieceTasks_LikeTheLocalScheduler()
    {
        DArray<double> x = DArray.Random.Uniform([120, 90], chunks: new[] { 120, 9 }, seed: 11);
        int[][] target = [[.. Enumerable.Repeat(10, 12)], [90]];
        NDArray<double> expected = x.Compute(Schedulers.Sync);

        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);

        // Built while the client is the default scheduler: pieces are tasks of their own (auto), and
        // the staged plan keeps every block under the limit.
        using (TesseraConfig.Set(("array.rechunk.block-size-limit", 40 * 90 * sizeof(double))))
        {
            DArray<double> y = x.Rechunk(target);
            Assert.Contains(y.Graph.Layers, l => l.Name.StartsWith("rechunk-split", StringComparison.Ordinal));
            NDArray<double> onCluster = await y.ComputeAsync().WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            TestData.Same(expected, onCluster);
            Assert.Equal(target, y.Chunks.Select(c => c.ToArray()));
            DArray<double> rowSums = y.Sum(axis: 1);
            TestData.Same(rowSums.Compute(Schedulers.Sync), await rowSums.ComputeAsync().WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken));
            TestData.Close(expected.Sum(axis: 1), rowSums.Compute(Schedulers.Sync));
        }
    }
}
