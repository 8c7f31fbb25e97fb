using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests;

/// <summary>
/// Placement and root-task queuing on local clusters: a block's reduction runs where the block is, and long
/// root tasks wait on the scheduler instead of piling up on the workers.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class QueuingTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    // 20,000 longs (160 KB) per block: far more than a cheap transfer.
    private static long[] Block(int i) => [.. Enumerable.Range(0, 20_000).Select(x => ((long)x * 7) + i)];

    private static long Total(long[] xs) => xs.Sum();

    private static int SlowLoad(int i)
    {
        Thread.Sleep(100);
        return i;
    }

    [Fact]
    public async Task PerBlockReductions_RunOnTheWorkersHoldingTheBlocks_AndNoBlockIsCopied()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: false);
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long[]>> blocks = client.Map<int, long[]>(Block, Enumerable.Range(0, 16));
        await client.GatherAsync(blocks, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        IReadOnlyDictionary<Key, IReadOnlyList<string>> before = await client.WhoHasAsync(blocks).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(2, before.Values.SelectMany(h => h).Distinct().Count());

        // Rounds of reductions whose prefix the scheduler knows, then does not know (another function).
        for (int round = 0; round < 3; round++)
        {
            IReadOnlyList<Future<long>> sums = round % 2 == 0 ? client.Map<long[], long>(Total, blocks) : client.Map<long[], long>(xs => xs.Max(), blocks);
            long[] got = await client.GatherAsync(sums, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
            Assert.Equal(Enumerable.Range(0, 16).Select(i => round % 2 == 0 ? Total(Block(i)) : Block(i).Max()), got);
            IReadOnlyDictionary<Key, IReadOnlyList<string>> ranOn = await client.WhoHasAsync(sums).WaitAsync(s_limit, TestContext.Current.CancellationToken);
            for (int i = 0; i < sums.Count; i++)
            {
                string worker = Assert.Single(ranOn[sums[i].Key]);
                Assert.Contains(worker, before[blocks[i].Key]);
            }

            foreach (Future<long> f in sums)
            {
                f.Dispose();
            }
        }

        // No block travelled: each is still held by its one worker only.
        IReadOnlyDictionary<Key, IReadOnlyList<string>> after = await client.WhoHasAsync(blocks).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.All(blocks, b => Assert.Equal(before[b.Key], after[b.Key]));
    }

    [Fact]
    public async Task LongRootTasks_WaitOnTheScheduler_AtMostSaturationTimesThreadsInFlightPerWorker()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 2, processes: false, workerSaturation: 1.1);
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<int>> loads = client.Map<int, int>(SlowLoad, Enumerable.Range(0, 24));
        Task<int[]> all = client.GatherAsync(loads, TestContext.Current.CancellationToken);
        int most = 0, queuedSeen = 0;
        var seen = new List<string>();
        while (!all.IsCompleted)
        {
            (int InFlight, int Queued, string Text) now = cluster.Scheduler.Server.Query(s => (
                s.Workers.Values.Max(w => w.Processing.Count),
                s.Tasks.Values.Count(t => t.State == TaskStateKind.Queued),
                string.Join(", ", s.Workers.Values.Select(w => $"{w.Processing.Count} in flight ({w.Occupancy:0.###} s, round trip {w.RoundTrip * 1e3:0.###} ms)"))));
            most = Math.Max(most, now.InFlight);
            queuedSeen = Math.Max(queuedSeen, now.Queued);
            seen.Add($"{now.Text}, {now.Queued} queued");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }


        Assert.Equal(Enumerable.Range(0, 24), await all.WaitAsync(s_limit, TestContext.Current.CancellationToken));

        // ceil(1.1 × 2) = 3 per worker; the rest waited on the scheduler.
        Assert.True(most is >= 1 and <= 3, $"{most} tasks were in flight on a worker at once:\n{string.Join('\n', seen)}");
        Assert.True(queuedSeen >= 24 - (2 * 3), $"at most {queuedSeen} tasks were queued on the scheduler");
    }
}
