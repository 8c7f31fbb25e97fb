using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>Copies of inputs that workers fetch from peers are known to the scheduler and freed with their keys.</summary>
public sealed class ReplicaTests : InMemoryClusterTests
{
    private static long Add(long x, long y) => x + y;

    [Fact]
    public async Task FetchedInput_BecomesAKnownReplica_AndIsFreedWhenReleased()
    {
        // Values spread over both workers; a task adds two that live on different workers, so it fetches one.
        IReadOnlyList<Future<long>> values = await Client.ScatterAsync([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L]);
        string[] holder = Cluster.Scheduler.Query(s => values.Select(v => s.Tasks[v.Key].WhoHas.Single().Address).ToArray());
        Future<long> a = values[0];
        Future<long> b = values[Array.FindIndex(holder, h => h != holder[0])];
        using (Future<long> sum = Client.Submit(Add, a, b))
        {
            Assert.Equal(await a + await b, await sum.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        }

        await WaitUntil(
            () => Cluster.Scheduler.Query(s => new[] { a, b }.Any(v => s.Tasks[v.Key].WhoHas.Count == 2)),
            "the scheduler learning of the fetched copy");
        DisposeAll(values);
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting every key");
        await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping every value and copy");
    }

    [Fact]
    public async Task TreeReduction_AfterRelease_WorkersHoldNoData()
    {
        var inc = Delayed.Of<long, long>(x => x + 1);
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        var level = Enumerable.Range(0, 64).Select(i => inc(i)).ToList();
        while (level.Count > 1)
        {
            level = [.. level.Chunk(4).Select(c => sum(Delayed.List(c)))];
        }

        Assert.Equal(Enumerable.Range(1, 64).Sum(), await level[0].ComputeAsync(Client, TestContext.Current.CancellationToken));
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting every key");
        await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping every result and fetched copy");
    }
}
