using System.Collections.Concurrent;
using Tessera.Distributed.Protocol;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// Requests to workers: one connection per worker address, requests matched to answers by id.
/// Used by workers (dependencies from peers) and by clients (gathering results, scattering data,
/// running functions on every worker).
/// </summary>
internal sealed class DataClient(IMessageNetwork network) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<PeerLink>>> _links = new(StringComparer.Ordinal);
    private long _nextRequest;

    /// <summary>Fetches the serialized values of <paramref name="keys"/> from the worker at <paramref name="address"/>.</summary>
    public async Task<Data> GetAsync(string address, Key[] keys, CancellationToken cancellationToken) =>
        (Data)await RequestAsync(address, id => new GetData(id, keys), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends the request that <paramref name="request"/> builds around a fresh request id to the worker at
    /// <paramref name="address"/>, and returns the answer that carries the same id
    /// (<see cref="Data"/>, <see cref="DataStored"/> or <see cref="RunResult"/>).
    /// </summary>
    public async Task<Message> RequestAsync(string address, Func<long, Message> request, CancellationToken cancellationToken)
    {
        PeerLink link = await _links.GetOrAdd(address, a => new Lazy<Task<PeerLink>>(() => ConnectAsync(a))).Value.ConfigureAwait(false);
        long id = Interlocked.Increment(ref _nextRequest);
        var pending = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (link.Gate)
        {
            // A request on a link whose connection just closed would wait for ever: its read loop failed
            // the pending requests already, and the post below goes nowhere.
            if (link.Failure is { } failure)
            {
                throw new CommClosedException(failure.Message, failure);
            }

            link.Pending[id] = pending;
        }

        link.Connection.Post(request(id));
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
            finally
            {
                link.Pending.TryRemove(id, out _);
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
                long? id = m switch
                {
                    Data d => d.RequestId,
                    DataStored s => s.RequestId,
                    RunResult r => r.RequestId,
                    _ => null,
                };
                if (id is { } requestId && link.Pending.TryRemove(requestId, out TaskCompletionSource<Message>? tcs))
                {
                    tcs.TrySetResult(m);
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
        lock (link.Gate)
        {
            link.Failure = closed;
        }

        foreach (TaskCompletionSource<Message> tcs in link.Pending.Values)
        {
            tcs.TrySetException(closed);
        }
    }

    private sealed class PeerLink(PeerConnection connection)
    {
        public PeerConnection Connection { get; } = connection;

        public ConcurrentDictionary<long, TaskCompletionSource<Message>> Pending { get; } = new();

        /// <summary>Gets the lock that orders new requests against the link's closing.</summary>
        public Lock Gate { get; } = new();

        /// <summary>Gets or sets why the connection closed (set under <see cref="Gate"/>); null while it is open.</summary>
        public CommClosedException? Failure { get; set; }
    }
}
