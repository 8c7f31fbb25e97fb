using Tessera.Distributed.Runtime;
using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>A key cancelled and submitted again at once: the old run's result must never stand in for the new one.</summary>
public sealed class ResubmitTests
{
    private static long Two(long ignored) => 2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CancelThenResubmitTheSameKey_TheStaleRunsResultIsDropped(bool tcp)
    {
        IMessageNetwork network = tcp ? new TransportNetwork(Tessera.Distributed.Comm.CommOptions.Default, "test") : InMemoryNetwork.Instance;
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(network, TestSerializers.Create(), workers: 1, threads: 2, address: tcp ? "tcp://127.0.0.1:0" : "memory://0");
        Client client = cluster.Client;
        string gate = NewGate(), key = "resubmitted-" + Guid.NewGuid().ToString("N");
        try
        {
            // The first run of the key blocks on the worker's first thread.
            Future<long> first = client.Submit(HoldOnWorker, "w0", gate, 1L, key: key);
            await WaitUntil(() => Calls(gate) == 1, "the first run starting");

            // Cancelled and submitted again, with another function: the new run uses the second thread.
            await first.CancelAsync();
            using (Future<long> second = client.Submit(Two, 0L, key: key))
            {
                Assert.Equal(2L, await second.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));

                // The stale run ends now; it must not overwrite the key's result or count as its report.
                Open(gate);
                await WaitUntil(() => Calls(gate + "/done") == 1 && cluster.Workers[0].Executing == 0, "the stale run ending");
                using Future<long> again = client.Submit(Two, 0L, key: key);
                Assert.Equal(2L, await again.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.Equal(2L, await second.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            }

            await WaitUntil(() => cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the key");
            await WaitUntil(() => cluster.Workers[0].StoredKeys == 0, "the worker dropping every result");
        }
        finally
        {
            Open(gate);
        }
    }
}
