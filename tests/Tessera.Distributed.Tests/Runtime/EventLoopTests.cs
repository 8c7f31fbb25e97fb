using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The scheduler's event loop outlives a handler that throws, and says when no task finishes for long.</summary>
public sealed class EventLoopTests
{
    [Fact]
    public async Task AHandlerThatThrows_IsLoggedAsAnError_AndTheSchedulerGoesOnServing()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1);
        cluster.Scheduler.PostForTesting(() => throw new InvalidOperationException("a bug in a handler"));

        using Future<int> after = cluster.Client.Submit(() => 6 * 7);
        Assert.Equal(42, await after.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        SchedulerLogEntry error = Assert.Single(cluster.Scheduler.Log.Read(1000), l => l.Level == SchedulerLogLevel.Error);
        Assert.Contains("failed to handle a queued action", error.Message, StringComparison.Ordinal);
        Assert.Contains("a bug in a handler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnfinishedTasksWithNoneFinishing_AreReportedOnce_WithWhereTheyRun()
    {
        await using InProcessCluster cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 1, workerTimeout: TimeSpan.FromSeconds(2));
        cluster.Scheduler.NoProgressWarning = TimeSpan.FromMilliseconds(500);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(cluster.Scheduler.Log.Read(1000), l => l.Message.StartsWith("No task has finished", StringComparison.Ordinal));

        using Future<int> slow = cluster.Client.Submit(() =>
        {
            Thread.Sleep(4000);
            return 1;
        }, key: "slow-task");
        Assert.Equal(1, await slow.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        SchedulerLogEntry warning = Assert.Single(cluster.Scheduler.Log.Read(1000), l => l.Message.StartsWith("No task has finished", StringComparison.Ordinal));
        Assert.Equal(SchedulerLogLevel.Warning, warning.Level);
        Assert.Contains("slow-task", warning.Message, StringComparison.Ordinal);
    }
}
