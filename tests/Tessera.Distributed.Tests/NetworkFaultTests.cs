using System.Diagnostics;
using Tessera.Distributed.Tests.Hosts;

namespace Tessera.Distributed.Tests;

/// <summary>
/// Fault tests on the network between scheduler, workers and client: packet loss and a partition between
/// hosts (network namespaces with nftables rules, needs root), and a slow link (a delaying TCP proxy).
/// Each graph's answer is checked against a plain loop.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class NetworkFaultTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    private static long[] Leaf(long i, int length, int sleepMs)
    {
        if (sleepMs > 0)
        {
            Thread.Sleep(sleepMs);
        }

        var values = new long[length];
        for (int j = 0; j < length; j++)
        {
            values[j] = (i * 31) + j;
        }

        return values;
    }

    // A tree reduction over leaves of `length` longs each: its inner tasks pull inputs from both workers.
    private static Delayed<long> Tree(int leaves, int length, int sleepMs)
    {
        var leaf = Delayed.Of<long, int, int, long[]>(Leaf);
        var first = Delayed.Of<IReadOnlyList<long[]>, long>(xs => xs.Sum(x => x.Sum()));
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        IReadOnlyList<Delayed<long>> level = [.. Enumerable.Range(0, leaves).Chunk(10).Select(c => first(Delayed.List(c.Select(i => leaf(i, length, sleepMs)))))];
        while (level.Count > 1)
        {
            level = [.. level.Chunk(10).Select(c => sum(Delayed.List(c)))];
        }

        return level[0];
    }

    private static long Expected(int leaves, int length) =>
        Enumerable.Range(0, leaves).Sum(i => Enumerable.Range(0, length).Sum(j => (i * 31L) + j));

    private static async Task<long> ComputeWithin(Client client, Delayed<long> graph)
    {
        try
        {
            return await graph.ComputeAsync(client, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The graph did not finish within {s_limit.TotalSeconds} s.\n{client.DescribeStateForTesting()}");
            throw;
        }
    }

    [Fact]
    public async Task PacketLossOnEveryHost_SlowsTheGraphButGivesTheRightAnswer()
    {
        Assert.SkipWhen(NetnsHosts.FaultsUnavailable is not null, NetnsHosts.FaultsUnavailable ?? "");
        await using NetnsHosts hosts = NetnsHosts.Create(3);
        string address = await hosts.StartClusterAsync(threadsPerWorker: 2);
        await using Client client = await Client.ConnectAsync(address);
        for (int host = 0; host < 3; host++)
        {
            hosts.DropPackets(host, percent: 5);
        }

        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(Expected(1000 + round, 2000), await ComputeWithin(client, Tree(1000 + round, 2000, sleepMs: 0)));
        }
    }

    [Fact]
    public async Task AWorkerCutOffFromTheNetwork_IsRemovedAfterItsHeartbeatTimeout_AndTheOtherWorkerFinishesTheGraph()
    {
        Assert.SkipWhen(NetnsHosts.FaultsUnavailable is not null, NetnsHosts.FaultsUnavailable ?? "");
        await using NetnsHosts hosts = NetnsHosts.Create(3);
        string address = await hosts.StartClusterAsync(threadsPerWorker: 2, "--worker-ttl", "3");
        await using Client client = await Client.ConnectAsync(address);

        // Leaves of 10 ms each: about 3 s of work on the two workers, cut off one second in.
        Task<long> running = ComputeWithin(client, Tree(1200, 100, sleepMs: 10));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted, "the graph finished before the partition");
        hosts.DropPackets(2, percent: 100);
        Assert.Equal(Expected(1200, 100), await running);
        IReadOnlyDictionary<string, int> workers = await client.GetWorkersAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith($"tcp://{hosts.HostIp(1)}:", Assert.Single(workers).Key, StringComparison.Ordinal);

        // After the partition heals the cluster still serves; the cut-off worker's results are not used.
        hosts.Heal(2);
        Assert.Equal(Expected(300, 100), await ComputeWithin(client, Tree(300, 100, sleepMs: 0)));
    }

    [Fact]
    public async Task APartitionOfTheSchedulerShorterThanTheHeartbeatTimeout_Heals_AndTheGraphFinishesOnBothWorkers()
    {
        Assert.SkipWhen(NetnsHosts.FaultsUnavailable is not null, NetnsHosts.FaultsUnavailable ?? "");
        await using NetnsHosts hosts = NetnsHosts.Create(3);
        string address = await hosts.StartClusterAsync(threadsPerWorker: 2, "--worker-ttl", "30");
        await using Client client = await Client.ConnectAsync(address);

        Task<long> running = ComputeWithin(client, Tree(1200, 100, sleepMs: 10));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        hosts.DropPackets(0, percent: 100);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        hosts.Heal(0);
        Assert.Equal(Expected(1200, 100), await running);
        Assert.Equal(2, (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task ASlowLinkBetweenEveryPeerAndTheScheduler_GivesTheRightAnswer()
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(20);
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0" }, TestContext.Current.CancellationToken);
        await using DelayingProxy proxy = DelayingProxy.Start(scheduler.Address, delay);
        await using WorkerHost first = await WorkerHost.StartAsync(proxy.Address, new WorkerOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        await using WorkerHost second = await WorkerHost.StartAsync(proxy.Address, new WorkerOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        await using Client client = await Client.ConnectAsync(proxy.Address);

        Assert.Equal(Expected(2000, 100), await ComputeWithin(client, Tree(2000, 100, sleepMs: 0)));

        // The link really is slow: a task's round trip crosses it four times (client, scheduler, worker and back).
        var watch = Stopwatch.StartNew();
        using Future<int> one = client.Submit(() => 1);
        Assert.Equal(1, await one);
        Assert.True(watch.Elapsed >= 2 * delay, $"a round trip took {watch.Elapsed.TotalMilliseconds} ms through a proxy that delays each direction by {delay.TotalMilliseconds} ms");
    }
}
