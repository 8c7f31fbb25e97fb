using System.Collections.Concurrent;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed;

/// <summary>
/// A connection to a Tessera scheduler: submit functions and graphs, get futures back, gather
/// results. While it is connected it is the process's default scheduler, so collections and
/// <see cref="Delayed"/> values compute on the cluster unchanged.
/// </summary>
public sealed partial class Client : IScheduler, IAsyncDisposable
{
    private readonly PeerConnection _scheduler;
    private readonly IWireSerializer _serializer;
    private readonly DataClient _data;
    private readonly ConcurrentDictionary<Key, KeyState> _keys = new();
    private readonly Task _receiveLoop;
    private readonly IScheduler? _previousDefault;
    private int _disposed;

    private Client(string schedulerAddress, string id, PeerConnection scheduler, IMessageNetwork network, IWireSerializer serializer, bool setAsDefault)
    {
        SchedulerAddress = schedulerAddress;
        Id = id;
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

    /// <summary>Connects to the scheduler at <paramref name="schedulerAddress"/> and becomes the process's default scheduler.</summary>
    /// <param name="schedulerAddress">The scheduler's address (<c>tcp://host:port</c>).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    public static Task<Client> ConnectAsync(string schedulerAddress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerAddress);
        return ConnectAsync(Networks.For(schedulerAddress, "client"), WireSerializer.ForSameApplication("client"), schedulerAddress, setAsDefault: true, cancellationToken);
    }

