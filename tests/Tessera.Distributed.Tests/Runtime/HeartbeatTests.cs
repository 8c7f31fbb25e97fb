using Tessera.Distributed.Runtime;
using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>Workers send heartbeats; the scheduler removes a worker that stops, as if its connection broke.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task WorkerThatStopsHeartbeating_IsRemoved_AndItsTasksRunElsewhere()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(
            InMemoryNetwork.Instance, TestSerializers.Create(), workers: 2, threads: 1, workerTimeout: TimeSpan.FromSeconds(3), heartbeatInterval: TimeSpan.FromMilliseconds(50));
        string gate = NewGate();
        var futures = new List<Future<long>>();
        try
        {
            // Tasks hang on w0 (a worker that is alive but stuck), and w0 stops sending heartbeats.
            for (long i = 0; i < 20; i++)
            {
                futures.Add(cluster.Client.Submit(HoldOnWorker, "w0", gate, i));
            }

            await WaitUntil(() => Calls(gate) > 0, "a task hanging on w0");
            cluster.Workers[0].StopHeartbeatsForTesting();

            long[] results = await cluster.Client.GatherAsync(futures).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results);
            Assert.Equal(1, cluster.Scheduler.WorkerCount);
            await cluster.Workers[0].Completion.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Open(gate);
            DisposeAll(futures);
        }
    }

    [Fact]
    public async Task Heartbeats_CarryTheWorkersMetrics()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(
            InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1, threads: 1, heartbeatInterval: TimeSpan.FromMilliseconds(20));
        using Future<long[]> data = cluster.Client.Submit(static () => new long[1000]);
        await data;
        await WaitUntil(() => cluster.Scheduler.Query(s => s.Workers.Values.Single().StoredBytes) >= 8000, "a heartbeat reporting the stored array");
        Assert.True(cluster.Scheduler.Query(s => s.Workers.Values.Single().MemoryBytes) > 0);
    }

    private static void DisposeAll(IEnumerable<Future<long>> futures)
    {
        foreach (Future<long> f in futures)
        {
            f.Dispose();
        }
    }
}
