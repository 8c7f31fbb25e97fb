using System.Collections.Concurrent;
using Tessera.Distributed.Protocol;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// Fetches data from workers: one connection per worker address, requests matched to answers by id.
/// Used by workers (dependencies from peers) and by clients (gathering results).
/// </summary>
internal sealed class DataClient(IMessageNetwork network) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<PeerLink>>> _links = new(StringComparer.Ordinal);
    private long _nextRequest;

    /// <summary>Fetches the serialized values of <paramref name="keys"/> from the worker at <paramref name="address"/>.</summary>
    public async Task<Data> GetAsync(string address, Key[] keys, CancellationToken cancellationToken)
    {
        PeerLink link = await _links.GetOrAdd(address, a => new Lazy<Task<PeerLink>>(() => ConnectAsync(a))).Value.ConfigureAwait(false);
        long id = Interlocked.Increment(ref _nextRequest);
        var pending = new TaskCompletionSource<Data>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Pending[id] = pending;
        link.Connection.Post(new GetData(id, keys));
        using (cancellationToken.Register(() => pending.TrySetCanceled(cancellationToken)))
        {
            try
            {
                return await pending.Task.ConfigureAwait(false);
            }
            catch (CommClosedException)
            {
                _links.TryRemove(address, out _);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Lazy<Task<PeerLink>> l in _links.Values)
        {
            if (l.IsValueCreated && l.Value.IsCompletedSuccessfully)
            {
                await l.Value.Result.Connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        _links.Clear();
    }

    private async Task<PeerLink> ConnectAsync(string address)
    {
        IMessageChannel channel;
        try
        {
            channel = await network.ConnectAsync(address).ConfigureAwait(false);
        }
        catch
        {
            _links.TryRemove(address, out _);
            throw;
        }

        var link = new PeerLink(new PeerConnection(channel));
        _ = Task.Run(() => ReadLoopAsync(address, link));
        return link;
    }

    private async Task ReadLoopAsync(string address, PeerLink link)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                Message m = await link.Connection.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                if (m is Data d && link.Pending.TryRemove(d.RequestId, out TaskCompletionSource<Data>? tcs))
                {
                    tcs.TrySetResult(d);
                }
                else if (m is Close)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        _links.TryRemove(address, out _);
        var closed = new CommClosedException($"The connection to worker {address} closed while data was requested.", failure ?? new IOException("closed"));
        foreach (TaskCompletionSource<Data> tcs in link.Pending.Values)
        {
            tcs.TrySetException(closed);
        }
    }

    private sealed class PeerLink(PeerConnection connection)
    {
        public PeerConnection Connection { get; } = connection;

        public ConcurrentDictionary<long, TaskCompletionSource<Data>> Pending { get; } = new();
    }
}
