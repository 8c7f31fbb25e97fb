using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The scheduler's event loop outlives a handler that throws.</summary>
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
}