    /// <summary>Connects to a local cluster's scheduler and becomes the process's default scheduler.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    public static Task<Client> ConnectAsync(LocalCluster cluster, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return ConnectAsync(cluster.SchedulerAddress, cancellationToken);
    }

    internal static async Task<Client> ConnectAsync(IMessageNetwork network, IWireSerializer serializer, string schedulerAddress, bool setAsDefault, CancellationToken cancellationToken)
    {
        IMessageChannel channel = await network.ConnectAsync(schedulerAddress, cancellationToken).ConfigureAwait(false);
        string id = "client-" + Tokenizer.UniqueToken()[..16];
        await channel.SendAsync(new RegisterClient(id), cancellationToken).ConfigureAwait(false);
        Message welcome = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (welcome is not Welcome)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new CommClosedException($"Scheduler {schedulerAddress} answered the client's registration with {welcome.Op} instead of a welcome.");
        }

        return new Client(schedulerAddress, id, new PeerConnection(channel), network, serializer, setAsDefault);
    }

    /// <inheritdoc/>
    public object?[] Get(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default) =>
        GetAsync(graph, keys, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<object?[]> GetAsync(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        Key[] wanted = [.. keys.Distinct()];
        foreach (Key k in wanted)
        {
            Retain(k);
        }

        Submit(graph, wanted, retries: 0);
        try
        {
            return await GatherAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(wanted);
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

    /// <summary>Waits for futures and returns their results, in order.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The results.</returns>
    public async Task<T[]> GatherAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(futures);
        Future<T>[] all = [.. futures];
        object?[] values = await GatherAsync([.. all.Select(f => f.Key)], cancellationToken).ConfigureAwait(false);
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

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Schedulers.RestoreProcessDefault(this, _previousDefault);
        _scheduler.Post(new Close("client closing"));
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        await _data.DisposeAsync().ConfigureAwait(false);
        await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var closed = new CommClosedException($"Client {Id} was closed.");
        foreach (KeyState s in _keys.Values)
        {
            s.Location.TrySetException(closed);
        }
    }

    internal Task<string[]> WhenInMemory(Key key) => Track(key).Location.Task;

    internal void Retain(Key key) => Interlocked.Increment(ref Track(key).References);

    internal void Release(Key key)
    {
        if (_keys.TryGetValue(key, out KeyState? s) && Interlocked.Decrement(ref s.References) <= 0)
        {
            _keys.TryRemove(key, out _);
            _scheduler.Post(new ReleaseKeys([key]));
        }
    }

    internal async Task<object?[]> GatherAsync(IReadOnlyList<Key> keys, CancellationToken cancellationToken)
    {
        var locations = new string[keys.Count][];
        for (int i = 0; i < keys.Count; i++)
        {
            locations[i] = await Track(keys[i]).Location.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        object?[] results = new object?[keys.Count];
        var byWorker = Enumerable.Range(0, keys.Count).GroupBy(i => locations[i][0]);
        await Task.WhenAll(byWorker.Select(async g =>
        {
            int[] idx = [.. g];
            Data data = await _data.GetAsync(g.Key, [.. idx.Select(i => keys[i]).Distinct()], cancellationToken).ConfigureAwait(false);
            if (data.Missing.Length > 0)
            {
                throw new InvalidOperationException($"Worker {g.Key} no longer holds {data.Missing[0]}; the result was released before it was gathered.");
            }

            var values = new Dictionary<Key, object?>(data.Keys.Length);
            for (int j = 0; j < data.Keys.Length; j++)
            {
                values[data.Keys[j]] = _serializer.DeserializeValue(data.Values[j]);
            }

            foreach (int i in idx)
            {
                results[i] = values[keys[i]];
            }
        })).ConfigureAwait(false);
        return results;
    }

    private static LiteralNode Arg<T>(T value) => Node.Literal(value);

    private static RefNode Arg<T>(Future<T> future)
    {
        ArgumentNullException.ThrowIfNull(future);
        return Node.Ref(future.Key);
    }

    private Future<TResult> SubmitCall<TResult>(TaskFunction function, string? key, int retries, Node[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Node node = Node.Call(function, args);
        Key k = key is not null
            ? new Key(key)
            : new Key(function.Name + "-" + Tokenizer.Tokenize([function.Token, .. args.Select(a => a is RefNode r ? r.Key : ((LiteralNode)a).Value)]));
        return SubmitCalls<TResult>([(k, node)], retries)[0];
    }

    // Submits one task per call in one graph update; the futures hold their keys before the update is
    // sent, so the scheduler's answer always finds them.
    private List<Future<TResult>> SubmitCalls<TResult>(IEnumerable<(Key Key, Node Node)> calls, int retries)
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

            Submit(graph, [.. graph.Keys], retries);
        }
        catch
        {
            DisposeAll(futures);
            throw;
        }

        return futures;
    }

    private static void DisposeAll<T>(IEnumerable<Future<T>> futures)
    {
        foreach (Future<T> f in futures)
        {
            f.Dispose();
        }
    }

    private void Submit(IReadOnlyDictionary<Key, Node> graph, Key[] wanted, int retries)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        TaskGraph culled = GraphOptimizations.Cull(graph, wanted);
        Dictionary<Key, int> order = GraphOrder.Order(WithExternalKeys(culled));
        var tasks = new WireTask[culled.Count];
        int i = 0;
        foreach (KeyValuePair<Key, Node> kv in culled)
        {
            Key[] deps = [.. kv.Value.GetReferences().Distinct()];
            tasks[i++] = new WireTask(kv.Key, _serializer.SerializeNode(kv.Value), deps, order[kv.Key], retries);
        }

        _scheduler.Post(new UpdateGraph(tasks, wanted));
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

    private void Release(Key[] keys)
    {
        foreach (Key k in keys)
        {
            Release(k);
        }
    }

    private KeyState Track(Key key) => _keys.GetOrAdd(key, static _ => new KeyState());

    private async Task ReceiveLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                Message m = await _scheduler.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                switch (m)
                {
                    case KeyInMemory k:
                        Track(k.Key).Location.TrySetResult(k.WhoHas);
                        break;
                    case KeyErred e:
                        var remote = new RemoteException(e.Error.TypeName, e.Error.Message, e.Error.StackTrace, []);
                        Track(e.Key).Location.TrySetException(new TaskFailedException(e.ErredOn, remote));
                        break;
                    case Close:
                        return;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        var closed = new CommClosedException($"The connection to scheduler {SchedulerAddress} closed.", failure ?? new IOException("closed"));
        foreach (KeyState s in _keys.Values)
        {
            s.Location.TrySetException(closed);
        }
    }

    private sealed class KeyState
    {
        public TaskCompletionSource<string[]> Location { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int References;
    }
}
