using System.Runtime.CompilerServices;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

/// <summary>
/// The tests that connect clients to a cluster: a connected client becomes the process's default scheduler,
/// so they run one at a time.
/// </summary>
[CollectionDefinition(nameof(DashboardClusters), DisableParallelization = true)]
public sealed class DashboardClusters;

/// <summary>A cluster with workers in this process and a dashboard on a free port, and the graph the tests run on it.</summary>
internal static class DashboardCluster
{
    // Every future the helpers submit stays held for as long as its client: a future that is collected
    // releases its key (as Dask's do), and the pages under test must go on showing its task.
    private static readonly ConditionalWeakTable<Client, List<object>> s_held = [];

    public static Task<LocalCluster> StartAsync(int workers = 2, int threadsPerWorker = 2, TimeSpan? updateInterval = null) =>
        LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = workers,
            ThreadsPerWorker = threadsPerWorker,
            Processes = false,
            Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0", UpdateInterval = updateInterval ?? TimeSpan.FromMilliseconds(200) }),
        });

    /// <summary>A cluster whose workers (in this process, one thread each) have a 4 MB memory limit and spill into <paramref name="directory"/> above 0.6 of it.</summary>
    public static Task<LocalCluster> StartSpillingAsync(int workers, string directory) =>
        LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = workers,
            ThreadsPerWorker = 1,
            Processes = false,
            Memory = new WorkerMemoryOptions { Limit = 4_000_000, LocalDirectory = directory, PauseFraction = null, TerminateFraction = null },
            Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0", UpdateInterval = TimeSpan.FromMilliseconds(200) }),
        });

    public static long Inc(long x)
    {
        Thread.Sleep(2);
        return x + 1;
    }

    public static long Double(long x)
    {
        Thread.Sleep(3 + (int)(x % 5));
        return 2 * x;
    }

    public static long Total(IReadOnlyList<long> xs) => xs.Sum();

    /// <summary>Maps <see cref="Inc"/> over <paramref name="count"/> numbers and sums them; the futures stay held, so their tasks stay in memory.</summary>
    public static async Task<(IReadOnlyList<Future<long>> Incs, Future<long> Total)> RunGraphAsync(Client client, int count = 100)
    {
        IReadOnlyList<Future<long>> incs = client.Map<long, long>(Inc, Enumerable.Range(0, count).Select(i => (long)i));
        long[] values = await client.GatherAsync(incs);
        Future<long> total = client.Submit(Total, (IReadOnlyList<long>)values);
        Assert.Equal(Enumerable.Range(1, count).Sum(i => (long)i), await total);
        Hold(client, [.. incs, total]);
        return (incs, total);
    }

    /// <summary>Runs inc, then double on each result, then a total: three task prefixes, with the futures held.</summary>
    public static async Task<IReadOnlyList<Future<long>>> RunThreePrefixGraphAsync(Client client, int count)
    {
        IReadOnlyList<Future<long>> incs = client.Map<long, long>(Inc, Enumerable.Range(0, count).Select(i => (long)i));
        Future<long>[] doubles = [.. incs.Select(f => client.Submit(Double, f))];
        long[] values = await client.GatherAsync(doubles);
        Future<long> total = client.Submit(Total, (IReadOnlyList<long>)values);
        Assert.Equal(Enumerable.Range(1, count).Sum(i => 2L * i), await total);
        Hold(client, [.. incs, .. doubles, total]);
        return [incs[0], doubles[0], total];
    }

    /// <summary>Runs a chain of <paramref name="length"/> incs, each on the one before, with the futures held: dependency depths 0 to length - 1.</summary>
    /// <remarks>It starts from -1: no other graph here incs -1, so no task of the chain shares its key with another.</remarks>
    public static async Task<IReadOnlyList<Future<long>>> RunChainAsync(Client client, int length)
    {
        var chain = new List<Future<long>> { client.Submit(Inc, -1L) };
        for (int i = 1; i < length; i++)
        {
            chain.Add(client.Submit(Inc, chain[^1]));
        }

        Assert.Equal(length - 1, await chain[^1]);
        Hold(client, chain);
        return chain;
    }

    private static void Hold(Client client, IEnumerable<object> futures)
    {
        List<object> held = s_held.GetOrCreateValue(client);
        lock (held)
        {
            held.AddRange(futures);
        }
    }
}
