using System.Collections.Concurrent;
using System.Diagnostics;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// A worker: runs the tasks the scheduler sends on its own threads, fetches missing inputs from
/// peers, keeps results in a local store, and serves them to peers and clients.
/// </summary>
internal sealed class WorkerServer : IAsyncDisposable
{
    private static readonly Dictionary<Key, object?> s_noInputs = [];
    private readonly IWireSerializer _serializer;
    private readonly IMessageListener _listener;
    private readonly PeerConnection _scheduler;
    private readonly DataClient _peers;
    private readonly SpillBuffer _data;
    private readonly WorkerMemoryOptions _memory;
    private readonly ManualResetEventSlim _running = new(initialState: true);

    // The hints of ComputeTask, for WaitBeforeRootTask: a signal reset while dependents of a finished task are
    // on their way (DependentsAfter); the inputs of finished tasks that the scheduler is about to free
    // (FreesInputs), and a signal set while there are none.
    private readonly ManualResetEventSlim _noTaskExpected = new(initialState: true);
    private readonly HashSet<Key> _expectedFree = [];
    private readonly ManualResetEventSlim _noFreeExpected = new(initialState: true);
    private readonly Task _memoryMonitor;
    private readonly PriorityQueue<ComputeTask, long> _ready = new();
    private readonly Lock _readyLock = new();
    private readonly SemaphoreSlim _readySignal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _threads;
    private readonly Task _schedulerLoop;
    private readonly PeerAcceptor _acceptor;
    private readonly ConcurrentDictionary<int, CodeSessionEntry> _sessions = new();

    // The function tables the scheduler shipped, per client code session: payloads by content hash.
    private readonly ConcurrentDictionary<int, ShippedFunctions> _shippedFunctions = new();
    private readonly Task _heartbeats;
    private readonly IReadOnlyDictionary<string, double> _resources;
    private readonly Dictionary<string, double> _availableResources;
    private readonly List<ComputeTask> _constrained = [];

    // Fetches of inputs and copies from peers wait here while the worker is paused, or while a tenth of
    // its memory limit is in flight already.
    private readonly TransferBudget _transfers;

    // distributed.worker.transfer.message-bytes-limit: the most bytes of inputs asked of one peer in one message.
    private readonly long _messageBytes;

    // Memory checks run on the monitor's timer and on task threads after large results: one at a time.
    private readonly Lock _memoryCheck = new();

    // The forced collections of a worker that owns its process (0: none); see CollectIfMuchIsDead.
    private readonly long _collectionBudget;
    private long _releasedAtCollection;
    private long _releasedAtGiveBack;

    // The run of each key that the scheduler sent last and did not free: only that run may store its
    // result and report. Changed under _storeLock together with _data's computed results.
    private readonly Dictionary<Key, long> _runs = [];

    // The runs that started executing (under _storeLock): a steal request does not take them away.
    private readonly HashSet<long> _started = [];
    private readonly Lock _storeLock = new();
    private int _executing;
    private long _keysIn, _bytesIn, _keysOut, _bytesOut;

    // Lines logged since the last heartbeat, which carries them to the scheduler; the oldest go beyond MaxLogLines.
    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkerLogLine> _logLines = new();

    // Transfers and disk writes and reads since the last heartbeat, which carries them to the task stream.
    private readonly WorkerStreamLog _streamLog = new();
    private volatile bool _heartbeatsStopped;

    private WorkerServer(IMessageNetwork network, IWireSerializer serializer, IMessageListener listener, PeerConnection scheduler, int threads, string name, TimeSpan heartbeatInterval, IReadOnlyDictionary<string, double> resources, WorkerMemoryOptions memory)
    {
        _memory = memory;
        long target = memory is { Limit: > 0, TargetFraction: { } fraction } ? (long)(memory.Limit * fraction) : long.MaxValue;
        string? spillDirectory = target == long.MaxValue && memory.SpillFraction is null ? null
            : Path.Combine(memory.LocalDirectory ?? Path.GetTempPath(), "tessera-worker-spill", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        _data = new SpillBuffer(memory.Limit > 0 ? spillDirectory : null, target, SizeOf, _streamLog);
        _transfers = new TransferBudget(memory.Limit > 0 ? Math.Max(1, (long)(memory.Limit * TransferFraction)) : long.MaxValue);
        _messageBytes = RebalanceSettings.MessageBytesFromConfig();
        _collectionBudget = memory is { Limit: > 0, OwnsProcess: true } ? memory.Limit / 20 : 0;
        _resources = resources;
        _availableResources = new Dictionary<string, double>(resources, StringComparer.Ordinal);
        _serializer = serializer;
        _listener = listener;
        _scheduler = scheduler;
        Name = name;
        _peers = new DataClient(network);
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(ExecuteLoop) { IsBackground = true, Name = $"tessera-worker-{name}-{i}" };
            _threads[i].Start();
        }

        _schedulerLoop = Task.Run(SchedulerLoopAsync);
        _acceptor = new PeerAcceptor(listener, ServePeerAsync, _stop.Token);
        _heartbeats = Task.Run(() => HeartbeatLoopAsync(heartbeatInterval));
        _memoryMonitor = memory.Limit > 0 && memory.OwnsProcess ? Task.Run(MemoryMonitorLoopAsync) : Task.CompletedTask;
    }

