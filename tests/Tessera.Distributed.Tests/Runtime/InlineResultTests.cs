using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// Small results travel with TaskFinished and KeyInMemory, so the client has them without asking the
/// worker; large or unknown ones are still fetched from the worker that holds them.
/// </summary>
public sealed class InlineResultTests : InMemoryClusterTests
{
    private static long Add(long x, long y) => x + y;

    private static long[] Numbers(long n)
    {
        var a = new long[n];
        for (long i = 0; i < n; i++)
        {
            a[i] = i;
        }

        return a;
    }

    private static string Text(long n) => new('x', (int)n);

    private static List<long> AsList(long n) => [.. Numbers(n)];

    [Fact]
    public async Task SmallResult_ReachesTheClientWithTheKeyInMemory()
    {
        using Future<long> f = Client.Submit(Add, 20L, 22L);
        await f.Completion;
        Assert.NotNull(f.State.Value);
        Assert.Equal(42L, await f);
        Assert.Equal(Text(1000), await Client.Submit(Text, 1000L));
    }

    [Fact]
    public async Task LargeOrUnknownResults_AreFetchedFromTheWorker()
    {
        long n = (WorkerServer.InlineResultLimit / sizeof(long)) + 1000;
        using Future<long[]> large = Client.Submit(Numbers, n);
        using Future<List<long>> unknown = Client.Submit(AsList, 10L);
        using Future<long[]> small = Client.Submit(Numbers, 10L);
        await Task.WhenAll(large.Completion, unknown.Completion, small.Completion);
        Assert.Null(large.State.Value);
        Assert.Null(unknown.State.Value);
        Assert.NotNull(small.State.Value);
        Assert.Equal(Numbers(n), await large);
        Assert.Equal(Numbers(10), await unknown);
        Assert.Equal(Numbers(10), await small);
    }

    [Fact]
    public async Task MixedGather_KeepsTheOrder()
    {
        long n = (WorkerServer.InlineResultLimit / sizeof(long)) + 1;
        using Future<long[]> a = Client.Submit(Numbers, 3L);
        using Future<long[]> b = Client.Submit(Numbers, n);
        using Future<long[]> c = Client.Submit(Numbers, 5L);
        long[][] all = await Client.GatherAsync([a, b, c, a]);
        Assert.Equal([3, n, 5, 3], all.Select(x => (long)x.Length));
    }

    [Fact]
    public async Task KeyAlreadyInMemory_ASecondClientFetchesIt()
    {
        using Future<long> first = Client.Submit(Add, 1L, 2L, key: "inline-shared");
        Assert.Equal(3L, await first);
        await using Client other = await Client.ConnectAsync(InMemoryNetwork.Instance, TestSerializers.Create(), Cluster.Scheduler.Address, setAsDefault: false, CancellationToken.None);
        using Future<long> second = other.Submit(Add, 1L, 2L, key: "inline-shared");
        Assert.Equal(3L, await second);
    }
}
