using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The client API over an in-process cluster (2 workers, 2 threads each) in memory.</summary>
public sealed class ClientApiTests : InMemoryClusterTests
{
    private static long Add(long x, long y) => x + y;

    private static long Combine(long x, long y, long z) => (100 * x) + (10 * y) + z;

    [Fact]
    public async Task Submit_ThreeArguments_ValuesAndFuturesInEveryPosition()
    {
        using Future<long> one = Client.Submit(Add, 0L, 1L);
        using Future<long> two = Client.Submit(Add, 1L, 1L);
        using Future<long> three = Client.Submit(Add, 1L, 2L);
        using Future<long> values = Client.Submit(Combine, 1L, 2L, 3L);
        using Future<long> mixed = Client.Submit(Combine, one, 2L, three);
        using Future<long> futures = Client.Submit(Combine, one, two, three);
        using Future<long> lastFuture = Client.Submit(Combine, 1L, 2L, three);
        long[] results = await Client.GatherAsync([values, mixed, futures, lastFuture]);
        Assert.Equal([123L, 123L, 123L, 123L], results);
    }

    [Fact]
    public async Task Map_TwoSequences_MatchesZip()
    {
        long[] xs = [.. Enumerable.Range(0, 200).Select(i => (long)i)];
        long[] ys = [.. Enumerable.Range(0, 150).Select(i => (long)i * 7)];
        IReadOnlyList<Future<long>> futures = Client.Map(Add, xs, ys);
        Assert.Equal(xs.Zip(ys, Add), await Client.GatherAsync(futures));
        Assert.Equal(150, futures.Count);
        DisposeAll(futures);
    }

    [Fact]
    public async Task Submit_Retries_ToleratesThatManyFailuresAndReportsTheLast()
    {
        string id = Guid.NewGuid().ToString("N");
        using Future<long> recovers = Client.Submit(FailFirst, id + "-a", 2L, retries: 2);
        using Future<long> failsTwice = Client.Submit(FailFirst, id + "-b", 2L, retries: 1);
        using Future<long> noRetries = Client.Submit(FailFirst, id + "-c", 1L);
        Assert.Equal(3L, await recovers);
        TaskFailedException second = await Assert.ThrowsAsync<TaskFailedException>(() => failsTwice.ResultAsync());
        Assert.Equal($"attempt 2 of {id}-b", second.InnerException!.Message);
        TaskFailedException first = await Assert.ThrowsAsync<TaskFailedException>(() => noRetries.ResultAsync());
        Assert.Equal($"attempt 1 of {id}-c", first.InnerException!.Message);
    }

    [Fact]
    public async Task Map_Retries_EveryTaskRecovers()
    {
        string id = Guid.NewGuid().ToString("N");
        string[] ids = [.. Enumerable.Range(0, 30).Select(i => $"{id}-{i}")];
        long[] failures = [.. Enumerable.Range(0, 30).Select(i => (long)(i % 3))];
        IReadOnlyList<Future<long>> futures = Client.Map(FailFirst, ids, failures, retries: 2);
        Assert.Equal(failures.Select(f => f + 1), await Client.GatherAsync(futures));
        DisposeAll(futures);
    }

    [Fact]
    public void Submit_NegativeRetries_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.Submit(Add, 1L, 2L, retries: -1));
    }
}
