using Tessera.Distributed.Protocol;
using Tessera.Graphs;

namespace Tessera.Distributed;

// Where results live, and moving them between workers: the scheduler plans the copies and the workers
// fetch them from each other; the values never pass through the client.
public sealed partial class Client
{
    /// <summary>
    /// Retires workers (Dask's <c>retire_workers</c>): the scheduler gives them no new tasks, sends the
    /// tasks processing on them elsewhere, copies every result that only they hold to the other workers
    /// (those holding the fewest bytes first), and then closes them. No result is lost, and futures stay
    /// valid. A local cluster does not replace a retired worker.
    /// </summary>
    /// <param name="workers">The workers' addresses or names.</param>
    /// <param name="cancellationToken">Cancels the wait (not the retirement).</param>
    /// <returns>The addresses of the retired workers.</returns>
    /// <exception cref="RemoteException">A worker is not connected, or results only the workers hold could not be copied (no other worker is left); the workers then stay.</exception>
    public async Task<IReadOnlyList<string>> RetireWorkersAsync(IEnumerable<string> workers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workers);
        string[] names = [.. workers];
        if (Array.Exists(names, string.IsNullOrEmpty))
        {
            throw new ArgumentException("RetireWorkersAsync: a worker address or name is null or empty.", nameof(workers));
        }

        MoveDone done = await MoveAsync(id => new RetireWorkers(id, names), cancellationToken).ConfigureAwait(false);
        return done.Retired;
    }

    /// <summary>
    /// Retires <paramref name="count"/> workers that the scheduler chooses (Dask's <c>retire_workers(n=...)</c>):
    /// idle workers first, then those holding the fewest bytes, so the least data moves. Otherwise as
    /// <see cref="RetireWorkersAsync(IEnumerable{string}, CancellationToken)"/>; a count above the number of
    /// workers retires them all (when no result would be lost).
    /// </summary>
    /// <param name="count">How many workers to retire, at least 1.</param>
    /// <param name="cancellationToken">Cancels the wait (not the retirement).</param>
    /// <returns>The addresses of the retired workers.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="RemoteException">Results only the chosen workers hold could not be copied (no other worker is left); the workers then stay.</exception>
    public async Task<IReadOnlyList<string>> RetireWorkersAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        MoveDone done = await MoveAsync(id => new RetireWorkers(id, [], count), cancellationToken).ConfigureAwait(false);
        return done.Retired;
    }

    /// <summary>
    /// Keeps <paramref name="copies"/> copies of each future's result on different workers (Dask's
    /// <c>replicate</c>), so that more tasks find their input where they run and a result survives the
    /// loss of a worker: missing copies are fetched by the workers that hold the fewest bytes, and copies
    /// beyond that many are dropped. Waits for the futures to finish first; failed ones are left alone.
    /// </summary>
    /// <typeparam name="T">The futures' result type.</typeparam>
    /// <param name="futures">The futures, of this client.</param>
    /// <param name="copies">How many workers hold each result; 0 (the default) for every worker.</param>
    /// <param name="cancellationToken">Cancels the wait (not the copies).</param>
    /// <returns>How many copies were made.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="copies"/> is negative.</exception>
    public async Task<int> ReplicateAsync<T>(IEnumerable<Future<T>> futures, int copies = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        Key[] keys = await FinishedKeysAsync(futures, cancellationToken).ConfigureAwait(false);
        return (await MoveAsync(id => new ReplicateKeys(id, keys, copies), cancellationToken).ConfigureAwait(false)).Copies;
    }

    /// <summary>
    /// Evens out the workers' memory (Dask's <c>rebalance</c>): results move from workers above the mean to
    /// workers below it, the largest first, each only when that narrows the gap between the two. The memory
    /// measure (Dask's default <c>optimistic</c>: process memory less its recent growth), the thresholds and
    /// the most bytes fetched in one message are configuration keys that the scheduler reads when it starts
    /// (<c>distributed.worker.memory.rebalance.*</c>; see docs/distributed.md). A result that a task
    /// processing on its worker needs stays there.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (not the moves).</param>
    /// <returns>How many results moved.</returns>
    public async Task<int> RebalanceAsync(CancellationToken cancellationToken = default) =>
        (await MoveAsync(id => new RebalanceKeys(id, []), cancellationToken).ConfigureAwait(false)).Copies;

    /// <summary>Evens out the workers' memory by moving only these futures' results (see <see cref="RebalanceAsync(CancellationToken)"/>); waits for them to finish first.</summary>
    /// <typeparam name="T">The futures' result type.</typeparam>
    /// <param name="futures">The futures, of this client.</param>
    /// <param name="cancellationToken">Cancels the wait (not the moves).</param>
    /// <returns>How many results moved.</returns>
    public async Task<int> RebalanceAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        Key[] keys = await FinishedKeysAsync(futures, cancellationToken).ConfigureAwait(false);
        return keys.Length == 0 ? 0 : (await MoveAsync(id => new RebalanceKeys(id, keys), cancellationToken).ConfigureAwait(false)).Copies;
    }

    /// <summary>Tells which workers hold each future's result now (Dask's <c>who_has</c>): none for one that is not finished.</summary>
    /// <typeparam name="T">The futures' result type.</typeparam>
    /// <param name="futures">The futures, of this client.</param>
    /// <param name="cancellationToken">Cancels the wait for the scheduler's answer.</param>
    /// <returns>The worker addresses by key.</returns>
    public async Task<IReadOnlyDictionary<Key, IReadOnlyList<string>>> WhoHasAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        Key[] keys = [.. Owned(futures).Select(f => f.Key).Distinct()];
        WhoHasList list = await RequestAsync<WhoHasList>(id => new GetWhoHas(id, keys), cancellationToken).ConfigureAwait(false);
        var whoHas = new Dictionary<Key, IReadOnlyList<string>>(list.Keys.Length);
        for (int i = 0; i < list.Keys.Length; i++)
        {
            whoHas[list.Keys[i]] = list.Workers[i];
        }

        return whoHas;
    }

    private async Task<MoveDone> MoveAsync(Func<long, Message> request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        MoveDone done = await RequestAsync<MoveDone>(request, cancellationToken).ConfigureAwait(false);
        if (done.Error is { } e)
        {
            throw new RemoteException(e.TypeName, e.Message, e.StackTrace, []);
        }

        return done;
    }

    // The keys of the futures once each is done, without those that failed or were cancelled.
    private async Task<Key[]> FinishedKeysAsync<T>(IEnumerable<Future<T>> futures, CancellationToken cancellationToken)
    {
        Future<T>[] owned = Owned(futures);
        await Task.WhenAll(owned.Select(f => f.Completion)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        return [.. owned.Where(f => f.Status == FutureStatus.Finished).Select(f => f.Key).Distinct()];
    }

    private Future<T>[] Owned<T>(IEnumerable<Future<T>> futures)
    {
        ArgumentNullException.ThrowIfNull(futures);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Future<T>[] all = [.. futures];
        foreach (Future<T> f in all)
        {
            CheckOwned(f, nameof(futures));
        }

        return all;
    }
}