    /// <summary>The exit code of a worker process that stopped itself above its memory's terminate threshold.</summary>
    public const int ExitCodeAboveMemoryLimit = 86;

    /// <summary>The fraction of the memory limit that fetches from peers may have in flight at once (Dask's <c>distributed.worker.memory.transfer</c>).</summary>
    public const double TransferFraction = 0.1;

    /// <summary>Results of at least this many bytes make the worker check its process memory as soon as they are stored, not only on the monitor's next tick.</summary>
    public const long LargeResultBytes = 1 << 20;

    /// <summary>
    /// Results of at most this many bytes, serialized, travel with <see cref="TaskFinished"/>, and the
    /// scheduler passes them on to the clients that want them (<see cref="KeyInMemory"/>), which then need
    /// not fetch them from the worker: two network legs fewer per result.
    /// </summary>
    public const int InlineResultLimit = 64 * 1024;

    /// <summary>The longest a root task waits for each hint of a finished task to come true (see <c>WaitBeforeRootTask</c>).</summary>
    public static TimeSpan FreeWait { get; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How often a worker sends a heartbeat, by default.</summary>
    public static TimeSpan DefaultHeartbeatInterval { get; } = TimeSpan.FromSeconds(1);

    public string Address => _listener.Address;

    public string Name { get; }

    public int Threads => _threads.Length;

    /// <summary>Gets the numbers of the client code sessions whose uploaded code the worker holds.</summary>
    public IReadOnlyCollection<int> CodeSessions => [.. _sessions.Keys];

    /// <summary>Gets the number of tasks running now.</summary>
    public int Executing => Volatile.Read(ref _executing);

    /// <summary>Gets how many results the worker holds (in memory or spilled).</summary>
    public int StoredKeys => _data.Count;

    /// <summary>Gets how many results the worker spilled to disk so far.</summary>
    public long SpillCount => _data.SpillCount;

    /// <summary>Gets how many spilled results the worker read back so far.</summary>
    public long UnspillCount => _data.UnspillCount;

    /// <summary>Gets how many stored values were recycled (their buffers handed back for reuse).</summary>
    public long RecycledCount => _data.Recycled;

    /// <summary>Gets whether the worker starts no new tasks because its process memory is above the pause threshold.</summary>
    public bool Paused => !_running.IsSet;

    /// <summary>Gets a value indicating whether the worker stopped because the scheduler restarts the cluster (its host should start a fresh worker).</summary>
    public bool RestartRequested { get; private set; }

    /// <summary>Gets a task that completes when the worker has stopped (closed, or lost its scheduler).</summary>
    public Task Completion => _schedulerLoop;

    public static async Task<WorkerServer> StartAsync(
        IMessageNetwork network,
        IWireSerializer serializer,
        string schedulerAddress,
        string listenAddress,
        int threads,
        string? name = null,
        long memoryLimit = 0,
        TimeSpan? heartbeatInterval = null,
        IReadOnlyDictionary<string, double>? resources = null,
        WorkerMemoryOptions? memory = null,
        CancellationToken cancellationToken = default)
    {
        memory ??= new WorkerMemoryOptions { Limit = memoryLimit };
        memory.Validate();
        resources ??= new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string resource, double amount) in resources)
        {
            ArgumentException.ThrowIfNullOrEmpty(resource, nameof(resources));
            if (!(amount >= 0) || double.IsInfinity(amount))
            {
                throw new ArgumentOutOfRangeException(nameof(resources), amount, $"The amount of resource '{resource}' must be a finite number of at least 0.");
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TimeSpan interval = heartbeatInterval ?? DefaultHeartbeatInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(heartbeatInterval));
        IMessageChannel channel = await network.ConnectAsync(schedulerAddress, cancellationToken).ConfigureAwait(false);
        IMessageListener listener;
        try
        {
            listener = await network.ListenAsync(AdvertisedListenAddress(listenAddress, channel.LocalAddress), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        ResourceAmount[] amounts = [.. resources.Select(r => new ResourceAmount(r.Key, r.Value))];
        await channel.SendAsync(new RegisterWorker(listener.Address, threads, memory.Limit, name ?? listener.Address, amounts, memory.OwnsProcess), cancellationToken).ConfigureAwait(false);
        Message welcome = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (welcome is not Welcome)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            await listener.DisposeAsync().ConfigureAwait(false);
            throw new CommClosedException($"Scheduler {schedulerAddress} answered the worker's registration with {welcome.Op} instead of a welcome.");
        }

        return new WorkerServer(network, serializer, listener, new PeerConnection(channel), threads, name ?? listener.Address, interval, resources, memory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _scheduler.Post(new Close("worker closing"));
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _peers.DisposeAsync().ConfigureAwait(false);
        _readySignal.Release(_threads.Length);
        _running.Set();
        await Task.WhenAll(_schedulerLoop, _acceptor.WhenAllEnded(), _heartbeats, _memoryMonitor).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (Thread t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(10));
        }

        _readySignal.Dispose();
        _stop.Dispose();
        _data.Dispose();
        foreach (int session in _sessions.Keys)
        {
            EndSession(session);
        }
    }

    private async Task SchedulerLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Message m = await _scheduler.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                switch (m)
                {
                    case ShipFunctions s:
                        ShippedFunctions shipped = _shippedFunctions.GetOrAdd(s.Session, static _ => new());
                        for (int i = 0; i < s.Payloads.Length; i++)
                        {
                            shipped.Payloads.TryAdd(s.Hashes[i], s.Payloads[i]);
                        }

                        break;
                    case ComputeTask c:
                        Accept(c);
                        break;
                    case FreeKeys f:
                        lock (_storeLock)
                        {
                            foreach (Key k in f.Keys)
                            {
                                _data.TryRemove(k);
                                _runs.Remove(k);
                                if (_expectedFree.Contains(k))
                                {
                                    StopExpectingFreesLocked();
                                }
                            }
                        }

                        break;
                    case StealRequest r:
                        _scheduler.Post(new StealResponse(r.Key, r.RunId, GiveUp(r.Key, r.RunId)));
                        break;
                    case AcquireReplicas a:
                        _ = AcquireReplicasAsync(a);
                        break;
                    case LoadCode l:
                        _scheduler.Post(new CodeLoaded(l.UploadId, LoadCode(l)));
                        break;
                    case EndSession e:
                        EndSession(e.Session);
                        break;
                    case RestartWorker:
                        RestartRequested = true;
                        return;
                    case Close:
                        return;
                }
            }
        }
        catch (Exception e) when (e is CommClosedException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            if (!_stop.IsCancellationRequested)
            {
                _ = Task.Run(async () => await DisposeAsync().ConfigureAwait(false));
            }
        }
    }

    private void Accept(ComputeTask task)
    {
        lock (_storeLock)
        {
            _runs[task.Key] = task.RunId;
        }

        List<DependencyLocation>? missing = null;
        foreach (DependencyLocation d in task.Dependencies)
        {
            if (!_data.ContainsKey(d.Key))
            {
                (missing ??= []).Add(d);
            }
        }

        if (missing is null)
        {
            Enqueue(task);
        }
        else
        {
            _ = FetchThenEnqueueAsync(task, missing);
        }
    }

    private async Task FetchThenEnqueueAsync(ComputeTask task, List<DependencyLocation> missing)
    {
        try
        {
            // Batch per peer: the keys a peer holds, in messages of at most _messageBytes, one at a time.
            IEnumerable<IGrouping<string, DependencyLocation>> byPeer = missing.GroupBy(d => d.WhoHas.Length > 0 ? d.WhoHas[Random.Shared.Next(d.WhoHas.Length)] : string.Empty);
            await Task.WhenAll(byPeer.Select(async g =>
            {
                if (g.Key.Length == 0)
                {
                    throw new InvalidOperationException($"No worker holds the input {g.First().Key} of task {task.Key}.");
                }

                foreach (List<DependencyLocation> message in ByMessage(g, d => d.NBytes, _messageBytes))
                {
                    if (!await FetchAsync(task, g.Key, message).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            })).ConfigureAwait(false);
            Enqueue(task);
        }
        catch (MissingDataException e) when (!_stop.IsCancellationRequested)
        {
            // The scheduler finds the input elsewhere, or recomputes it, and sends the task again.
            ReportError(task, MissingDataReport.Create(e.Peer, e.Message));
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            ReportError(task, ToRemoteError(e));
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Fetches one message of a task's inputs from peer and stores them; false when the task was freed or
    // stolen while the fetch waited for the transfer budget (its inputs are not needed here).
    private async Task<bool> FetchAsync(ComputeTask task, string peer, List<DependencyLocation> message)
    {
        using TransferBudget.Lease lease = await _transfers.AcquireAsync(message.Sum(d => Math.Max(0, d.NBytes)), _stop.Token).ConfigureAwait(false);
        if (!IsCurrent(task))
        {
            return false;
        }

        Data data;
        long started = Stopwatch.GetTimestamp();
        try
        {
            data = await _peers.GetAsync(peer, [.. message.Select(d => d.Key)], _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CommClosedException or IOException or System.Net.Sockets.SocketException && !_stop.IsCancellationRequested)
        {
            throw new MissingDataException(peer, $"Worker {peer} could not be reached for {message[0].Key}, an input of task {task.Key}: {e.Message}");
        }

        if (data.Error is { } error)
        {
            throw new RemoteException(error.TypeName, error.Message, error.StackTrace, []);
        }

        if (data.Missing.Length > 0)
        {
            throw new MissingDataException(peer, $"Worker {peer} no longer holds {data.Missing[0]}, an input of task {task.Key}.");
        }

        IWireSerializer serializer = SerializerFor(task.Session);
        StoreReceived(data, peer, started, _ => serializer);

        // The scheduler tracks the copy, and frees it here once the key is released.
        _scheduler.Post(new AddKeys(data.Keys));
        return true;
    }

    // Stores the values of a fetch from peer (asked for at started, received now), each decoded by the
    // serializer of its key's session (and added to held, where given); counts them in and records the
    // transfer. The lengths are taken before decoding, which may hand the receive buffers back to the pool.
    private void StoreReceived(Data data, string peer, long started, Func<Key, IWireSerializer> serializerFor, ConcurrentBag<Key>? held = null)
    {
        long received = Stopwatch.GetTimestamp();
        long bytes = 0;
        for (int i = 0; i < data.Keys.Length; i++)
        {
            bytes += data.Values[i].TotalLength;
            IWireSerializer serializer = serializerFor(data.Keys[i]);
            _data.TryAdd(data.Keys[i], serializer.DeserializeReceived(data.Values[i]), serializer);
            held?.Add(data.Keys[i]);
        }

        Interlocked.Add(ref _bytesIn, bytes);
        Interlocked.Add(ref _keysIn, data.Keys.Length);
        AfterStore(bytes);
        if (data.Keys.Length > 0)
        {
            _streamLog.Add(TaskStreamKind.Transfer, data.Keys[0], data.Keys.Length, bytes, peer, started, received);
        }
    }

    // Copies for a move (retirement, replication, rebalancing): each key is fetched from one of its holders,
    // from each holder one message at a time of at most request.MessageBytes (a larger value alone), so that
    // a holder serializes only that much at once for this worker. The answer lists the keys held then; a key
    // that could not be fetched is left out (and the holder's later messages are not asked for), and the
    // scheduler plans again.
    private async Task AcquireReplicasAsync(AcquireReplicas request)
    {
        var held = new ConcurrentBag<Key>();
        var fetch = new List<(DependencyLocation Location, int Session)>();
        for (int i = 0; i < request.Keys.Length; i++)
        {
            DependencyLocation d = request.Keys[i];
            if (_data.ContainsKey(d.Key))
            {
                held.Add(d.Key);
            }
            else if (d.WhoHas.Length > 0)
            {
                fetch.Add((d, request.Sessions[i]));
            }
        }

        await Task.WhenAll(fetch.GroupBy(f => f.Location.WhoHas[Random.Shared.Next(f.Location.WhoHas.Length)]).Select(async g =>
        {
            foreach (List<(DependencyLocation Location, int Session)> message in ByMessage(g, f => f.Location.NBytes, request.MessageBytes))
            {
                Dictionary<Key, int> sessions = message.ToDictionary(f => f.Location.Key, f => f.Session);
                try
                {
                    using TransferBudget.Lease lease = await _transfers.AcquireAsync(message.Sum(f => Math.Max(0, f.Location.NBytes)), _stop.Token).ConfigureAwait(false);
                    long started = Stopwatch.GetTimestamp();
                    Data data = await _peers.GetAsync(g.Key, [.. sessions.Keys], _stop.Token).ConfigureAwait(false);
                    if (data.Error is { } error)
                    {
                        Log(SchedulerLogLevel.Warning, $"Could not copy {message.Count} keys from {g.Key}: {error.Message}");
                        return;
                    }

                    StoreReceived(data, g.Key, started, key => SerializerFor(sessions[key]), held);
                }
                catch (Exception e) when (e is CommClosedException or IOException or System.Net.Sockets.SocketException or ValueSerializationException or FunctionSerializationException or InvalidOperationException)
                {
                    Log(SchedulerLogLevel.Warning, $"Could not copy {message.Count} keys from {g.Key}: {e.Message}");
                    return;
                }
            }
        })).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _scheduler.Post(new ReplicasAcquired(request.MoveId, [.. held]));
    }

    // Splits values to fetch into messages of at most maxBytes each, in order; a larger value goes alone.
    private static IEnumerable<List<T>> ByMessage<T>(IEnumerable<T> copies, Func<T, long> bytesOf, long maxBytes)
    {
        var message = new List<T>();
        long bytes = 0;
        foreach (T copy in copies)
        {
            long size = Math.Max(0, bytesOf(copy));
            if (message.Count > 0 && bytes + size > maxBytes)
            {
                yield return message;
                (message, bytes) = ([], 0);
            }

            message.Add(copy);
            bytes += size;
        }

        if (message.Count > 0)
        {
            yield return message;
        }
    }

    // A steal: the run is dropped unless it started (or is not the current one); a fetch or queue entry
    // of a dropped run comes to nothing, as for a freed key.
    private bool GiveUp(Key key, long runId)
    {
        lock (_storeLock)
        {
            return IsCurrentRun(key, runId) && !_started.Contains(runId) && _runs.Remove(key);
        }
    }

    private bool IsCurrent(ComputeTask task)
    {
        lock (_storeLock)
        {
            return IsCurrentRun(task.Key, task.RunId);
        }
    }

    // Whether runId is the run of key that the scheduler sent last and did not free; under _storeLock.
    private bool IsCurrentRun(Key key, long runId) => _runs.TryGetValue(key, out long run) && run == runId;

    /// <summary>Marks <paramref name="task"/> as started when it is still the run of its key that the scheduler wants.</summary>
    private bool TryStart(ComputeTask task)
    {
        lock (_storeLock)
        {
            return IsCurrentRun(task.Key, task.RunId) && _started.Add(task.RunId);
        }
    }

    // A run that is no longer current (its key was freed, or sent again) reports nothing: the scheduler
    // has moved on, and a newer run of the key may be on its way here.
    private void ReportError(ComputeTask task, RemoteError error)
    {
        lock (_storeLock)
        {
            if (!IsCurrentRun(task.Key, task.RunId))
            {
                return;
            }

            _runs.Remove(task.Key);
        }

        Log(SchedulerLogLevel.Warning, $"Task {task.Key} failed: {error.TypeName}: {error.Message}");

        _scheduler.Post(new TaskErred(task.Key, error, task.RunId));
    }

    private void Enqueue(ComputeTask task)
    {
        lock (_readyLock)
        {
            _ready.Enqueue(task, task.Priority);
        }

        _noTaskExpected.Set();
        _readySignal.Release();
    }

    private bool NextIsRootTask()
    {
        lock (_readyLock)
        {
            return _ready.TryPeek(out ComputeTask? next, out _) && next.Dependencies.Length == 0;
        }
    }

    private void ExecuteLoop()
    {
        while (true)
        {
            try
            {
                _readySignal.Wait(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            if (!WaitBeforeRootTask())
            {
                return;
            }

            ComputeTask? task;
            string? cannotRun = null;
            lock (_readyLock)
            {
                if (!_ready.TryDequeue(out task, out _))
                {
                    continue;
                }

                if (task.Resources is { } needs && !TryAcquire(needs, out cannotRun))
                {
                    if (cannotRun is null)
                    {
                        // Running tasks hold the resources; it runs when they give them back.
                        _constrained.Add(task);
                        continue;
                    }
                }
            }

            if (cannotRun is not null)
            {
                ReportError(task, new RemoteError(typeof(InvalidOperationException).FullName!, cannotRun, null));
                continue;
            }

            try
            {
                // Above the pause threshold no task starts until memory drops.
                _running.Wait(_stop.Token);
                Run(task);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                if (task.Resources is { } used)
                {
                    GiveBack(used);
                }
            }
        }
    }

    // Takes what a task needs from the resources not in use; false when they are in use (or, with a
    // reason, when this worker does not have that much at all). Called under the ready lock.
    private bool TryAcquire(ResourceAmount[] needs, out string? cannotRun)
    {
        cannotRun = null;
        foreach (ResourceAmount need in needs)
        {
            if (_resources.GetValueOrDefault(need.Name) < need.Amount)
            {
                cannotRun = $"Worker {Name} has {need.Name}={_resources.GetValueOrDefault(need.Name)}, less than the {need.Amount} the task needs.";
                return false;
            }

            if (_availableResources.GetValueOrDefault(need.Name) < need.Amount)
            {
                return false;
            }
        }

        foreach (ResourceAmount need in needs)
        {
            _availableResources[need.Name] = _availableResources.GetValueOrDefault(need.Name) - need.Amount;
        }

        return true;
    }

    private void GiveBack(ResourceAmount[] used)
    {
        int waiting;
        lock (_readyLock)
        {
            foreach (ResourceAmount a in used)
            {
                _availableResources[a.Name] = _availableResources.GetValueOrDefault(a.Name) + a.Amount;
            }

            waiting = _constrained.Count;
            foreach (ComputeTask t in _constrained)
            {
                _ready.Enqueue(t, t.Priority);
            }

            _constrained.Clear();
        }

        if (waiting > 0)
        {
            _readySignal.Release(waiting);
        }
    }

    /// <summary>The most log lines a worker keeps for its next heartbeat.</summary>
    internal const int MaxLogLines = 100;

    /// <summary>Adds a line to the log the worker's next heartbeat carries to the scheduler.</summary>
    internal void LogToScheduler(SchedulerLogLevel level, string message) => Log(level, message);

    private void Log(SchedulerLogLevel level, string message)
    {
        _logLines.Enqueue(new WorkerLogLine(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), level, message));
        while (_logLines.Count > MaxLogLines && _logLines.TryDequeue(out _))
        {
        }
    }

    private WorkerLogLine[]? TakeLogLines()
    {
        if (_logLines.IsEmpty)
        {
            return null;
        }

        var lines = new List<WorkerLogLine>();
        while (lines.Count < MaxLogLines && _logLines.TryDequeue(out WorkerLogLine line))
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    /// <summary>Stops the heartbeats while everything else goes on, as in a worker the scheduler can no longer hear (for tests).</summary>
    internal void StopHeartbeatsForTesting() => _heartbeatsStopped = true;

    private async Task HeartbeatLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);

        // CPU use between two heartbeats: the process's CPU time over the wall time, in percent of one core.
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        long wall = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                TimeSpan cpuNow = Environment.CpuUsage.TotalTime;
                long wallNow = Stopwatch.GetTimestamp();
                double cpuPercent = 100 * (cpuNow - cpu).TotalSeconds / Math.Max(1e-6, Stopwatch.GetElapsedTime(wall, wallNow).TotalSeconds);
                (cpu, wall) = (cpuNow, wallNow);
                if (!_heartbeatsStopped)
                {
                    _scheduler.Post(new Heartbeat(
                        Volatile.Read(ref _executing),
                        StoredBytes(),
                        Environment.WorkingSet,
                        new TransferCounts(Interlocked.Read(ref _keysIn), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _keysOut), Interlocked.Read(ref _bytesOut)),
                        TakeLogLines(),
                        Math.Max(0, cpuPercent),
                        _data.SpilledBytes,
                        _streamLog.Take()));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private long StoredBytes() => _data.MemoryBytes;

    // Dask's memory monitor, for a worker that owns its process: every MonitorInterval, and after each
    // large result or transfer is stored (a task may make many before the next tick).
    private async Task MemoryMonitorLoopAsync()
    {
        using var timer = new PeriodicTimer(_memory.MonitorInterval);
        try
        {
            bool wasIdle = false;
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                CheckMemory();

                // Values the scheduler freed (a computation released, a rebalance's moved copies) die
                // without a new result to trigger a collection; a worker that ran nothing for a whole
                // interval gives their memory back to the system.
                bool idle = Volatile.Read(ref _executing) == 0;
                CollectIfMuchIsDead(giveBack: idle && wasIdle);
                wasIdle = idle;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Above the spill threshold it spills until the process is back below the target, above the pause
    // threshold it starts no new tasks and fetches nothing (and tells the scheduler), and above the
    // terminate threshold it stops the process (its nanny starts a fresh worker).
    private void CheckMemory()
    {
        if (!_memory.OwnsProcess || _memory.Limit <= 0 || !_memoryCheck.TryEnter())
        {
            return;
        }

        try
        {
            long limit = _memory.Limit;
            long process = Environment.WorkingSet;
            bool collect = Paused;
            if (_memory.SpillFraction is { } spill && process > limit * spill)
            {
                long target = (long)(limit * (_memory.TargetFraction ?? spill));
                int spilled = _data.SpillUntil(Math.Max(0, _data.MemoryBytes - (process - target)));
                if (spilled > 0)
                {
                    Log(SchedulerLogLevel.Info, $"Spilled {spilled} results to disk: process memory {process} bytes is above {spill:P0} of the limit {limit}");
                    collect = true;
                }
            }

            if (collect)
            {
                // Give the memory of spilled and freed values back to the system, then measure again.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                Interlocked.Exchange(ref _releasedAtCollection, ReleasedBytes());
                process = Environment.WorkingSet;
            }

            if (_memory.TerminateFraction is { } terminate && process > limit * terminate)
            {
                Console.Error.WriteLine($"Worker {Name} uses {process} bytes, above {terminate:P0} of its memory limit {limit}; stopping the process so that its nanny restarts it.");
                Environment.Exit(ExitCodeAboveMemoryLimit);
            }

            bool pause = _memory.PauseFraction is { } p && process > limit * p;
            if (pause != Paused)
            {
                Log(pause ? SchedulerLogLevel.Warning : SchedulerLogLevel.Info, pause
                    ? $"Paused: process memory {process} bytes is above {_memory.PauseFraction:P0} of the limit {limit}; no new task starts and no input is fetched"
                    : $"Resumed: process memory {process} bytes");
                if (pause)
                {
                    _running.Reset();
                }
                else
                {
                    _running.Set();
                }

                _transfers.SetPaused(pause);
                _scheduler.Post(new WorkerPaused(pause));
            }
        }
        finally
        {
            _memoryCheck.Exit();
        }
    }

    // After a result or a transfer of `bytes` was stored: a large one is weighed against the process
    // memory thresholds at once, and dead values may be collected.
    private void AfterStore(long bytes)
    {
        if (bytes >= LargeResultBytes)
        {
            CheckMemory();
        }

        CollectIfMuchIsDead();
    }

    // Bytes that became garbage once nothing referred to them: values the store let go of, and the
    // serialized values received from and sent to peers.
    private long ReleasedBytes() => _data.ReleasedBytes + Interlocked.Read(ref _bytesIn) + Interlocked.Read(ref _bytesOut);

    // Like Tessera.Arrays' BlockMemory: the GC frees a dead large value only at a full collection, which
    // comes when the large object heap's budget runs out, so until then values that were spilled, read
    // once or sent stay resident beside the live ones. A worker that owns its process forces a blocking,
    // non-compacting full collection when a twentieth of its limit may have died since the last one and
    // the managed heap is above a quarter of the limit; new values then reuse the memory of the dead.
    // That collection keeps the freed memory for reuse, so the process stays as large: an idle worker
    // (giveBack) instead compacts and gives it back to the system once a twentieth of its limit died since
    // it last did, so that its process memory (which a rebalance weighs) shows what it holds.
    private void CollectIfMuchIsDead(bool giveBack = false)
    {
        if (_collectionBudget == 0)
        {
            return;
        }

        long released = ReleasedBytes();
        if (giveBack)
        {
            long given = Interlocked.Read(ref _releasedAtGiveBack);
            if (released - given >= _collectionBudget && Interlocked.CompareExchange(ref _releasedAtGiveBack, released, given) == given)
            {
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                Interlocked.Exchange(ref _releasedAtCollection, released);
            }

            return;
        }

        long last = Interlocked.Read(ref _releasedAtCollection);
        if (released - last >= _collectionBudget && GC.GetTotalMemory(forceFullCollection: false) > _memory.Limit / 4 &&
            Interlocked.CompareExchange(ref _releasedAtCollection, released, last) == last)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
    }

    private void Run(ComputeTask task)
    {
        if (!TryStart(task))
        {
            // Freed (released or cancelled) or stolen before it started.
            return;
        }

        Interlocked.Increment(ref _executing);
        try
        {
            RunCore(task);
        }
        finally
        {
            Interlocked.Decrement(ref _executing);
            lock (_storeLock)
            {
                _started.Remove(task.RunId);
            }
        }
    }

    private void RunCore(ComputeTask task)
    {
        long start = Stopwatch.GetTimestamp();
        object? result;
        bool fresh;
        var reads = new SpillBuffer.Reading[task.Dependencies.Length];
        try
        {
            Node node = SerializerFor(task.Session).DeserializeNode(task.Spec, _shippedFunctions.TryGetValue(task.Session, out ShippedFunctions? shipped) ? shipped.Lookup : null);
            var inputs = new Dictionary<Key, object?>(task.Dependencies.Length);
            for (int i = 0; i < reads.Length; i++)
            {
                Key k = task.Dependencies[i].Key;
                if (!_data.TryBeginRead(k, Recycling.MayKeep(node, k), out object? v, out reads[i]))
                {
                    throw new InvalidOperationException($"Input {k} of task {task.Key} was freed before the task ran.");
                }

                inputs[k] = v;
            }

            result = NodeEvaluator.Evaluate(node, inputs);
            fresh = Recycling.MakesFreshMemory(node);
        }
        catch (Exception e)
        {
            ReportError(task, ToRemoteError(e));
            return;
        }
        finally
        {
            foreach (SpillBuffer.Reading read in reads)
            {
                _data.EndRead(read);
            }
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long size = SizeOf(result);
        lock (_storeLock)
        {
            if (!IsCurrentRun(task.Key, task.RunId))
            {
                // A stale run: its key was freed while it ran, and maybe sent again to run anew.
                return;
            }

            _runs.Remove(task.Key);
            _data.Set(task.Key, result, SerializerFor(task.Session), size, recyclable: fresh);

            // Before the scheduler hears of it: the tasks and frees it leads to cannot come first. Only for
            // large values: waiting for small ones would cost a round trip and save nothing.
            if (task.DependentsAfter is { } after && size >= LargeResultBytes && after.All(_data.ContainsKey))
            {
                _noTaskExpected.Reset();
            }

            if (task.FreesInputs)
            {
                foreach (DependencyLocation d in task.Dependencies)
                {
                    if (d.NBytes >= LargeResultBytes)
                    {
                        _expectedFree.Add(d.Key);
                        _noFreeExpected.Reset();
                    }
                }
            }
        }

        _scheduler.Post(new TaskFinished(task.Key, size, seconds, task.RunId, InlineValue(result, SerializerFor(task.Session))));
        AfterStore(size);
    }

    // A root task makes new memory, so before one starts the worker lets the scheduler's hints of a finished
    // task (ComputeTask) come true, each within a round trip and at most FreeWait: the tasks that reduce the
    // results just made arrive and go first (they come before the root in priority), and then the inputs those
    // tasks finished with are freed, so the root's block takes a freed block's buffer (recycling) instead of
    // adding to the process. A local scheduler has neither round trip. False when the worker stops.
    private bool WaitBeforeRootTask()
    {
        try
        {
            if (!_noTaskExpected.IsSet && NextIsRootTask() && !_noTaskExpected.Wait(FreeWait, _stop.Token))
            {
                _noTaskExpected.Set();
            }

            if (!_noFreeExpected.IsSet && NextIsRootTask() && !_noFreeExpected.Wait(FreeWait, _stop.Token))
            {
                // Not freed after all (a new graph needs them): stop waiting for them.
                lock (_storeLock)
                {
                    StopExpectingFreesLocked();
                }
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void StopExpectingFreesLocked()
    {
        _expectedFree.Clear();
        _noFreeExpected.Set();
    }

    // The serialized result when it is small enough to travel with TaskFinished: only values whose size
    // is known without serializing them (primitives, strings, primitive arrays), so a large or unknown
    // result is never serialized just to be dropped; null otherwise (the client fetches it from here).
    private static byte[]? InlineValue(object? result, IWireSerializer serializer)
    {
        bool small = result switch
        {
            null => true,
            string s => s.Length <= InlineResultLimit / 4,
            Array a => a.GetType().GetElementType() is { IsPrimitive: true } && SizeOf(a) <= InlineResultLimit,
            _ => result.GetType() is { IsPrimitive: true } or { IsEnum: true } || result is decimal or DateTime or DateTimeOffset or TimeSpan or Guid,
        };
        if (!small)
        {
            return null;
        }

        try
        {
            byte[] bytes = serializer.SerializeValue(result);
            return bytes.Length <= InlineResultLimit ? bytes : null;
        }
        catch (Exception e) when (e is ValueSerializationException or FunctionSerializationException or NotSupportedException or InvalidOperationException)
        {
            // Fetching it reports the problem to whoever asks for it, as before.
            return null;
        }
    }

    private async Task ServePeerAsync(PeerConnection peer)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Message m = await peer.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                if (m is GetData g)
                {
                    var keys = new List<Key>(g.Keys.Length);
                    var values = new List<SerializedMessage>(g.Keys.Length);
                    var missing = new List<Key>();
                    RemoteError? error = null;
                    foreach (Key k in g.Keys)
                    {
                        SerializedMessage value;
                        try
                        {
                            if (!_data.TryGetSerialized(k, _serializer, out value))
                            {
                                missing.Add(k);
                                continue;
                            }
                        }
                        catch (Exception e) when (e is ValueSerializationException or FunctionSerializationException or NotSupportedException or InvalidOperationException)
                        {
                            // The requester fails with the reason; waiting for an answer that never comes would hang it.
                            error = new RemoteError(e.GetType().FullName ?? e.GetType().Name, $"Worker {Address} cannot send the value of {k}: {e.Message}", e.StackTrace);
                            break;
                        }

                        keys.Add(k);
                        values.Add(value);
                        Interlocked.Add(ref _bytesOut, value.TotalLength);
                    }

                    Interlocked.Add(ref _keysOut, keys.Count);
                    peer.Post(error is null ? new Data(g.RequestId, [.. keys], [.. values], [.. missing]) : new Data(g.RequestId, [], [], [], error));
                }
                else if (m is UpdateData u)
                {
                    peer.Post(Store(u));
                }
                else if (m is RunFunction r)
                {
                    // Off the connection's loop, so a long function does not hold up data requests.
                    _ = Task.Run(() => peer.Post(RunOutsideGraph(r)));
                }
                else if (m is Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is CommClosedException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }

        await peer.DisposeAsync().ConfigureAwait(false);
    }

    // A worker told to listen on every interface (0.0.0.0) listens on, and tells peers, the interface
    // it reaches the scheduler through: an address that other hosts can connect to.
    private static string AdvertisedListenAddress(string listenAddress, string schedulerSideLocalAddress)
    {
        const string Any = "tcp://0.0.0.0:";
        if (!listenAddress.StartsWith(Any, StringComparison.Ordinal) || !schedulerSideLocalAddress.StartsWith("tcp://", StringComparison.Ordinal))
        {
            return listenAddress;
        }

        (string host, _) = Comm.TcpTransport.Parse(schedulerSideLocalAddress);
        return $"tcp://{(host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)}:{listenAddress[Any.Length..]}";
    }

    // Scattered values from a client: all are stored, or none.
    private DataStored Store(UpdateData update)
    {
        try
        {
            IWireSerializer serializer = SerializerFor(update.Session);
            var values = new object?[update.Keys.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = serializer.DeserializeValue(update.Values[i]);
            }

            for (int i = 0; i < values.Length; i++)
            {
                _data.Set(update.Keys[i], values[i], serializer);
            }

            return new DataStored(update.RequestId, null);
        }
        catch (Exception e)
        {
            return new DataStored(update.RequestId, ToRemoteError(e));
        }
    }

    // A client's function run on this worker outside the task graph (Dask's client.run).
    private RunResult RunOutsideGraph(RunFunction run)
    {
        try
        {
            Node node = SerializerFor(run.Session).DeserializeNode(run.Spec);
            object? value = NodeEvaluator.Evaluate(node, s_noInputs);
            return new RunResult(run.RequestId, _serializer.SerializeValue(value), null);
        }
        catch (Exception e)
        {
            return new RunResult(run.RequestId, null, ToRemoteError(e));
        }
    }

    // The serializer that decodes a client's tasks and values: in the client's code session when the
    // client uploaded code, otherwise in the worker's own (which trusts the worker's application).
    private IWireSerializer SerializerFor(int session) =>
        session != 0 && _sessions.TryGetValue(session, out CodeSessionEntry? entry) ? entry.Serializer : _serializer;

    // A client's uploaded assemblies join its session, created with the first upload: a collectible load
    // context of its own, which also trusts this worker's application (as the default session does).
    private RemoteError? LoadCode(LoadCode load)
    {
        try
        {
            CodeSessionEntry entry = _sessions.GetOrAdd(load.Session, static (_, l) =>
            {
                var session = new CodeSession(l.Worker.Name + "-" + l.Load.ClientId, trustApplicationAssemblies: true);
                return new CodeSessionEntry(session, l.Worker._serializer.ForSession(session));
            }, (Worker: this, Load: load));
            entry.Session.AddAssemblies(load.Assemblies);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or FunctionSerializationException or ObjectDisposedException or ArgumentException)
        {
            return ToRemoteError(e);
        }
    }

    // The client left: its code is unloaded once nothing refers to its types any more.
    private void EndSession(int session)
    {
        _shippedFunctions.TryRemove(session, out _);
        if (_sessions.TryRemove(session, out CodeSessionEntry? entry))
        {
            entry.Session.Dispose();
        }
    }

    internal static RemoteError ToRemoteError(Exception e)
    {
        Exception inner = e is TaskFailedException { InnerException: { } ie } ? ie : e;
        return new RemoteError(inner.GetType().FullName ?? inner.GetType().Name, inner.Message, inner.StackTrace);
    }

    private static long SizeOf(object? value) => ValueSizes.Estimate(value);

    /// <summary>A peer did not give an input: it could not be reached, or no longer holds it.</summary>
    private sealed class MissingDataException(string peer, string message) : Exception(message)
    {
        public string Peer { get; } = peer;
    }

    private sealed record CodeSessionEntry(CodeSession Session, IWireSerializer Serializer);

    // A session's shipped function payloads by content hash, with the lookup that task decoding takes
    // (made once, not a delegate per task).
    private sealed class ShippedFunctions
    {
        public ShippedFunctions() => Lookup = Payloads.GetValueOrDefault;

        public ConcurrentDictionary<UInt128, byte[]> Payloads { get; } = new();

        public Func<UInt128, byte[]?> Lookup { get; }
    }
}
