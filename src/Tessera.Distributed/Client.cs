using System.Collections.Concurrent;
using System.Reflection;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed;

/// <summary>
/// A connection to a Tessera scheduler: submit functions and graphs, get futures back, gather
/// results. While it is connected it is the process's default scheduler, so collections and
/// <see cref="Delayed"/> values compute on the cluster unchanged.
/// </summary>
public sealed partial class Client : IPersistingScheduler, IAsyncDisposable
{
    private readonly PeerConnection _scheduler;
    private readonly IWireSerializer _serializer;
    // A gather that cannot reach a result's worker waits this long for the scheduler to report it anew
    // (recomputed elsewhere), and tries this many times.
    private const int MaxGatherAttempts = 10;
    private static readonly TimeSpan RelocationTimeout = TimeSpan.FromSeconds(60);
    private readonly DataClient _data;
    private readonly ConcurrentDictionary<Key, FutureState> _keys = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<Message>> _requests = new();
    private readonly Task _receiveLoop;
    private readonly IScheduler? _previousDefault;
    private readonly Lock _sendGate = new();
    private readonly List<Key> _pendingReleases = [];
    private bool _releaseFlushQueued;
    private long _nextRequest;
    private volatile CommClosedException? _closed;
    private int _disposed;

    private Client(string schedulerAddress, string id, int session, PeerConnection scheduler, IMessageNetwork network, IWireSerializer serializer, bool setAsDefault, bool uploadCode)
    {
        SchedulerAddress = schedulerAddress;
        Id = id;
        _session = session;
        _uploadCode = uploadCode;
        _scheduler = scheduler;
        _serializer = serializer;
        _data = new DataClient(network);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        if (setAsDefault)
        {
            _previousDefault = Schedulers.SetProcessDefault(this);
        }
    }

    /// <summary>Gets the scheduler's address.</summary>
    public string SchedulerAddress { get; }

    /// <summary>Gets this client's unique id.</summary>
    public string Id { get; }

    /// <inheritdoc/>
    public string Name => "distributed";

    /// <summary>
    /// Connects to the scheduler at <paramref name="schedulerAddress"/> and becomes the process's default
    /// scheduler. The client uploads the user assemblies its functions and values need
    /// (<see cref="ClientOptions.UploadCode"/>), so workers need not have the application.
    /// </summary>
    /// <param name="schedulerAddress">The scheduler's address (<c>tcp://host:port</c>).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    public static Task<Client> ConnectAsync(string schedulerAddress, CancellationToken cancellationToken = default) =>
        ConnectAsync(schedulerAddress, new ClientOptions(), cancellationToken);

