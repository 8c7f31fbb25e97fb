using Tessera.Distributed.Runtime;
using Tessera.Distributed.Tests.Runtime;

namespace Tessera.Distributed.Tests;

/// <summary>Client.RestartAsync: every task and result is dropped, workers come back fresh, futures fail clearly.</summary>
[Collection(nameof(DataMovementTests))]
public sealed class RestartTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    private static long Square(long x) => x * x;

    [Fact]
    public async Task RestartAsync_InProcessWorkers_DropsEverythingAndFreshWorkersJoin()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: false);
        await using Client client = await Client.ConnectAsync(cluster);
        await using Client other = await Client.ConnectAsync(cluster);
        IReadOnlyDictionary<string, int> before = await client.GetWorkersAsync();

        using Future<long> finished = client.Submit(Square, 3L);
        Assert.Equal(9L, await finished.ResultAsync().WaitAsync(s_limit));
        using Future<long> pending = client.Submit(Square, 4L, resources: new Dictionary<string, double> { ["TPU"] = 1 });
        using Future<long> othersFuture = other.Submit(Square, 5L);
        Assert.Equal(25L, await othersFuture.ResultAsync().WaitAsync(s_limit));

        await client.RestartAsync().WaitAsync(s_limit);

        Assert.Equal(FutureStatus.Error, finished.Status);
        Assert.Equal(FutureStatus.Error, pending.Status);
        ClusterRestartedException lost = await Assert.ThrowsAsync<ClusterRestartedException>(() => finished.ResultAsync());
        Assert.Equal(finished.Key, lost.Key);
        Assert.Contains("restarted", lost.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ClusterRestartedException>(() => pending.ResultAsync());
        Assert.IsType<ClusterRestartedException>(finished.Exception());
        await WaitForAsync(() => othersFuture.Status == FutureStatus.Error, "the other client's future failing");
        await Assert.ThrowsAsync<ClusterRestartedException>(() => othersFuture.ResultAsync());
        Assert.Equal(0, cluster.Scheduler.TaskCount);

        // Fresh workers, as many as before; the same keys compute again.
        IReadOnlyDictionary<string, int> after = await client.GetWorkersAsync();
        Assert.Equal(2, after.Count);
        Assert.Empty(after.Keys.Intersect(before.Keys));
        using Future<long> again = client.Submit(Square, 3L);
        Assert.Equal(finished.Key, again.Key);
        Assert.Equal(9L, await again.ResultAsync().WaitAsync(s_limit));
    }

    [Fact]
    public async Task RestartAsync_WorkerProcesses_AreReplacedByNewProcesses()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        int[] before = [.. (await client.RunAsync(() => Environment.ProcessId).WaitAsync(s_limit)).Values];
        using Future<long> finished = client.Submit(Square, 6L);
        Assert.Equal(36L, await finished.ResultAsync().WaitAsync(s_limit));

        await client.RestartAsync().WaitAsync(s_limit);

        await Assert.ThrowsAsync<ClusterRestartedException>(() => finished.ResultAsync());
        int[] after = [.. (await client.RunAsync(() => Environment.ProcessId).WaitAsync(s_limit)).Values];
        Assert.Equal(2, after.Length);
        Assert.Empty(after.Intersect(before));
        Assert.Equal(2, cluster.WorkerCount);
        using Future<long> again = client.Submit(Square, 7L);
        Assert.Equal(49L, await again.ResultAsync().WaitAsync(s_limit));
    }

    [Fact]
    public async Task RestartAsync_AWorkerProcessKilledBeforeItJoins_IsReplaced_AndTheRestartCompletes()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        int old = cluster.WorkerProcessIdForTesting(0);
        Task restart = client.RestartAsync(s_limit);

        // Kill the first new process as soon as the restart started it: a .NET process takes far longer to join.
        var deadline = DateTime.UtcNow + s_limit;
        while (FirstProcessId() is not int id || id == old)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restart did not start new worker processes");
            await Task.Delay(1);
        }

        cluster.KillWorkerProcessForTesting(0);
        await restart.WaitAsync(s_limit);
        Assert.Equal(1, cluster.ReplacedWorkers);
        Assert.Equal(2, cluster.WorkerCount);
        Assert.Equal(2, (await client.GetWorkersAsync().WaitAsync(s_limit)).Count);
        using Future<long> square = client.Submit(Square, 8L);
        Assert.Equal(64L, await square.ResultAsync().WaitAsync(s_limit));

        // The restart empties the list of processes before it fills it again.
        int? FirstProcessId()
        {
            try
            {
                return cluster.WorkerProcessIdForTesting(0);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null;
            }
        }
    }

    [Fact]
    public async Task RestartAsync_WorkersThatDoNotComeBack_TimesOut()
    {
        // Workers without a host (the bare server) stop on a restart and nobody starts them again.
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "memory://0" });
        await using WorkerServer worker = await WorkerServer.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), scheduler.Address, "memory://0", 1, name: "bare");
        await WaitForAsync(() => scheduler.WorkerCount == 1, "the worker joining");
        await using Client client = await Client.ConnectAsync(scheduler.Address, new ClientOptions { UploadCode = false });
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => client.RestartAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(s_limit));
        Assert.Contains("0 of the 1 workers", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within 30 s");
            await Task.Delay(10);
        }
    }
}
