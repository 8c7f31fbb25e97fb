using System.Reflection;
using Tessera.Distributed.Protocol;
using Tessera.Graphs;

namespace Tessera.Distributed;

// What the client does with workers directly: scatter data to them and run functions on them. The
// scheduler only lists the workers (GetWorkers) and, for scatter, learns where the data went.
public sealed partial class Client
{
    private int _scatterCursor;

    /// <summary>Lists the workers connected to the scheduler now, with their thread counts (Dask's <c>nthreads</c>).</summary>
    /// <param name="cancellationToken">Cancels the wait for the scheduler's answer.</param>
    /// <returns>Each worker's address and number of threads.</returns>
    public async Task<IReadOnlyDictionary<string, int>> GetWorkersAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        WorkerList list = await RequestAsync<WorkerList>(id => new GetWorkers(id), cancellationToken).ConfigureAwait(false);
        var workers = new Dictionary<string, int>(list.Addresses.Length, StringComparer.Ordinal);
        for (int i = 0; i < list.Addresses.Length; i++)
        {
            workers[list.Addresses[i]] = list.Threads[i];
        }

        return workers;
    }

    /// <summary>
    /// Gets the task stream from the scheduler (Dask's <c>get_task_stream</c>): which task ran on which
    /// worker thread, from when to when, and which data workers fetched from each other, spilled to disk
    /// and read back (<see cref="TaskStreamRecord.Kind"/>), for the records after <paramref name="since"/>.
    /// The scheduler keeps the last 100,000 records. Pass the last record's <see cref="TaskStreamRecord.Sequence"/>
    /// as <paramref name="since"/> to get only the records that came after it.
    /// </summary>
    /// <param name="since">The sequence number of the last record the caller has (0 for all that are kept).</param>
    /// <param name="limit">The most records to return; the newest are kept.</param>
    /// <param name="cancellationToken">Cancels the wait for the scheduler's answer.</param>
    /// <returns>The records, oldest first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="since"/> or <paramref name="limit"/> is negative.</exception>
    public async Task<IReadOnlyList<TaskStreamRecord>> GetTaskStreamAsync(long since = 0, int limit = 100_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(since);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        TaskStream stream = await RequestAsync<TaskStream>(id => new GetTaskStream(id, since, limit, Moves: true), cancellationToken).ConfigureAwait(false);
        return stream.Records;
    }

    /// <summary>
    /// Stores values on workers and returns futures for them, without tasks that compute them (Dask's
    /// <c>scatter</c>). The client sends the values straight to the workers, then tells the scheduler
    /// where they are; when this returns, the futures are finished. A value's key is its type's name and
    /// its deterministic token (<c>Int64-…</c>), so scattering equal values gives the same key; values
    /// without deterministic content get unique keys.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="broadcast"/>, values are spread over the workers in turn, in proportion to
    /// their threads. Scattered data has no lineage: if every worker that holds a value leaves while it
    /// is still wanted, its future fails instead of being recomputed.
    /// </remarks>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="data">The values.</param>
    /// <param name="broadcast">Whether every worker gets a copy of every value.</param>
    /// <param name="cancellationToken">Cancels the transfer; futures are then released.</param>
    /// <returns>One finished future per value, in order.</returns>
    /// <exception cref="InvalidOperationException">No workers are connected.</exception>
    /// <exception cref="RemoteException">A worker could not store a value.</exception>
    public async Task<IReadOnlyList<Future<T>>> ScatterAsync<T>(IEnumerable<T> data, bool broadcast = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var futures = new List<Future<T>>();
        try
        {
            var values = new Dictionary<Key, byte[]>();
            HashSet<Assembly>? userAssemblies = _uploadCode ? [] : null;
            foreach (T value in data)
            {
                Key key = ScatterKey(value);
                if (!values.ContainsKey(key))
                {
                    values[key] = _serializer.SerializeValue(value, userAssemblies);
                }

                futures.Add(new Future<T>(this, key));
            }

            if (values.Count == 0)
            {
                return futures;
            }

            // The values go to the workers directly: their types' code must be there first.
            await UploadCode(userAssemblies).WaitAsync(cancellationToken).ConfigureAwait(false);

            IReadOnlyDictionary<string, int> workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
            if (workers.Count == 0)
            {
                throw new InvalidOperationException($"No workers are connected to scheduler {SchedulerAddress}, so there is nowhere to scatter data to; start workers first.");
            }

            Dictionary<string, List<Key>> placement = PlaceScattered([.. values.Keys], workers, broadcast);
            await Task.WhenAll(placement.Select(async p =>
            {
                Key[] keys = [.. p.Value];
                byte[][] bytes = [.. keys.Select(k => values[k])];
                var reply = (DataStored)await _data.RequestAsync(p.Key, id => new UpdateData(id, keys, bytes, _session), cancellationToken).ConfigureAwait(false);
                if (reply.Error is { } e)
                {
                    throw new RemoteException(e.TypeName, e.Message, e.StackTrace, []);
                }
            })).ConfigureAwait(false);

            var whoHas = new Dictionary<Key, List<string>>();
            foreach ((string address, List<Key> keys) in placement)
            {
                foreach (Key k in keys)
                {
                    if (!whoHas.TryGetValue(k, out List<string>? holders))
                    {
                        whoHas[k] = holders = [];
                    }

                    holders.Add(address);
                }
            }

            SendToScheduler(new ScatteredKeys([.. values.Select(kv => new DependencyLocation(kv.Key, [.. whoHas[kv.Key]], kv.Value.Length))]));
            foreach (Future<T> f in futures)
            {
                await f.State.Location.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return futures;
        }
        catch
        {
            DisposeAll(futures);
            throw;
        }
    }

    /// <summary>Stores values on workers and returns futures for them, blocking; see <see cref="ScatterAsync{T}(IEnumerable{T}, bool, CancellationToken)"/>.</summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="data">The values.</param>
    /// <param name="broadcast">Whether every worker gets a copy of every value.</param>
    /// <returns>One finished future per value, in order.</returns>
    public IReadOnlyList<Future<T>> Scatter<T>(IEnumerable<T> data, bool broadcast = false) =>
        ScatterAsync(data, broadcast).GetAwaiter().GetResult();

    /// <summary>
    /// Runs <paramref name="function"/> once on every worker, or on the workers named, outside the task
    /// graph (Dask's <c>run</c>), and returns each worker's result. The client sends the function to the
    /// workers directly (the scheduler only lists them); a worker runs it on a thread-pool thread, beside
    /// its tasks.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function; it is serialized like a task's function.</param>
    /// <param name="workers">The addresses of the workers to run it on; by default every connected worker.</param>
    /// <param name="cancellationToken">Cancels the wait for the results (not the runs).</param>
    /// <returns>Each worker's address and result.</returns>
    /// <exception cref="RemoteException">The function threw on a worker (the first failure).</exception>
    /// <exception cref="CommClosedException">A worker could not be reached.</exception>
    public async Task<IReadOnlyDictionary<string, TResult>> RunAsync<TResult>(Func<TResult> function, IEnumerable<string>? workers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        HashSet<Assembly>? userAssemblies = _uploadCode ? [] : null;
        byte[] spec = _serializer.SerializeNode(Node.Call(TaskFunction.Create(function)), userAssemblies);
        await UploadCode(userAssemblies).WaitAsync(cancellationToken).ConfigureAwait(false);
        string[] targets = workers is null
            ? [.. (await GetWorkersAsync(cancellationToken).ConfigureAwait(false)).Keys]
            : [.. workers.Distinct(StringComparer.Ordinal)];
        (string Address, TResult Result)[] results = await Task.WhenAll(targets.Select(async address =>
        {
            var reply = (RunResult)await _data.RequestAsync(address, id => new RunFunction(id, spec, _session), cancellationToken).ConfigureAwait(false);
            if (reply.Error is { } e)
            {
                throw new RemoteException(e.TypeName, e.Message, e.StackTrace, []);
            }

            return (address, (TResult)_serializer.DeserializeValue(reply.Value!)!);
        })).ConfigureAwait(false);
        return results.ToDictionary(r => r.Address, r => r.Result, StringComparer.Ordinal);
    }

    /// <summary>Runs <paramref name="function"/> on every worker, blocking; see <see cref="RunAsync{TResult}(Func{TResult}, IEnumerable{string}?, CancellationToken)"/>.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="workers">The addresses of the workers to run it on; by default every connected worker.</param>
    /// <returns>Each worker's address and result.</returns>
    public IReadOnlyDictionary<string, TResult> Run<TResult>(Func<TResult> function, IEnumerable<string>? workers = null) =>
        RunAsync(function, workers).GetAwaiter().GetResult();

    // Dask's key for scattered data: the type's name and the value's token.
    private static Key ScatterKey<T>(T value)
    {
        string name = (value?.GetType() ?? typeof(T)).Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return new Key((tick > 0 ? name[..tick] : name) + "-" + Tokenizer.Tokenize(value));
    }

    // Every worker gets every key (broadcast), or keys go to workers in turn, a worker with n threads
    // taking n turns per round, continuing where the last scatter stopped.
    private Dictionary<string, List<Key>> PlaceScattered(Key[] keys, IReadOnlyDictionary<string, int> workers, bool broadcast)
    {
        var placement = new Dictionary<string, List<Key>>(StringComparer.Ordinal);
        if (broadcast)
        {
            foreach (string w in workers.Keys)
            {
                placement[w] = [.. keys];
            }

            return placement;
        }

        string[] slots = [.. workers.OrderBy(w => w.Key, StringComparer.Ordinal).SelectMany(w => Enumerable.Repeat(w.Key, Math.Max(1, w.Value)))];
        int start = Interlocked.Add(ref _scatterCursor, keys.Length) - keys.Length;
        for (int i = 0; i < keys.Length; i++)
        {
            string w = slots[(int)((uint)(start + i) % (uint)slots.Length)];
            if (!placement.TryGetValue(w, out List<Key>? list))
            {
                placement[w] = list = [];
            }

            list.Add(keys[i]);
        }

        return placement;
    }
}
