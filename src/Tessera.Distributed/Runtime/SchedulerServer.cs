using System.Threading.Channels;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// The scheduler process's server: accepts clients and workers and drives one
/// <see cref="SchedulerState"/> from a single event loop.
/// </summary>
internal sealed partial class SchedulerServer : IAsyncDisposable, ISchedulerOutbox
{
    private readonly IMessageListener _listener;
    // The event loop resumes through the thread pool, never inline on the writer's thread: writers post
    // under locks (the monitor's refresh, for one), and running the loop inside them made a monitor
    // refresh complete before it was recorded as pending, so snapshots went stale.
    private readonly Channel<SchedulerEvent> _events = Channel.CreateUnbounded<SchedulerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SchedulerState _state;
    private readonly Dictionary<string, Peer> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Peer> _clients = new(StringComparer.Ordinal);

    // The nanny of each worker that has one (by the worker's address): it restarts the worker's process when asked.
    private readonly Dictionary<string, Peer> _nannies = new(StringComparer.Ordinal);

    // Restarts asked of workers whose nanny had not registered yet (a nanny registers once its worker joined):
    // the nanny that registers for one of them is asked at once, so a worker that hangs in that moment, and
    // so cannot restart itself, still gets a fresh process. By worker address, with when it was asked.
    private readonly Dictionary<string, (RestartWorkerProcess Request, long Asked)> _restartsAwaitingNanny = new(StringComparer.Ordinal);
    private long _restartsPruned = Environment.TickCount64; // when expired restarts were last pruned
    private readonly List<(Peer Nanny, RegisterNanny Registration)> _heldNanniesForTesting = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly PeerAcceptor _acceptor;
    private readonly Task _eventLoop;
    private readonly Task _heartbeatCheck;
    private readonly Task _stealing;
    private readonly TimeSpan _workerTimeout;
    private int _disposed;
    private long _lastProgress = Environment.TickCount64;
    private bool _stallReported;
    private readonly ClientState _fireAndForget;
    private readonly List<Key> _fireAndForgetDone = [];
    private readonly Dictionary<string, ClientCode> _code = new(StringComparer.Ordinal);
    private readonly Dictionary<long, PendingLoad> _pendingLoads = [];
    private readonly List<PendingRestart> _restarts = [];
    private TaskCompletionSource _workersChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextUpload;
    private int _nextSession;

    private const int EventsPerTurn = 256;
    private const int MaxHeldPerPeer = 1024;

    // How long a restart asked of a worker waits for the worker's nanny to register.
    private const long NannyWaitMilliseconds = 60_000;

    // Messages the event loop sends during a turn, held per peer until the turn ends (see Send), and
    // the thread running the turn (0 between turns).
    private readonly List<Peer> _heldPeers = [];
    private int _holdingThread;

    // The serialized result that came with the TaskFinished being handled now (and its key): the
    // KeyInMemory messages of that event carry it to the clients. Only on the event loop.
    private Key _inlineKey;
    private byte[]? _inlineValue;

    private SchedulerServer(IMessageListener listener, double workerSaturation, TimeSpan workerTimeout, int allowedFailures, bool workStealing)
    {
        _listener = listener;
        _workerTimeout = workerTimeout;
        WorkerSaturation = workerSaturation;
        AllowedFailures = allowedFailures;
        _state = new SchedulerState(this, workerSaturation, allowedFailures: allowedFailures, workStealing: workStealing);
        _fireAndForget = _state.AddClient(FireAndForgetClientId);
        _acceptor = new PeerAcceptor(listener, connection => ReadLoopAsync(new Peer(connection)), _stop.Token);
        _eventLoop = Task.Run(EventLoopAsync);
        _heartbeatCheck = Task.Run(HeartbeatCheckAsync);
        _stealing = workStealing ? Task.Run(BalanceLoopAsync) : Task.CompletedTask;
    }

