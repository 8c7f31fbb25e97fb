using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests;

/// <summary>
/// How worker processes of a LocalCluster handle the memory of values fetched from peers: the buffers a
/// large value arrives in are reused for the next one, and the values stay equal to the ones computed here.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class WorkerMemoryTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    // 2 MiB per block: above ReceiveBuffers.MinBytes, so each transfer's buffer is pooled.
    private static double[] Block(int i) => [.. Enumerable.Range(0, 1 << 18).Select(x => Math.Sin(x + (1000.0 * i)))];

    private static double Total(double[] xs) => xs.Sum();

    [Fact]
    public async Task AWorkerFetchingBlocksOneAfterAnother_ReusesTheBufferTheyArriveIn_AndGetsEqualValues()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true, cancellationToken: ct);
        await using Client client = await Client.ConnectAsync(cluster);
        string[] workers = [.. (await client.GetWorkersAsync(ct).WaitAsync(s_limit, ct)).Keys];
        (string holder, string reader) = (workers[0], workers[1]);
        const int Blocks = 6;
        IReadOnlyList<Future<double[]>> blocks = client.Map<int, double[]>(Block, Enumerable.Range(0, Blocks), workers: [holder]);
        await client.GatherAsync(blocks, ct).WaitAsync(s_limit, ct);
        long before = (await client.RunAsync(() => ReceiveBuffers.Reused, [reader], ct).WaitAsync(s_limit, ct))[reader];

        // One at a time, each on the worker without the block: six transfers of 2 MiB.
        for (int i = 0; i < Blocks; i++)
        {
            using Future<double> total = client.Submit(Total, blocks[i], workers: [reader]);
            Assert.Equal(Total(Block(i)), await total.ResultAsync().WaitAsync(s_limit, ct));
        }

        long reused = (await client.RunAsync(() => ReceiveBuffers.Reused, [reader], ct).WaitAsync(s_limit, ct))[reader] - before;
        Assert.True(reused >= Blocks - 1, $"The reader took {reused} of {Blocks} receive buffers from the pool; all but the first should be reused.");

        // The copies the reader holds are bit-equal to the blocks computed here.
        IReadOnlyDictionary<Graphs.Key, IReadOnlyList<string>> holders = await client.WhoHasAsync(blocks).WaitAsync(s_limit, ct);
        Assert.All(holders.Values, h => Assert.Contains(reader, h));
        double[][] got = await client.GatherAsync(blocks, ct).WaitAsync(s_limit, ct);
        for (int i = 0; i < Blocks; i++)
        {
            Assert.Equal(Block(i), got[i]);
        }
    }
}
