using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>A base for tests that each get a fresh in-process cluster in memory: 2 workers with 2 threads each.</summary>
public abstract class InMemoryClusterTests : IAsyncLifetime
{
    private InProcessCluster? _cluster;

    private protected InProcessCluster Cluster => _cluster!;

    private protected Client Client => Cluster.Client;

    public async ValueTask InitializeAsync() =>
        _cluster = await InProcessCluster.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), workers: 2, threads: 2);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected static void DisposeAll<T>(IEnumerable<Future<T>> futures)
    {
        foreach (Future<T> f in futures)
        {
            f.Dispose();
        }
    }
}
