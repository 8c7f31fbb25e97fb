using Tessera.Distributed.Runtime;
using Tessera.Scheduling;
using Tessera.Tests.Scheduling;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The common scheduler contract, run against a client of a cluster whose parts talk over a network.</summary>
public abstract class DistributedSchedulerContractTests : SchedulerContractTests, IAsyncLifetime
{
    private InProcessCluster? _cluster;

    private protected abstract IMessageNetwork Network { get; }

    private protected abstract string Address { get; }

    public async ValueTask InitializeAsync() =>
        _cluster = await InProcessCluster.StartAsync(Network, TestSerializers.Create(), workers: 2, threads: 2, address: Address);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected override IScheduler CreateScheduler() => _cluster!.Client;
}

/// <summary>Messages handed over as objects (in-process clusters).</summary>
public sealed class InMemoryDistributedSchedulerTests : DistributedSchedulerContractTests
{
    private protected override IMessageNetwork Network => InMemoryNetwork.Instance;

    private protected override string Address => "memory://0";
}

/// <summary>Messages encoded and framed over loopback TCP, as between processes.</summary>
public sealed class TcpDistributedSchedulerTests : DistributedSchedulerContractTests
{
    private protected override IMessageNetwork Network { get; } = new TransportNetwork(Tessera.Distributed.Comm.CommOptions.Default, "test");

    private protected override string Address => "tcp://127.0.0.1:0";
}

/// <summary>Messages encoded and framed over in-process pipes.</summary>
public sealed class PipeDistributedSchedulerTests : DistributedSchedulerContractTests
{
    private protected override IMessageNetwork Network { get; } = new TransportNetwork(Tessera.Distributed.Comm.CommOptions.Default, "test");

    private protected override string Address { get; } = "inproc://tessera-" + Guid.NewGuid().ToString("N");
}

public sealed class ClientTests : IAsyncLifetime
{
    private InProcessCluster? _cluster;

    private Client Client => _cluster!.Client;

    public async ValueTask InitializeAsync() =>
        _cluster = await InProcessCluster.StartAsync(new TransportNetwork(Tessera.Distributed.Comm.CommOptions.Default, "test"), TestSerializers.Create(), workers: 2, threads: 1, address: "tcp://127.0.0.1:0");

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private static long Inc(long x) => x + 1;

    private static long Add(long x, long y) => x + y;

    [Fact]
    public async Task Submit_IsAwaitable()
    {
        using Future<long> y = Client.Submit(Inc, 1L);
        Assert.Equal(2L, await y);
        Assert.Equal(FutureStatus.Finished, y.Status);
    }

    [Fact]
    public async Task Submit_FutureArguments_BecomeDependencies()
    {
        using Future<long> a = Client.Submit(Inc, 1L);
        using Future<long> b = Client.Submit(Inc, 10L);
        using Future<long> c = Client.Submit(Add, a, b);
        Assert.Equal(13L, await c);
    }

    [Fact]
    public async Task Map_ThenGather_MatchesLinq()
    {
        IReadOnlyList<Future<long>> futures = Client.Map(Inc, Enumerable.Range(0, 500).Select(i => (long)i));
        long[] results = await Client.GatherAsync(futures);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i + 1L), results);
        foreach (Future<long> f in futures)
        {
            f.Dispose();
        }
    }

    [Fact]
    public async Task Submit_ThrowingFunction_CarriesTypeMessageAndStack()
    {
        using Future<long> bad = Client.Submit<long, long>(x => x > 0 ? throw new InvalidOperationException("bad input " + x) : x, 7L);
        TaskFailedException e = await Assert.ThrowsAsync<TaskFailedException>(() => bad.ResultAsync());
        Assert.Equal(bad.Key, e.Key);
        RemoteException remote = Assert.IsType<RemoteException>(e.InnerException);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteTypeName);
        Assert.Equal("bad input 7", remote.Message);
        Assert.NotNull(remote.RemoteStackTrace);
        Assert.Equal(FutureStatus.Error, bad.Status);
    }

    [Fact]
    public async Task Result_WithTimeout_ReturnsTheValue()
    {
        using Future<long> f = Client.Submit(Inc, 41L);
        Assert.Equal(42L, f.Result(TimeSpan.FromSeconds(30)));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task ReleasingEveryFuture_LetsTheSchedulerForgetEverything()
    {
        IReadOnlyList<Future<long>> futures = Client.Map(Inc, Enumerable.Range(0, 50).Select(i => (long)i + 1000));
        await Client.GatherAsync(futures);
        foreach (Future<long> f in futures)
        {
            f.Dispose();
        }

        await WaitUntil(() => _cluster!.Scheduler.TaskCount == 0);
        await WaitUntil(() => _cluster!.Workers.Sum(w => w.StoredKeys) == 0);
    }

    [Fact]
    public void Delayed_ComputesOnTheClientWhenItIsTheDefault()
    {
        var inc = Delayed.Of<long, long>(Inc);
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        Delayed<long> total = sum(Delayed.List(Enumerable.Range(0, 100).Select(i => inc(i))));
        Assert.Equal(total.Compute(Schedulers.Sync), total.Compute(Client));
    }

    [Fact]
    public async Task ScatterAsync_OverTcp_ValuesReachWorkersAndFeedTasks()
    {
        long[] data = [.. Enumerable.Range(0, 10).Select(i => (long)i * i)];
        IReadOnlyList<Future<long>> scattered = await Client.ScatterAsync(data);
        Assert.Equal(data, await Client.GatherAsync(scattered));
        IReadOnlyList<Future<long>> sums = [.. scattered.Zip(scattered.Skip(1), (a, b) => Client.Submit(Add, a, b))];
        Assert.Equal(data.Zip(data.Skip(1), Add), await Client.GatherAsync(sums));
        foreach (Future<long> f in scattered.Concat(sums))
        {
            f.Dispose();
        }

        await WaitUntil(() => _cluster!.Scheduler.TaskCount == 0);
    }

    [Fact]
    public async Task RunAndAsCompleted_OverTcp()
    {
        IReadOnlyDictionary<string, string> names = await Client.RunAsync(() => Thread.CurrentThread.IsThreadPoolThread ? "pool" : "other");
        Assert.Equal(_cluster!.Workers.Select(w => w.Address).Order(), names.Keys.Order());
        Assert.All(names.Values, n => Assert.Equal("pool", n));

        IReadOnlyList<Future<long>> futures = Client.Map(Inc, Enumerable.Range(0, 30).Select(i => (long)i));
        var results = new List<long>();
        await foreach ((Future<long> _, long r) in futures.AsCompletedWithResults())
        {
            results.Add(r);
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), results.Order());
        foreach (Future<long> f in futures)
        {
            f.Dispose();
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 10 s");
            await Task.Delay(10);
        }
    }
}