    /// <summary>Connects to the scheduler at <paramref name="schedulerAddress"/> with options and becomes the process's default scheduler.</summary>
    /// <param name="schedulerAddress">The scheduler's address (<c>tcp://host:port</c>).</param>
    /// <param name="options">The client's options.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    public static Task<Client> ConnectAsync(string schedulerAddress, ClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerAddress);
        ArgumentNullException.ThrowIfNull(options);
        return ConnectAsync(Networks.For(schedulerAddress, "client"), WireSerializer.ForSameApplication("client"), schedulerAddress, setAsDefault: true, cancellationToken, options.UploadCode);
    }

    /// <summary>
    /// Connects to a local cluster's scheduler and becomes the process's default scheduler. The cluster's
    /// workers run this application (in this process, or as processes that load its assemblies), so no
    /// code is uploaded.
    /// </summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    public static Task<Client> ConnectAsync(LocalCluster cluster, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return ConnectAsync(cluster.SchedulerAddress, new ClientOptions { UploadCode = false }, cancellationToken);
    }

    internal static async Task<Client> ConnectAsync(IMessageNetwork network, IWireSerializer serializer, string schedulerAddress, bool setAsDefault, CancellationToken cancellationToken, bool uploadCode = false)
    {
        IMessageChannel channel = await network.ConnectAsync(schedulerAddress, cancellationToken).ConfigureAwait(false);
        string id = "client-" + Guid.NewGuid().ToString("N");
        await channel.SendAsync(new RegisterClient(id), cancellationToken).ConfigureAwait(false);
        Message welcome = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (welcome is not Welcome w)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new CommClosedException($"Scheduler {schedulerAddress} answered the client's registration with {welcome.Op} instead of a welcome.");
        }

        return new Client(schedulerAddress, id, w.Session, new PeerConnection(channel), network, serializer, setAsDefault, uploadCode);
    }

    /// <inheritdoc/>
    public object?[] Get(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default) =>
        GetAsync(graph, keys, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<object?[]> GetAsync(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Key[] wanted = [.. keys.Distinct()];
        var states = new Dictionary<Key, FutureState>(wanted.Length);
        try
        {
            foreach (Key k in wanted)
            {
                states[k] = Retain(k);
            }

            Submit(graph, wanted, retries: 0);
            return await GatherAsync(keys, [.. keys.Select(k => states[k])], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (KeyValuePair<Key, FutureState> kv in states)
            {
                Release(kv.Key, kv.Value);
            }
        }
    }

    /// <summary>Submits a graph and returns futures for <paramref name="keys"/>, without waiting (Dask's <c>persist</c> of a raw graph).</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="keys">The keys wanted.</param>
    /// <returns>One future per key.</returns>
    public IReadOnlyList<Future<object?>> SubmitGraph(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Future<object?>[] futures = [.. keys.Select(k => new Future<object?>(this, k))];
        try
        {
            Submit(graph, [.. keys.Distinct()], retries: 0);
        }
        catch
        {
            DisposeAll(futures);
            throw;
        }

        return futures;
    }

    /// <inheritdoc/>
    /// <remarks>The handles are <see cref="Future{T}"/> of <see cref="object"/>; the results stay on the workers until they are disposed or the client closes.</remarks>
    public IReadOnlyList<object> Persist(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys) => SubmitGraph(graph, keys);

    /// <summary>Waits for futures and returns their results, in order.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The results.</returns>
    public async Task<T[]> GatherAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(futures);
        Future<T>[] all = [.. futures];
        foreach (Future<T> f in all)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(futures));
            ObjectDisposedException.ThrowIf(f.IsDisposed, f);
        }

        object?[] values = await GatherAsync([.. all.Select(f => f.Key)], [.. all.Select(f => f.State)], cancellationToken).ConfigureAwait(false);
        var results = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            results[i] = (T)values[i]!;
        }

        return results;
    }

    /// <summary>Waits for futures and returns their results, blocking.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <returns>The results.</returns>
    public T[] Gather<T>(IEnumerable<Future<T>> futures) => GatherAsync(futures).GetAwaiter().GetResult();

    /// <summary>
    /// Cancels futures (Dask's <c>cancel</c>): the client stops wanting their keys, so the scheduler
    /// stops computing them unless another client or a pending task still needs them, and awaiting any
    /// future of this client with one of those keys throws <see cref="TaskCanceledException"/>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures; futures already released or cancelled are skipped.</param>
    /// <param name="cancellationToken">Cancels the call before anything is cancelled.</param>
    /// <returns>A task that completes once the release is queued to the scheduler.</returns>
    /// <exception cref="ArgumentException">A future belongs to another client.</exception>
    public Task CancelAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(futures);
        cancellationToken.ThrowIfCancellationRequested();
        var cancelled = new List<(Key Key, FutureState State)>();
        foreach (Future<T> f in futures)
        {
            CheckOwned(f, nameof(futures));
            FutureState s = f.State;
            lock (s)
            {
                if (s.Released)
                {
                    continue;
                }

                s.Released = true;
                s.Cancelled = true;
            }

            _keys.TryRemove(KeyValuePair.Create(f.Key, s));
            cancelled.Add((f.Key, s));
        }

        if (cancelled.Count > 0)
        {
            SendToScheduler(new ReleaseKeys([.. cancelled.Select(c => c.Key)]));
            foreach ((Key _, FutureState s) in cancelled)
            {
                s.Location.TrySetCanceled(CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Lets the futures' tasks run to the end even after this client releases them or disconnects
    /// (Dask's <c>fire_and_forget</c>), for tasks run for their side effects. The scheduler keeps
    /// wanting each key, on behalf of a pseudo-client, until it is in memory or erred, then releases it.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures; futures already released or cancelled are skipped.</param>
    /// <exception cref="ArgumentException">A future belongs to another client.</exception>
    public void FireAndForget<T>(IEnumerable<Future<T>> futures)
    {
        ArgumentNullException.ThrowIfNull(futures);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var keys = new HashSet<Key>();
        foreach (Future<T> f in futures)
        {
            CheckOwned(f, nameof(futures));
            if (!f.State.Released)
            {
                keys.Add(f.Key);
            }
        }

        if (keys.Count > 0)
        {
            SendToScheduler(new FireAndForget([.. keys]));
        }
    }

    /// <summary>
    /// Restarts the cluster (Dask's <c>restart</c>): the scheduler forgets every task and result, of
    /// every client, and restarts every worker — a local cluster's worker processes are replaced by new
    /// processes, other workers are replaced by fresh ones in their process (<see cref="WorkerHost"/>).
    /// Every pending or finished future of every client then fails with <see cref="ClusterRestartedException"/>.
    /// Uploaded code stays: workers get it again when they join.
    /// </summary>
    /// <param name="timeout">How long to wait for as many workers as before to join again; by default 60 s.</param>
    /// <param name="cancellationToken">Cancels the wait (not the restart).</param>
    /// <returns>A task that completes once the workers are back.</returns>
    /// <exception cref="TimeoutException">Fewer workers than before joined within <paramref name="timeout"/>.</exception>
    /// <exception cref="RemoteException">The workers could not be restarted.</exception>
    public async Task RestartAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        double seconds = (timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(seconds, 0, nameof(timeout));
        RestartDone done = await RequestAsync<RestartDone>(id => new Restart(id, seconds), cancellationToken).ConfigureAwait(false);
        if (done.Error is { } e)
        {
            throw e.TypeName == typeof(TimeoutException).FullName
                ? new TimeoutException(e.Message)
                : new RemoteException(e.TypeName, e.Message, e.StackTrace, []);
        }
    }

    /// <summary>Restarts the cluster, blocking; see <see cref="RestartAsync"/>.</summary>
    /// <param name="timeout">How long to wait for the workers; by default 60 s.</param>
    public void Restart(TimeSpan? timeout = null) => RestartAsync(timeout).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Schedulers.RestoreProcessDefault(this, _previousDefault);
        SendToScheduler(new Close("client closing"));
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        await _data.DisposeAsync().ConfigureAwait(false);
        await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        FailPending(new CommClosedException($"Client {Id} was closed."));
    }

    internal bool IsClosed => _disposed != 0;

    /// <summary>Takes a reference to a key for a new future; the first reference creates the key's state.</summary>
    internal FutureState Retain(Key key)
    {
        while (true)
        {
            FutureState s = _keys.GetOrAdd(key, static _ => new FutureState());
            lock (s)
            {
                if (!s.Released)
                {
                    s.References++;
                    return s;
                }
            }

            // Released meanwhile by its last reference or a cancel: a later future gets a fresh state.
            _keys.TryRemove(KeyValuePair.Create(key, s));
        }
    }

    /// <summary>Drops a reference; the last one tells the scheduler that this client no longer wants the key.</summary>
    internal void Release(Key key, FutureState state)
    {
        lock (state)
        {
            if (--state.References > 0 || state.Released)
            {
                return;
            }

            state.Released = true;
        }

        _keys.TryRemove(KeyValuePair.Create(key, state));
        QueueRelease(key);
    }

    // A future was collected without being disposed (on the thread pool, queued by its finalizer): release
    // its key unless the client is gone, when there is nothing left to release.
    internal void ReleaseCollected(Key key, FutureState state)
    {
        if (IsClosed)
        {
            return;
        }

        try
        {
            Release(key, state);
        }
        catch (Exception e) when (e is ObjectDisposedException or CommClosedException)
        {
            // Closed meanwhile.
        }
    }

    internal async Task<object?[]> GatherAsync(IReadOnlyList<Key> keys, IReadOnlyList<FutureState> states, CancellationToken cancellationToken)
    {
        var locations = new string[keys.Count][];
        for (int i = 0; i < keys.Count; i++)
        {
            FutureState s = states[i];
            try
            {
                locations[i] = await s.Location.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (s.Cancelled)
            {
            }

            if (s.Cancelled)
            {
                throw new TaskCanceledException($"Future {keys[i]} was cancelled; submit it again to compute it.");
            }

            if (s.Lost is { } lost)
            {
                throw new ClusterRestartedException(lost.Key);
            }
        }

        object?[] results = new object?[keys.Count];
        var fetch = new List<int>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            // A small result came with the scheduler's answer; the others are fetched from their workers.
            if (states[i].Value is { } inline)
            {
                results[i] = _serializer.DeserializeValue(inline);
            }
            else
            {
                fetch.Add(i);
            }
        }

        if (fetch.Count == 0)
        {
            return results;
        }

        IEnumerable<int> pending = fetch;
        for (int attempt = 0; ; attempt++)
        {
            var lost = new System.Collections.Concurrent.ConcurrentBag<(int Index, string Worker, Exception Error)>();
            await Task.WhenAll(pending.GroupBy(i => locations[i][0]).Select(async g =>
            {
                int[] idx = [.. g];
                Data data;
                try
                {
                    data = await _data.GetAsync(g.Key, [.. idx.Select(i => keys[i]).Distinct()], cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is CommClosedException or IOException or System.Net.Sockets.SocketException)
                {
                    // The worker is gone: the scheduler recomputes what only it held.
                    foreach (int i in idx)
                    {
                        lost.Add((i, g.Key, e));
                    }

                    return;
                }

                if (data.Error is { } error)
                {
                    throw new RemoteException(error.TypeName, error.Message, error.StackTrace, []);
                }

                var values = new Dictionary<Key, object?>(data.Keys.Length);
                for (int j = 0; j < data.Keys.Length; j++)
                {
                    values[data.Keys[j]] = _serializer.DeserializeReceived(data.Values[j]);
                }

                foreach (int i in idx)
                {
                    if (values.TryGetValue(keys[i], out object? v))
                    {
                        results[i] = v;
                    }
                    else
                    {
                        lost.Add((i, g.Key, new InvalidOperationException($"Worker {g.Key} no longer holds {keys[i]}; the result was released before it was gathered.")));
                    }
                }
            })).ConfigureAwait(false);
            if (lost.IsEmpty)
            {
                return results;
            }

            // Ask the scheduler where the lost results are now (a rebalance, a replication or a retirement
            // moves them without telling the client); wait for those held nowhere else to be in memory again
            // (recomputed, or held by another worker).
            Key[] lostKeys = [.. lost.Select(l => keys[l.Index]).Distinct()];
            WhoHasList now = await RequestAsync<WhoHasList>(id => new GetWhoHas(id, lostKeys), cancellationToken).ConfigureAwait(false);
            Dictionary<Key, string[]> holders = now.Keys.Zip(now.Workers).ToDictionary(p => p.First, p => p.Second);
            foreach ((int i, string worker, Exception error) in lost)
            {
                if (attempt >= MaxGatherAttempts)
                {
                    throw error;
                }

                if (holders.TryGetValue(keys[i], out string[]? elsewhere) && Array.Exists(elsewhere, h => h != worker))
                {
                    locations[i] = [.. elsewhere.Where(h => h != worker)];
                    continue;
                }

                try
                {
                    locations[i] = await states[i].NextLocationAsync(worker).WaitAsync(RelocationTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw error;
                }
            }

            pending = [.. lost.Select(l => l.Index)];
        }
    }

    private static LiteralNode Arg<T>(T value) => Node.Literal(value);

    private RefNode Arg<T>(Future<T> future) => OwnedArg(future, paramName: null);

    // A future passed to Submit or Map must be this client's and still held: its key means nothing to the
    // scheduler otherwise (or names a result that is gone), and the task would fail only later.
    private RefNode OwnedArg<T>(Future<T> future, string? paramName)
    {
        CheckOwned(future, paramName);
        if (future.IsDisposed)
        {
            throw new ArgumentException($"Future {future.Key} was disposed, so client {Id} no longer holds its result; dispose a future only after the tasks that take it were submitted.", paramName);
        }

        if (future.State.Cancelled)
        {
            throw new ArgumentException($"Future {future.Key} was cancelled, so its result will never exist; submit its task again and pass the new future.", paramName);
        }

        return Node.Ref(future.Key);
    }

    private Future<TResult> SubmitCall<TResult>(TaskFunction function, string? key, int retries, Node[] args, TaskRestrictions? restrictions)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Key k = key is not null ? new Key(key) : CallKey(function, args);
        return SubmitCalls<TResult>([(k, Node.Call(function, args))], retries, restrictions)[0];
    }

    // One task per argument list, each keyed by its function and arguments (equal calls share a task).
    private List<Future<TResult>> MapCalls<TResult>(TaskFunction function, IEnumerable<Node[]> argLists, int retries, TaskRestrictions? restrictions) =>
        SubmitCalls<TResult>(argLists.Select(args => (CallKey(function, args), (Node)Node.Call(function, args))), retries, restrictions);

    // The default key of a call: the function's name and a token of the function and of each argument's
    // value, or the key of a future argument.
    private static Key CallKey(TaskFunction function, Node[] args) =>
        new(function.Name + "-" + Tokenizer.Tokenize([function.Token, .. args.Select(a => a is RefNode r ? r.Key : ((LiteralNode)a).Value)]));

    // Dask's workers=, allow_other_workers= and resources=, checked and in the scheduler's form; null when unrestricted.
    private static TaskRestrictions? Restrict(IEnumerable<string>? workers, bool allowOtherWorkers, IReadOnlyDictionary<string, double>? resources)
    {
        string[] names = workers is null ? [] : [.. workers.Distinct(StringComparer.Ordinal)];
        if (allowOtherWorkers && names.Length == 0)
        {
            throw new ArgumentException("allowOtherWorkers only means something together with workers; name the preferred workers.", nameof(allowOtherWorkers));
        }

        ResourceAmount[] needs = resources is null ? [] : [.. resources.Select(r => new ResourceAmount(r.Key, r.Value))];
        foreach (ResourceAmount need in needs)
        {
            ArgumentException.ThrowIfNullOrEmpty(need.Name, nameof(resources));
            if (!(need.Amount > 0) || double.IsInfinity(need.Amount))
            {
                throw new ArgumentOutOfRangeException(nameof(resources), need.Amount, $"The amount of resource '{need.Name}' a task needs must be a finite number above 0.");
            }
        }

        return names.Length == 0 && needs.Length == 0 ? null : new TaskRestrictions(names, allowOtherWorkers, needs);
    }

    // Submits one task per call in one graph update; the futures hold their keys before the update is
    // sent, so the scheduler's answer always finds them.
    private List<Future<TResult>> SubmitCalls<TResult>(IEnumerable<(Key Key, Node Node)> calls, int retries, TaskRestrictions? restrictions)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        var graph = new TaskGraph();
        var futures = new List<Future<TResult>>();
        try
        {
            foreach ((Key key, Node node) in calls)
            {
                graph.TryAdd(key, node);
                futures.Add(new Future<TResult>(this, key));
            }

            Submit(graph, [.. graph.Keys], retries, restrictions);
        }
        catch
        {
            DisposeAll(futures);
            throw;
        }

        return futures;
    }

    private void CheckOwned<T>(Future<T> future, string? paramName)
    {
        ArgumentNullException.ThrowIfNull(future, paramName);
        if (!ReferenceEquals(future.Client, this))
        {
            throw new ArgumentException($"Future {future.Key} belongs to client {future.Client.Id}, not to client {Id}; call this on the client that created it.", paramName);
        }
    }

    private static void DisposeAll<T>(IEnumerable<Future<T>> futures)
    {
        foreach (Future<T> f in futures)
        {
            f.Dispose();
        }
    }

    private void Submit(IReadOnlyDictionary<Key, Node> graph, Key[] wanted, int retries, TaskRestrictions? restrictions = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        HashSet<Assembly>? userAssemblies = _uploadCode ? [] : null;
        if (wanted.Length == 1 && graph.Count == 1 && graph.TryGetValue(wanted[0], out Node? only) && !only.HasReferences && only is not LiteralNode { Value: IKeptResult })
        {
            // One task without dependencies (a Submit of values): nothing to cull or order.
            WireTask single = new(wanted[0], _serializer.SerializeNode(only, userAssemblies), [], 0, retries, restrictions);
            UploadCode(userAssemblies);
            SendToScheduler(new UpdateGraph([single], wanted));
            return;
        }

        IReadOnlyDictionary<Key, Node> given = graph;
        graph = WithoutKeptResults(graph);

        // Kept results left the graph, but a requested key that was never in it is still an error.
        TaskGraph culled = GraphOptimizations.Cull(graph, ReferenceEquals(given, graph) ? wanted : wanted.Where(k => graph.ContainsKey(k) || !given.ContainsKey(k)));
        Dictionary<Key, int> order = GraphOrder.Order(WithExternalKeys(culled));
        var tasks = new WireTask[culled.Count];

        // Each distinct function travels once with the graph; the tasks refer to it by hash.
        FunctionTable? functions = culled.Count > 1 ? FunctionTable.For(culled.Values) : null;
        int i = 0;
        foreach (KeyValuePair<Key, Node> kv in culled)
        {
            Key[] deps = kv.Value.HasReferences ? [.. kv.Value.GetReferences().Distinct()] : [];
            tasks[i++] = new WireTask(kv.Key, _serializer.SerializeNode(kv.Value, userAssemblies, functions), deps, order[kv.Key], retries, restrictions);
        }

        // The code goes first on the same connection, so workers have it before any of these tasks.
        UploadCode(userAssemblies);
        SendToScheduler(new UpdateGraph(tasks, wanted, functions?.ToArray(), functions?.Hashes()));
    }

    // A persisted collection's graph holds its parts' futures as literals (Persist): a part under its own
    // key is on the cluster already, so it leaves the graph; under another key it becomes an alias of it.
    private IReadOnlyDictionary<Key, Node> WithoutKeptResults(IReadOnlyDictionary<Key, Node> graph)
    {
        TaskGraph? rewritten = null;
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            if (kv.Value is not LiteralNode { Value: IKeptResult handle })
            {
                continue;
            }

            if (handle is not Future<object?> kept)
            {
                throw new ArgumentException($"Task {kv.Key} holds a result kept by another scheduler ({handle.Key}, a {handle.GetType().Name}); compute the collection on the scheduler that persisted it.", nameof(graph));
            }

            if (kept.Client != this)
            {
                throw new ArgumentException($"Task {kv.Key} holds a result persisted on another client ({kept.Key}); compute the collection on the client that persisted it.", nameof(graph));
            }

            ObjectDisposedException.ThrowIf(kept.IsDisposed, kept);
            rewritten ??= new TaskGraph(graph);
            if (kept.Key == kv.Key)
            {
                rewritten.Remove(kv.Key);
            }
            else
            {
                rewritten[kv.Key] = Node.Ref(kept.Key);
            }
        }

        return rewritten ?? graph;
    }

    // Keys the graph refers to but does not define must be futures of this client (their results are
    // on the cluster); ordering sees them as data. Anything else is a broken reference.
    private TaskGraph WithExternalKeys(TaskGraph graph)
    {
        TaskGraph? extended = null;
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            if (!kv.Value.HasReferences)
            {
                continue;
            }

            foreach (Key r in kv.Value.GetReferences())
            {
                if (graph.ContainsKey(r))
                {
                    continue;
                }

                if (!_keys.ContainsKey(r))
                {
                    throw new InvalidGraphException(r, $"Task {kv.Key} refers to key {r}, which is neither in the graph nor a future of this client; add a task for {r} or fix the reference.");
                }

                extended ??= new TaskGraph(graph);
                extended.TryAdd(r, Node.Literal(null));
            }
        }

        return extended ?? graph;
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? failure = null;
        try
        {
            bool open = true;
            while (open)
            {
                Message m = await _scheduler.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                switch (m)
                {
                    case KeyInMemory k when _keys.TryGetValue(k.Key, out FutureState? s):
                        if (k.Value is not null && !s.Location.Task.IsCompleted)
                        {
                            s.Value = k.Value;
                        }

                        if (!s.Location.TrySetResult(k.WhoHas))
                        {
                            // Recomputed after the workers that held it were lost.
                            s.Relocated(k.WhoHas, null);
                        }

                        break;
                    case KeyErred e when _keys.TryGetValue(e.Key, out FutureState? s):
                        Exception erred = e.Error.TypeName == typeof(KilledWorkerException).FullName
                            ? new KilledWorkerException(e.ErredOn, e.Error.Message)
                            : new TaskFailedException(e.ErredOn, new RemoteException(e.Error.TypeName, e.Error.Message, e.Error.StackTrace, []));
                        if (!s.Location.TrySetException(erred))
                        {
                            s.Relocated(null, erred);
                        }

                        break;
                    case IReply r when _requests.TryRemove(r.RequestId, out TaskCompletionSource<Message>? pending):
                        pending.TrySetResult(m);
                        break;
                    case ClusterRestarted:
                        LoseEverything();
                        break;
                    case Close:
                        open = false;
                        break;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        FailPending(new CommClosedException($"The connection to scheduler {SchedulerAddress} closed.", failure ?? new IOException("closed")));
    }

    // Sends a request to the scheduler and waits for the answer with the same id.
    private async Task<TReply> RequestAsync<TReply>(Func<long, Message> request, CancellationToken cancellationToken)
        where TReply : Message
    {
        long id = Interlocked.Increment(ref _nextRequest);
        var pending = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = pending;
        if (_closed is { } closed)
        {
            pending.TrySetException(closed);
        }

        SendToScheduler(request(id));
        try
        {
            return (TReply)await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(id, out _);
        }
    }

    /// <summary>Describes this client's keys that are not done (for a hang's diagnosis): at most <paramref name="maxKeys"/> of them, with how many there are in all.</summary>
    internal string DescribeStateForTesting(int maxKeys = 20)
    {
        KeyValuePair<Key, FutureState>[] pending = [.. _keys.Where(kv => !kv.Value.Location.Task.IsCompleted)];
        string listed = string.Join(", ", pending.Take(maxKeys).Select(kv => $"{kv.Key} (references {kv.Value.References}, released {kv.Value.Released})"));
        return $"client {Id}: {_keys.Count} keys, {pending.Length} not done: {listed}";
    }

    // The cluster restarted: every key of this client is gone. Its futures fail (finished ones too), and
    // the keys are released here without telling the scheduler, which forgot them already.
    private void LoseEverything()
    {
        foreach (KeyValuePair<Key, FutureState> kv in _keys)
        {
            FutureState s = kv.Value;
            lock (s)
            {
                s.Released = true;
                s.Lost ??= new ClusterRestartedException(kv.Key);
            }

            _keys.TryRemove(kv);
            s.Location.TrySetException(s.Lost);
        }
    }

    // Futures let go of keys one at a time (each Dispose); their releases are queued and sent together,
    // soon after on the thread pool, as one ReleaseKeys. Every other message to the scheduler goes out
    // after the releases queued before it, so a release never overtakes a later message about the same
    // key (a submission or scatter of it again).
    private void QueueRelease(Key key)
    {
        bool schedule;
        lock (_sendGate)
        {
            _pendingReleases.Add(key);
            schedule = !_releaseFlushQueued;
            _releaseFlushQueued = true;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static client => client.FlushReleases(), this, preferLocal: false);
        }
    }

    private void FlushReleases()
    {
        lock (_sendGate)
        {
            _releaseFlushQueued = false;
            FlushReleasesLocked();
        }
    }

    private void FlushReleasesLocked()
    {
        if (_pendingReleases.Count > 0)
        {
            _scheduler.Post(new ReleaseKeys([.. _pendingReleases]));
            _pendingReleases.Clear();
        }
    }

    // Queued releases and the message go out in one write: posted one after the other, the second found
    // the link just flushed and went through the thread pool (one hop more on every Submit that follows
    // a Dispose, as in a submit-await-dispose loop).
    private void SendToScheduler(Message message)
    {
        lock (_sendGate)
        {
            if (_pendingReleases.Count > 0)
            {
                _scheduler.PostMany([new ReleaseKeys([.. _pendingReleases]), message]);
                _pendingReleases.Clear();
            }
            else
            {
                _scheduler.Post(message);
            }
        }
    }

    private void FailPending(CommClosedException closed)
    {
        _closed = closed;
        foreach (TaskCompletionSource<Message> r in _requests.Values)
        {
            r.TrySetException(closed);
        }

        foreach (FutureState s in _keys.Values)
        {
            s.Location.TrySetException(closed);
            s.Relocated(null, closed);
        }
    }
}

/// <summary>
/// What a client knows about one key it holds futures for (Dask's <c>FutureState</c>): where the result
/// is once it is ready, and how many futures refer to it. Futures with the same key share it.
/// </summary>
internal sealed class FutureState
{
    /// <summary>Gets the result's location: completes with the workers that hold it, fails with the task's error, or is cancelled.</summary>
    public TaskCompletionSource<string[]> Location { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets or sets the serialized result when it came with the scheduler's answer (small results); null when it is fetched from a worker. Set before <see cref="Location"/> completes.</summary>
    public byte[]? Value { get; set; }

    /// <summary>Gets or sets the number of live futures (and in-flight gathers) for the key; guarded by locking the state.</summary>
    public int References { get; set; }

    /// <summary>Gets or sets a value indicating whether the scheduler was told to release the key; guarded by locking the state.</summary>
    public bool Released { get; set; }

    /// <summary>Gets or sets a value indicating whether the key was cancelled (its futures throw <see cref="TaskCanceledException"/>).</summary>
    public bool Cancelled { get; set; }

    /// <summary>Gets or sets why the key's result is gone although its task may have finished (the cluster restarted); null while it is not.</summary>
    public ClusterRestartedException? Lost { get; set; }

    // Where the result is now, when the scheduler reported it again after the first time (recomputed after
    // its workers were lost), and a gather waiting for that; guarded by locking the state.
    private string[]? _latest;
    private Exception? _failure;
    private TaskCompletionSource<string[]>? _relocation;

    /// <summary>
    /// Returns where the result is, once it is held by another worker than <paramref name="unreachable"/>
    /// (which a gather could not get it from): at once when the scheduler already said so, otherwise when
    /// it says so (the result is recomputed). Fails when the key fails meanwhile.
    /// </summary>
    public Task<string[]> NextLocationAsync(string unreachable)
    {
        lock (this)
        {
            if (_failure is not null)
            {
                return Task.FromException<string[]>(_failure);
            }

            string[]? now = _latest ?? (Location.Task.IsCompletedSuccessfully ? Location.Task.Result : null);
            if (now is not null && Array.IndexOf(now, unreachable) < 0)
            {
                return Task.FromResult(now);
            }

            _relocation ??= new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _relocation.Task;
        }
    }

    /// <summary>The scheduler reported the key again after its first report: in memory on <paramref name="whoHas"/>, or failed.</summary>
    public void Relocated(string[]? whoHas, Exception? failure)
    {
        TaskCompletionSource<string[]>? waiting;
        lock (this)
        {
            if (whoHas is not null)
            {
                _latest = whoHas;
            }

            _failure = failure ?? (whoHas is null ? _failure : null);
            waiting = _relocation;
            _relocation = null;
        }

        if (failure is not null)
        {
            waiting?.TrySetException(failure);
        }
        else if (whoHas is not null)
        {
            waiting?.TrySetResult(whoHas);
        }
    }
}
