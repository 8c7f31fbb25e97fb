using System.Threading.Channels;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// The scheduler process's server: accepts clients and workers and drives one
/// <see cref="SchedulerState"/> from a single event loop.
/// </summary>
internal sealed class SchedulerServer : IAsyncDisposable, ISchedulerOutbox
{
    private readonly IMessageListener _listener;
    private readonly Channel<(Peer Peer, Message? Message)> _events = Channel.CreateUnbounded<(Peer, Message?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SchedulerState _state;
    private readonly Dictionary<string, Peer> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Peer> _clients = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _peerLoops = [];
    private readonly Task _acceptLoop;
    private readonly Task _eventLoop;
    private readonly ClientState _fireAndForget;
    private readonly List<Key> _fireAndForgetDone = [];

    private SchedulerServer(IMessageListener listener, double workerSaturation)
    {
        _listener = listener;
        _state = new SchedulerState(this, workerSaturation);
        _fireAndForget = _state.AddClient(FireAndForgetClientId);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _eventLoop = Task.Run(EventLoopAsync);
    }

    /// <summary>The id of the pseudo-client that wants fire-and-forget keys until they are done (Dask's <c>"fire-and-forget"</c>).</summary>
    public const string FireAndForgetClientId = "fire-and-forget";

    public string Address => _listener.Address;

    /// <summary>Gets a snapshot count of the tasks the scheduler tracks (for tests and diagnostics).</summary>
    public int TaskCount { get; private set; }

    /// <summary>Gets the number of connected workers.</summary>
    public int WorkerCount { get; private set; }

    public static async Task<SchedulerServer> StartAsync(IMessageNetwork network, string address, double workerSaturation = 1.1, CancellationToken cancellationToken = default)
    {
        IMessageListener listener = await network.ListenAsync(address, cancellationToken).ConfigureAwait(false);
        return new SchedulerServer(listener, workerSaturation);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (Peer p in _workers.Values.Concat(_clients.Values).ToArray())
        {
            p.Connection.Post(new Close("scheduler closing"));
            await p.Connection.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll([_acceptLoop, _eventLoop, .. _peerLoops]).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    void ISchedulerOutbox.ComputeTask(WorkerState worker, SchedulerTask task)
    {
        var deps = new DependencyLocation[task.Dependencies.Length];
        for (int i = 0; i < deps.Length; i++)
        {
            SchedulerTask d = task.Dependencies[i];
            deps[i] = new DependencyLocation(d.Key, [.. d.WhoHas.Select(w => w.Address)], d.NBytes);
        }

        if (_workers.TryGetValue(worker.Address, out Peer? peer))
        {
            peer.Connection.Post(new ComputeTask(task.Key, (byte[])task.Spec!, deps, task.Priority));
        }
    }

    void ISchedulerOutbox.FreeKey(WorkerState worker, Key key)
    {
        if (_workers.TryGetValue(worker.Address, out Peer? peer))
        {
            peer.Connection.Post(new FreeKeys([key]));
        }
    }

    void ISchedulerOutbox.KeyInMemory(ClientState client, SchedulerTask task)
    {
        if (client == _fireAndForget)
        {
            _fireAndForgetDone.Add(task.Key);
            return;
        }

        if (_clients.TryGetValue(client.Id, out Peer? peer))
        {
            peer.Connection.Post(new KeyInMemory(task.Key, [.. task.WhoHas.Select(w => w.Address)], task.NBytes));
        }
    }

    void ISchedulerOutbox.KeyErred(ClientState client, SchedulerTask task)
    {
        if (client == _fireAndForget)
        {
            _fireAndForgetDone.Add(task.Key);
            return;
        }

        if (_clients.TryGetValue(client.Id, out Peer? peer))
        {
            peer.Connection.Post(new KeyErred(task.Key, task.ErredOn?.Key ?? task.Key, task.Error ?? new RemoteError("Unknown", "The task failed.", null)));
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            IMessageChannel channel;
            try
            {
                channel = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or CommClosedException)
            {
                return;
            }

            var peer = new Peer(new PeerConnection(channel));
            lock (_peerLoops)
            {
                _peerLoops.Add(Task.Run(() => ReadLoopAsync(peer)));
            }
        }
    }

    private async Task ReadLoopAsync(Peer peer)
    {
        try
        {
            while (true)
            {
                Message m = await peer.Connection.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                if (m is Close)
                {
                    break;
                }

                _events.Writer.TryWrite((peer, m));
            }
        }
        catch (Exception e) when (e is CommClosedException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }

        _events.Writer.TryWrite((peer, null));
    }

    private async Task EventLoopAsync()
    {
        ChannelReader<(Peer Peer, Message? Message)> reader = _events.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out (Peer Peer, Message? Message) e))
                {
                    Handle(e.Peer, e.Message);
                }

                TaskCount = _state.Tasks.Count;
                WorkerCount = _state.Workers.Count;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(Peer peer, Message? message)
    {
        switch (message)
        {
            case null:
                Disconnected(peer);
                break;
            case RegisterWorker m:
                peer.Id = m.Address;
                peer.IsWorker = true;
                _workers[m.Address] = peer;
                peer.Connection.Post(new Welcome("scheduler"));
                _state.AddWorker(m.Address, m.Threads);
                break;
            case RegisterClient m:
                peer.Id = m.ClientId;
                _clients[m.ClientId] = peer;
                _state.AddClient(m.ClientId);
                peer.Connection.Post(new Welcome("scheduler"));
                break;
            case UpdateGraph m:
                UpdateGraph(peer, m);
                break;
            case ReleaseKeys m when peer.Id is not null:
                _state.ReleaseKeys(peer.Id, m.Keys);
                break;
            case TaskFinished m when peer.Id is not null:
                _state.TaskFinished(peer.Id, m.Key, m.NBytes, m.DurationSeconds);
                break;
            case TaskErred m when peer.Id is not null:
                _state.TaskErred(peer.Id, m.Key, m.Error);
                break;
            case Heartbeat:
                break;
            case GetWorkers m:
                ListWorkers(peer, m.RequestId);
                break;
            case ScatteredKeys m when peer.Id is not null && !peer.IsWorker:
                _state.AddScatteredData(peer.Id, [.. m.Locations.Select(l => new ScatteredData(l.Key, l.WhoHas, l.NBytes))]);
                break;
            case FireAndForget m:
                FireAndForget(m.Keys);
                break;
        }

        // Fire-and-forget keys that became done during this event: the pseudo-client lets go of them.
        while (_fireAndForgetDone.Count > 0)
        {
            Key[] done = [.. _fireAndForgetDone];
            _fireAndForgetDone.Clear();
            _state.ReleaseKeys(FireAndForgetClientId, done);
        }
    }

    private void ListWorkers(Peer peer, long requestId)
    {
        var addresses = new string[_state.Workers.Count];
        var threads = new int[addresses.Length];
        int i = 0;
        foreach (WorkerState w in _state.Workers.Values)
        {
            addresses[i] = w.Address;
            threads[i++] = w.Threads;
        }

        peer.Connection.Post(new WorkerList(requestId, addresses, threads));
    }

    // The pseudo-client wants the keys until they are in memory or erred, then releases them (above),
    // so they are computed even after every real client let go.
    private void FireAndForget(Key[] keys)
    {
        Key[] known = [.. keys.Where(k => _state.Tasks.ContainsKey(k))];
        if (known.Length > 0)
        {
            _state.UpdateGraph(FireAndForgetClientId, [], known);
        }
    }

    private void UpdateGraph(Peer peer, UpdateGraph m)
    {
        if (peer.Id is null)
        {
            return;
        }

        var tasks = new TaskSubmission[m.Tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            WireTask t = m.Tasks[i];
            tasks[i] = new TaskSubmission(t.Key, t.Spec, t.Dependencies, t.Order, t.Retries);
        }

        try
        {
            _state.UpdateGraph(peer.Id, tasks, m.Wanted);
        }
        catch (Exception e) when (e is InvalidGraphException or KeyNotFoundException)
        {
            Key cause = e is InvalidGraphException ige ? ige.Key : m.Wanted.FirstOrDefault();
            var error = new RemoteError(e.GetType().FullName!, e.Message, e.StackTrace);
            foreach (Key k in m.Wanted)
            {
                peer.Connection.Post(new KeyErred(k, cause, error));
            }
        }
    }

    private void Disconnected(Peer peer)
    {
        if (peer.Id is null)
        {
            return;
        }

        if (peer.IsWorker)
        {
            _workers.Remove(peer.Id);
            _state.RemoveWorker(peer.Id);
        }
        else
        {
            _clients.Remove(peer.Id);
            _state.RemoveClient(peer.Id);
        }

        _ = peer.Connection.DisposeAsync().AsTask();
    }

    private sealed class Peer(PeerConnection connection)
    {
        public PeerConnection Connection { get; } = connection;

        public string? Id { get; set; }

        public bool IsWorker { get; set; }
    }
}