    /// <summary>How often the scheduler looks for work to steal (Dask's <c>work-stealing-interval</c>).</summary>
    public static TimeSpan StealInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a worker may go without a heartbeat before the scheduler removes it, by default (Dask's <c>worker-ttl</c>).</summary>
    public static TimeSpan DefaultWorkerTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The id of the pseudo-client that wants fire-and-forget keys until they are done (Dask's <c>"fire-and-forget"</c>).</summary>
    public const string FireAndForgetClientId = "fire-and-forget";

    public string Address => _listener.Address;

    /// <summary>Gets how many root tasks per worker thread are sent before the rest wait on the scheduler.</summary>
    public double WorkerSaturation { get; }

    /// <summary>Gets how many worker deaths a processing task survives.</summary>
    public int AllowedFailures { get; }

    /// <summary>Gets how long a worker may go without a heartbeat.</summary>
    public TimeSpan WorkerTimeout => _workerTimeout;

    /// <summary>Gets a snapshot count of the tasks the scheduler tracks (for tests and diagnostics).</summary>
    public int TaskCount { get; private set; }

    /// <summary>Gets the number of connected workers.</summary>
    public int WorkerCount { get; private set; }

    /// <summary>Gets a task that completes once <see cref="WorkerCount"/> changes (read it before the count, so that no change slips between).</summary>
    public Task WorkersChanged => Volatile.Read(ref _workersChanged).Task;

    /// <summary>
    /// Gets or sets how long unfinished tasks may go with none finishing before the scheduler logs a
    /// warning with their state (stuck-task detection); default 5 minutes.
    /// </summary>
    public TimeSpan NoProgressWarning { get; set; } = TimeSpan.FromMinutes(5);

    public static async Task<SchedulerServer> StartAsync(IMessageNetwork network, string address, double workerSaturation = 1.1, TimeSpan? workerTimeout = null, int allowedFailures = 3, bool workStealing = false, CancellationToken cancellationToken = default)
    {
        TimeSpan timeout = workerTimeout ?? DefaultWorkerTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(workerTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(allowedFailures);
        RebalanceSettings rebalance = RebalanceSettings.FromConfig();
        IMessageListener listener = await network.ListenAsync(address, cancellationToken).ConfigureAwait(false);
        var server = new SchedulerServer(listener, workerSaturation, timeout, allowedFailures, workStealing);
        server._state.Rebalance = rebalance;
        server.Log.Add(SchedulerLogLevel.Info, $"Scheduler at {server.Address} (worker saturation {workerSaturation}, worker timeout {timeout.TotalSeconds:0.###} s, allowed failures {allowedFailures}, work stealing {(workStealing ? "on" : "off")})");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _monitor?.DisposeMeter();
        await _stop.CancelAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (Peer p in _workers.Values.Concat(_clients.Values).ToArray())
        {
            p.Connection.Post(new Close("scheduler closing"));
            await p.Connection.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_acceptor.WhenAllEnded(), _eventLoop, _heartbeatCheck, _stealing).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>
    /// Gets or sets how many of the next nanny registrations are held back, as if the worker had joined and its
    /// nanny not registered yet, until <see cref="ReleaseHeldNanniesForTesting"/> (for tests of that moment).
    /// </summary>
    internal int HeldNanniesForTesting { get; set; }

    /// <summary>Lets the nanny registrations held back by <see cref="HeldNanniesForTesting"/> arrive now.</summary>
    internal void ReleaseHeldNanniesForTesting() => _events.Writer.TryWrite(new SchedulerEvent(null, null, () =>
    {
        foreach ((Peer nanny, RegisterNanny registration) in _heldNanniesForTesting)
        {
            if (!nanny.Closed)
            {
                RegisterNanny(nanny, registration.WorkerAddress);
            }
        }

        _heldNanniesForTesting.Clear();
    }));

    /// <summary>Runs <paramref name="query"/> on the event loop, between events, and returns its answer (for tests and diagnostics).</summary>
    public T Query<T>(Func<SchedulerState, T> query)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool queued = _events.Writer.TryWrite(new SchedulerEvent(null, null, () =>
        {
            try
            {
                answer.TrySetResult(query(_state));
            }
            catch (Exception e)
            {
                answer.TrySetException(e);
            }
        }));
        ObjectDisposedException.ThrowIf(!queued, this);

        return answer.Task.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
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
            ResourceAmount[]? resources = task.Restrictions?.Resources is { Length: > 0 } r ? r : null;
            if (task.Functions is { } functions && functions.MarkSentTo(worker))
            {
                // The graph's function table goes first on the same connection: the worker has it before the task.
                Send(peer, new ShipFunctions(task.Session, functions.Payloads, functions.Hashes));
            }

            Send(peer, new ComputeTask(task.Key, (byte[])task.Spec!, deps, task.Priority, task.Session, resources, task.RunId, SchedulerState.DependentsAfter(task, worker), SchedulerState.FreesAnInput(task, worker)));
        }
    }

    void ISchedulerOutbox.FreeKey(WorkerState worker, Key key)
    {
        if (_workers.TryGetValue(worker.Address, out Peer? peer))
        {
            Send(peer, new FreeKeys([key]));
        }
    }

    void ISchedulerOutbox.StealRequest(WorkerState worker, SchedulerTask task)
    {
        if (_workers.TryGetValue(worker.Address, out Peer? peer))
        {
            Send(peer, new StealRequest(task.Key, task.RunId));
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
            byte[]? value = _inlineValue is not null && task.Key.Equals(_inlineKey) ? _inlineValue : null;
            Send(peer, new KeyInMemory(task.Key, [.. task.WhoHas.Select(w => w.Address)], task.NBytes, value));
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
            Send(peer, new KeyErred(task.Key, task.ErredOn?.Key ?? task.Key, task.Error ?? new RemoteError("Unknown", "The task failed.", null)));
        }
    }

    private async Task ReadLoopAsync(Peer peer)
    {
        try
        {
            while (true)
            {
                Message m = await peer.Connection.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                _events.Writer.TryWrite(new SchedulerEvent(peer, m));
                if (m is Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is CommClosedException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }

        _events.Writer.TryWrite(new SchedulerEvent(peer, null));
    }

    // One turn of the event loop handles every event that is waiting (up to EventsPerTurn), holding the
    // messages it sends, and then sends each peer's messages together: a burst of task reports becomes
    // one write of new tasks per worker and one of results per client, instead of one write each.
    private async Task EventLoopAsync()
    {
        ChannelReader<SchedulerEvent> reader = _events.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                _holdingThread = Environment.CurrentManagedThreadId;
                try
                {
                    for (int n = 0; n < EventsPerTurn && reader.TryRead(out SchedulerEvent e); n++)
                    {
                        try
                        {
                            Handle(e);
                        }
                        catch (Exception failure) when (failure is not OperationCanceledException)
                        {
                            // A bug in one handler must not stop the event loop (every client would then
                            // wait forever with nothing said): it is logged, and the loop goes on.
                            ReportHandlerFailure(e, failure);
                        }
                    }
                }
                finally
                {
                    _holdingThread = 0;
                    SendHeld();
                }

                TaskCount = _state.Tasks.Count;
                if (_state.Workers.Count != WorkerCount)
                {
                    WorkerCount = _state.Workers.Count;
                    Interlocked.Exchange(ref _workersChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void ReportHandlerFailure(SchedulerEvent e, Exception failure)
    {
        string what = e.Peer is { } peer ? $"{e.Message?.Op.ToString() ?? "a disconnection"} from {peer.Id ?? "a peer"}" : e.Work is not null ? "a queued action" : "a heartbeat check";
        string line = $"The scheduler failed to handle {what}; the event is dropped and the loop goes on: {failure}";
        Log.Add(SchedulerLogLevel.Error, line);
        Console.Error.WriteLine(line);
    }

    // Stuck-task detection: when unfinished tasks wait and none has finished or failed for
    // NoProgressWarning, the log gets one warning with their state (where each runs, what it waits on).
    // The clock only counts after the check finds work unfinished, so an idle scheduler never warns.
    private void WarnWithoutProgress()
    {
        long now = Environment.TickCount64;
        if (_stallReported || now - _lastProgress < (long)NoProgressWarning.TotalMilliseconds)
        {
            return;
        }

        int unfinished = _state.Tasks.Values.Count(t => t.State is TaskStateKind.Waiting or TaskStateKind.NoWorker or TaskStateKind.Queued or TaskStateKind.Processing);
        if (unfinished == 0)
        {
            _lastProgress = now;
            return;
        }

        _stallReported = true;
        Log.Add(SchedulerLogLevel.Warning, $"No task has finished for {(now - _lastProgress) / 1000.0:0.#} s while {unfinished} tasks are unfinished (long-running tasks, or a stuck cluster):\n{_state.DescribeStateForTesting(20)}");
    }

    /// <summary>Queues an action for the event loop, as the loop's own work items are queued (for tests).</summary>
    internal void PostForTesting(Action work) => _events.Writer.TryWrite(new SchedulerEvent(null, null, work));

    private void Handle(SchedulerEvent e)
    {
        if (e.Peer is not null)
        {
            Handle(e.Peer, e.Message);
        }
        else if (e.Work is not null)
        {
            e.Work();
        }
        else
        {
            RemoveSilentWorkers();
            WarnWithoutProgress();
            CheckRestarts();
        }
    }

    // Sends a message to a peer: held until the end of the turn when the event loop sends it, else
    // posted at once. A long burst to one peer (a large graph's tasks) goes out in slices, so that the
    // peer starts on it while the rest is encoded.
    private void Send(Peer peer, Message message)
    {
        if (_holdingThread != Environment.CurrentManagedThreadId)
        {
            peer.Connection.Post(message);
            return;
        }

        if (peer.Held.Count == 0)
        {
            _heldPeers.Add(peer);
        }

        peer.Held.Add(message);
        if (peer.Held.Count >= MaxHeldPerPeer)
        {
            SendHeld(peer);
        }
    }

    private void SendHeld()
    {
        foreach (Peer p in _heldPeers)
        {
            SendHeld(p);
        }

        _heldPeers.Clear();
    }

    private static void SendHeld(Peer peer)
    {
        switch (peer.Held.Count)
        {
            case 0:
                return;
            case 1:
                peer.Connection.Post(peer.Held[0]);
                break;
            default:
                peer.Connection.PostMany(peer.Held);
                break;
        }

        peer.Held.Clear();
    }

    private void Handle(Peer peer, Message? message)
    {
        if (message is TaskFinished or TaskErred)
        {
            _lastProgress = Environment.TickCount64;
            _stallReported = false;
        }

        switch (message)
        {
            case null:
                Disconnected(peer);
                break;
            case RegisterWorker m:
                RegisterWorker(peer, m);
                break;
            case IClientRequest:
                if (peer.Id is not null && !peer.IsWorker)
                {
                    HandleClientRequest(peer, message);
                }

                break;
            case RegisterClient m:
                peer.Id = m.ClientId;
                peer.Session = ++_nextSession;
                _clients[m.ClientId] = peer;
                _state.AddClient(m.ClientId).Session = peer.Session;
                Log.Add(SchedulerLogLevel.Info, $"Client {m.ClientId} connected");
                Send(peer, new Welcome("scheduler", peer.Session));
                break;
            case CodeLoaded m when peer.IsWorker:
                CodeLoaded(peer, m);
                break;
            case UpdateGraph m:
                UpdateGraph(peer, m);
                break;
            case ReleaseKeys m when peer.Id is not null:
                _state.ReleaseKeys(peer.Id, m.Keys);
                break;
            case TaskFinished m when peer.Id is not null:
                RecordTaskFinished(peer.Id, m.Key, m.DurationSeconds);
                // The scheduler does not keep the value: a client that asks for the key later fetches it.
                _inlineKey = m.Key;
                _inlineValue = m.Value;
                try
                {
                    _state.TaskFinished(peer.Id, m.Key, m.RunId, m.NBytes, m.DurationSeconds);
                }
                finally
                {
                    _inlineKey = default;
                    _inlineValue = null;
                }

                break;
            case AddKeys m when peer.IsWorker:
                _state.AddKeys(peer.Id!, m.Keys);
                break;
            case TaskErred m when peer.Id is not null && MissingDataReport.TryRead(m.Error, out string missingFrom):
                _state.MissingData(peer.Id, m.Key, m.RunId, missingFrom);
                break;
            case TaskErred m when peer.Id is not null:
                RecordTaskErred();
                Log.Add(SchedulerLogLevel.Warning, $"Task {m.Key} erred on {peer.Id}: {m.Error.TypeName}: {m.Error.Message}");
                _state.TaskErred(peer.Id, m.Key, m.RunId, m.Error);
                break;
            case StealResponse m when peer.IsWorker:
                _state.StealResponse(peer.Id!, m.Key, m.RunId, m.Stolen);
                break;
            case WorkerPaused m when peer.IsWorker:
                _state.WorkerPaused(peer.Id!, m.Paused);
                break;
            case Close when peer.IsWorker:
                // The worker closes itself in good order: its tasks are not suspected of killing it.
                peer.LeftGracefully = true;
                break;
            case Heartbeat m when peer.IsWorker:
                peer.LastSeen = Environment.TickCount64;
                if (_state.Workers.TryGetValue(peer.Id!, out WorkerState? worker))
                {
                    worker.Executing = m.Executing;
                    worker.StoredBytes = m.StoredBytes;
                    worker.RecordMemory(m.MemoryBytes, m.SpilledBytes, peer.LastSeen, _state.Rebalance.RecentToOld);
                    worker.Transfers = m.Transfers;
                    worker.CpuPercent = m.CpuPercent;
                }

                if (m.Events is { } events)
                {
                    RecordWorkerEvents(peer.Id!, events);
                }

                foreach (WorkerLogLine line in m.Logs ?? [])
                {
                    Log.Add(line.Level, line.Message, peer.Id!, DateTimeOffset.FromUnixTimeMilliseconds(line.UnixMilliseconds));
                }

                break;
            case GetWorkers m:
                ListWorkers(peer, m.RequestId);
                break;
            case GetTaskStream m:
                // Answered off the loop: the monitor copies the stream out with its next snapshot, an event of its own.
                _ = AnswerTaskStreamAsync(peer, m);
                break;
            case FireAndForget m:
                FireAndForget(m.Keys);
                break;
            case ReplicasAcquired m when peer.IsWorker:
                ReplicasAcquired(peer, m);
                break;
            case GetWhoHas m:
                Send(peer, new WhoHasList(m.RequestId, m.Keys, _state.WhoHas(m.Keys)));
                break;
            case RegisterNanny m when peer.Id is null && HeldNanniesForTesting > 0:
                HeldNanniesForTesting--;
                _heldNanniesForTesting.Add((peer, m));
                break;
            case RegisterNanny m when peer.Id is null:
                RegisterNanny(peer, m.WorkerAddress);
                break;
        }

        if (_restarts.Count > 0)
        {
            CheckRestarts();
        }

        // Fire-and-forget keys that became done during this event: the pseudo-client lets go of them.
        while (_fireAndForgetDone.Count > 0)
        {
            Key[] done = [.. _fireAndForgetDone];
            _fireAndForgetDone.Clear();
            _state.ReleaseKeys(FireAndForgetClientId, done);
        }
    }

    private void HandleClientRequest(Peer client, Message request)
    {
        switch (request)
        {
            case UploadCode m:
                UploadCode(client, m);
                break;
            case Restart m:
                RestartCluster(client, m);
                break;
            case ScatteredKeys m:
                _state.AddScatteredData(client.Id!, [.. m.Locations.Select(l => new ScatteredData(l.Key, l.WhoHas, l.NBytes))]);
                break;
            case RetireWorkers m:
                RetireWorkers(client, m);
                break;
            case ReplicateKeys m:
                ReplicateKeys(client, m);
                break;
            case RebalanceKeys m:
                RebalanceKeys(client, m);
                break;
        }
    }

    // A worker joins once it holds the code every connected client uploaded, so that no task, scattered
    // value or function of theirs reaches it first; without uploaded code it joins at once.
    private void RegisterWorker(Peer peer, RegisterWorker m)
    {
        if (_workers.TryGetValue(m.Address, out Peer? previous) && previous != peer)
        {
            // The address of a worker whose end was not seen yet (it died, and a new worker got its port):
            // that worker is gone, and its tasks run elsewhere.
            Disconnected(previous);
        }

        peer.Id = m.Address;
        peer.IsWorker = true;
        peer.LastSeen = Environment.TickCount64;
        peer.MemoryLimit = m.MemoryLimit;
        _workers[m.Address] = peer;
        Log.Add(SchedulerLogLevel.Info, $"Worker {m.Address} registered ({m.Threads} threads, memory limit {(m.MemoryLimit > 0 ? m.MemoryLimit + " bytes" : "none")})");
        Send(peer, new Welcome("scheduler"));
        Dictionary<string, double>? resources = m.Resources is { Length: > 0 } r ? r.ToDictionary(a => a.Name, a => a.Amount, StringComparer.Ordinal) : null;
        if (_code.Count == 0)
        {
            Add();
            return;
        }

        SendCode([peer], [.. _code.Values.Select(c => (c, c.Assemblies.Values.ToArray()))], _ =>
        {
            if (!peer.Closed && _workers.TryGetValue(m.Address, out Peer? current) && current == peer)
            {
                Add();
            }
        });

        void Add()
        {
            WorkerState worker = _state.AddWorker(m.Address, m.Threads, m.Name, resources);
            worker.MemoryLimit = m.MemoryLimit;
            worker.OwnsProcess = m.OwnsProcess;
        }
    }

    // A client's assemblies are kept while it is connected and forwarded to every worker; the client hears
    // back once each worker loaded them. An upload with nothing new still travels to every worker, as a
    // barrier behind the client's earlier uploads.
    private void UploadCode(Peer peer, UploadCode m)
    {
        if (!_code.TryGetValue(peer.Id!, out ClientCode? code))
        {
            code = new ClientCode(peer.Session, peer.Id!);
            _code.Add(peer.Id!, code);
        }

        var added = new List<ShippedAssembly>(m.Assemblies.Length);
        foreach (ShippedAssembly a in m.Assemblies)
        {
            if (code.Assemblies.TryGetValue(a.Name, out ShippedAssembly? existing))
            {
                if (existing.Mvid != a.Mvid)
                {
                    Reply(new RemoteError(
                        typeof(InvalidOperationException).FullName!,
                        $"Client {peer.Id} already uploaded another build of assembly '{a.Name}' (MVID {existing.Mvid}, now {a.Mvid}); a client session keeps one build of each assembly, so connect a new client to use the new build.",
                        null));
                    return;
                }

                continue;
            }

            added.Add(a);
        }

        foreach (ShippedAssembly a in added)
        {
            code.Assemblies.Add(a.Name, a);
        }

        SendCode(_workers.Values, [(code, [.. added])], Reply);

        void Reply(RemoteError? error)
        {
            if (m.RequestId != 0)
            {
                Send(peer, new CodeUploaded(m.RequestId, error));
            }
        }
    }

    // Sends code to workers under one upload id and calls done once each has answered (or left).
    private void SendCode(IEnumerable<Peer> workers, (ClientCode Code, ShippedAssembly[] Assemblies)[] loads, Action<RemoteError?> done)
    {
        long id = ++_nextUpload;
        var pending = new PendingLoad(done);
        foreach (Peer w in workers)
        {
            foreach ((ClientCode code, ShippedAssembly[] assemblies) in loads)
            {
                Send(w, new LoadCode(id, code.Session, code.ClientId, assemblies));
                pending.Waiting[w.Id!] = pending.Waiting.GetValueOrDefault(w.Id!) + 1;
            }
        }

        if (pending.Waiting.Count == 0)
        {
            done(null);
        }
        else
        {
            _pendingLoads.Add(id, pending);
        }
    }

    private void CodeLoaded(Peer worker, CodeLoaded m)
    {
        if (_pendingLoads.TryGetValue(m.UploadId, out PendingLoad? pending))
        {
            if (m.Error is { } e)
            {
                pending.Error ??= e with { Message = $"Worker {worker.Id} could not load the uploaded code: {e.Message}" };
            }

            Acknowledge(m.UploadId, pending, worker.Id!, all: false);
        }
    }

    private void Acknowledge(long id, PendingLoad pending, string worker, bool all)
    {
        if (!pending.Waiting.TryGetValue(worker, out int left))
        {
            return;
        }

        if (all || left <= 1)
        {
            pending.Waiting.Remove(worker);
        }
        else
        {
            pending.Waiting[worker] = left - 1;
        }

        if (pending.Waiting.Count == 0)
        {
            _pendingLoads.Remove(id);
            pending.Done(pending.Error);
        }
    }

    // Dask's restart: every task and result is forgotten and every client told so; the workers are
    // retired at once (messages from them are ignored from now on) and restarted, and the client hears
    // back once as many workers as before have joined, or the timeout passed.
    private void RestartCluster(Peer client, Restart m)
    {
        int target = _state.Workers.Count;
        _state.ForgetEverything();
        _fireAndForgetDone.Clear();
        foreach (Peer c in _clients.Values)
        {
            Send(c, new ClusterRestarted());
        }

        Peer[] retired = [.. _workers.Values];
        foreach (Peer w in retired)
        {
            Retire(w);
        }

        double seconds = double.IsFinite(m.TimeoutSeconds) && m.TimeoutSeconds > 0 ? m.TimeoutSeconds : 60;
        var pending = new PendingRestart(client, m.RequestId, target, seconds, Environment.TickCount64 + (long)(seconds * 1000));
        _restarts.Add(pending);

        // Dask's Nanny.restart: a worker with a nanny gets a fresh process; one without restarts in its process
        // (a worker whose nanny has not registered yet stops its process, for its nanny to start a fresh one).
        foreach (Peer w in retired)
        {
            if (!RestartThroughNanny(w.Id!, new RestartWorkerProcess("was killed at the scheduler's request: the cluster restarted", ClusterRestart: true)))
            {
                Send(w, new RestartWorker());
            }
        }
    }

    // A nanny says which worker it runs (again after each fresh process, whose address is new). A restart
    // asked of that worker before the nanny registered goes to the nanny now.
    private void RegisterNanny(Peer nanny, string workerAddress)
    {
        if (nanny.NannyOf is { } previous && _nannies.TryGetValue(previous, out Peer? known) && known == nanny)
        {
            _nannies.Remove(previous);
        }

        nanny.NannyOf = workerAddress;
        _nannies[workerAddress] = nanny;
        Log.Add(SchedulerLogLevel.Info, $"Nanny of worker {workerAddress} registered");
        if (_restartsAwaitingNanny.Remove(workerAddress, out (RestartWorkerProcess Request, long Asked) waiting) && Environment.TickCount64 - waiting.Asked <= NannyWaitMilliseconds)
        {
            RestartThroughNanny(workerAddress, waiting.Request);
        }
    }

    // Asks the nanny of a worker to kill the worker's process and start a fresh one. Without a registered
    // nanny the request waits for one to register (the worker may have joined a moment before its nanny
    // registered); false then.
    private bool RestartThroughNanny(string workerAddress, RestartWorkerProcess request)
    {
        if (!_nannies.Remove(workerAddress, out Peer? nanny) || nanny.Closed)
        {
            AwaitNanny(workerAddress, request);
            return false;
        }

        Log.Add(SchedulerLogLevel.Info, $"Asking the nanny of worker {workerAddress} to restart its process: it {request.Reason}");
        Send(nanny, request);
        return true;
    }

    // Requests older than a minute are dropped: a nanny registers a moment after its worker joined, and a
    // worker without a nanny (in-process, or started without one) never has one register. Expired requests are
    // pruned in place at most once per expiry period, so a cluster restart of many workers stays linear.
    private void AwaitNanny(string workerAddress, RestartWorkerProcess request)
    {
        long now = Environment.TickCount64;
        if (now - _restartsPruned > NannyWaitMilliseconds)
        {
            _restartsPruned = now;
            foreach ((string address, (RestartWorkerProcess _, long asked)) in _restartsAwaitingNanny)
            {
                // Removing while enumerating a Dictionary is allowed.
                if (now - asked > NannyWaitMilliseconds)
                {
                    _restartsAwaitingNanny.Remove(address);
                }
            }
        }

        _restartsAwaitingNanny[workerAddress] = (request, now);
    }

    // A retired worker is out of the cluster: gone from the state and from code uploads; its connection
    // closes when it goes.
    private void Retire(Peer worker)
    {
        worker.Closed = true;
        _workers.Remove(worker.Id!);
        _state.RemoveWorker(worker.Id!, graceful: true);
        foreach ((long id, PendingLoad load) in _pendingLoads.ToArray())
        {
            Acknowledge(id, load, worker.Id!, all: true);
        }

        MoveTargetLeft(worker.Id!);
    }

    private void CheckRestarts()
    {
        foreach (PendingRestart r in _restarts.ToArray())
        {
            if (_state.Workers.Count >= r.Target)
            {
                FinishRestart(r, null);
            }
            else if (Environment.TickCount64 > r.Deadline)
            {
                FinishRestart(r, new RemoteError(
                    typeof(TimeoutException).FullName!,
                    $"Only {_state.Workers.Count} of the {r.Target} workers came back within {r.TimeoutSeconds:0.###} s of the restart.",
                    null));
            }
        }
    }

    private void FinishRestart(PendingRestart r, RemoteError? error)
    {
        if (_restarts.Remove(r))
        {
            Send(r.Client, new RestartDone(r.RequestId, error));
        }
    }

    // Asks the event loop to look for workers that stopped sending heartbeats, a few times per timeout.
    private async Task HeartbeatCheckAsync()
    {
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_workerTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                _events.Writer.TryWrite(default);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Asks the event loop to balance work between workers (stealing) every StealInterval.
    private async Task BalanceLoopAsync()
    {
        using var timer = new PeriodicTimer(StealInterval);
        Action balance = _state.BalanceWork;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                _events.Writer.TryWrite(new SchedulerEvent(null, null, balance));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A worker silent for longer than the timeout is treated as lost (hung, or cut off without its
    // connection closing): removed as if its connection broke, so its tasks run elsewhere, and its
    // connection is closed so that it stops too.
    private void RemoveSilentWorkers()
    {
        long now = Environment.TickCount64;
        foreach (Peer peer in _workers.Values.ToArray())
        {
            // Joining workers too: one that hangs while loading code must not hold up uploads for ever.
            if (now - peer.LastSeen > (long)_workerTimeout.TotalMilliseconds)
            {
                Log.Add(SchedulerLogLevel.Warning, $"Removing worker {peer.Id}: no heartbeat for {_workerTimeout.TotalSeconds:0.###} s");
                Send(peer, new Close($"no heartbeat from worker {peer.Id} for {_workerTimeout.TotalSeconds:0.###} s"));
                Disconnected(peer);

                // It hangs (or is cut off): its nanny, if it has one, kills it and starts a fresh one.
                RestartThroughNanny(peer.Id!, new RestartWorkerProcess($"was killed at the scheduler's request: no heartbeat for {_workerTimeout.TotalSeconds:0.###} s"));
            }
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

        Send(peer, new WorkerList(requestId, addresses, threads));
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
        GraphFunctions? functions = m.Functions is { Length: > 0 } payloads ? new GraphFunctions(payloads, m.FunctionHashes!) : null;
        for (int i = 0; i < tasks.Length; i++)
        {
            WireTask t = m.Tasks[i];
            tasks[i] = new TaskSubmission(t.Key, t.Spec, t.Dependencies, t.Order, t.Retries, t.Restrictions, functions);
        }

        try
        {
            _state.UpdateGraph(peer.Id, tasks, m.Wanted);
        }
        catch (Exception e) when (e is InvalidGraphException or KeyNotFoundException)
        {
            Key cause = e is InvalidGraphException ige ? ige.Key : m.Wanted.FirstOrDefault();
            var error = new RemoteError(e.GetType().FullName!, e.Message, e.StackTrace);
            Log.Add(SchedulerLogLevel.Error, $"Graph from client {peer.Id} rejected: {e.Message}");
            foreach (Key k in m.Wanted)
            {
                Send(peer, new KeyErred(k, cause, error));
            }
        }
    }

    private void Disconnected(Peer peer)
    {
        if (peer.NannyOf is { } supervised)
        {
            peer.Closed = true;
            if (_nannies.TryGetValue(supervised, out Peer? known) && known == peer)
            {
                _nannies.Remove(supervised);
            }

            _ = peer.Connection.DisposeAsync().AsTask();
            return;
        }

        if (peer.Id is null)
        {
            peer.Closed = true;
            return;
        }

        if (peer.Closed)
        {
            // Gone already (retired by a restart, or removed for missing heartbeats).
            SendHeld(peer);
            _ = peer.Connection.DisposeAsync().AsTask();
            return;
        }

        peer.Closed = true;
        if (peer.IsWorker)
        {
            if (_workers.TryGetValue(peer.Id, out Peer? current) && current == peer)
            {
                _workers.Remove(peer.Id);
                Log.Add(peer.LeftGracefully ? SchedulerLogLevel.Info : SchedulerLogLevel.Warning, peer.LeftGracefully ? $"Worker {peer.Id} closed" : $"Worker {peer.Id} lost (its connection broke)");
                _state.RemoveWorker(peer.Id, peer.LeftGracefully);
            }

            // A worker that left answers no more code uploads, nor copy requests.
            foreach ((long id, PendingLoad pending) in _pendingLoads.ToArray())
            {
                Acknowledge(id, pending, peer.Id, all: true);
            }

            MoveTargetLeft(peer.Id);
        }
        else
        {
            _clients.Remove(peer.Id);
            Log.Add(SchedulerLogLevel.Info, $"Client {peer.Id} disconnected");
            _state.RemoveClient(peer.Id);
            if (_code.Remove(peer.Id, out ClientCode? code))
            {
                foreach (Peer w in _workers.Values)
                {
                    Send(w, new EndSession(code.Session));
                }
            }
        }

        SendHeld(peer);
        _ = peer.Connection.DisposeAsync().AsTask();
    }

    /// <summary>What the event loop handles: a peer's message (null: it disconnected), work to run on the loop, or (all null) the heartbeat check.</summary>
    private readonly record struct SchedulerEvent(Peer? Peer, Message? Message, Action? Work = null);

    private sealed class Peer(PeerConnection connection)
    {
        public PeerConnection Connection { get; } = connection;

        /// <summary>Gets the messages the current event-loop turn sends to this peer, in order.</summary>
        public List<Message> Held { get; } = [];

        public string? Id { get; set; }

        public bool IsWorker { get; set; }

        /// <summary>Gets or sets a client's code session number.</summary>
        public int Session { get; set; }

        /// <summary>Gets or sets a value indicating whether the connection is gone.</summary>
        public bool Closed { get; set; }

        /// <summary>Gets or sets a value indicating whether a worker said it was closing before its connection went.</summary>
        public bool LeftGracefully { get; set; }

        /// <summary>Gets or sets when a worker's last heartbeat (or its registration) arrived, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
        public long LastSeen { get; set; }

        /// <summary>Gets or sets the memory limit a worker registered with, in bytes (0: none).</summary>
        public long MemoryLimit { get; set; }

        /// <summary>Gets or sets, for a nanny's connection, the address of the worker it runs now.</summary>
        public string? NannyOf { get; set; }
    }

    /// <summary>A restart waiting for its workers to come back.</summary>
    private sealed record PendingRestart(Peer Client, long RequestId, int Target, double TimeoutSeconds, long Deadline);

    /// <summary>The assemblies a connected client uploaded, by simple name.</summary>
    private sealed class ClientCode(int session, string clientId)
    {
        public int Session { get; } = session;

        public string ClientId { get; } = clientId;

        public Dictionary<string, ShippedAssembly> Assemblies { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A code upload that workers still have to acknowledge: the number of answers each owes.</summary>
    private sealed class PendingLoad(Action<RemoteError?> done)
    {
        public Dictionary<string, int> Waiting { get; } = new(StringComparer.Ordinal);

        public RemoteError? Error { get; set; }

        public Action<RemoteError?> Done { get; } = done;
    }
}
