using System.Runtime.CompilerServices;

namespace Tessera.Distributed;

/// <summary>When <see cref="Futures.WaitAsync{T}(IEnumerable{Future{T}}, WaitMode, TimeSpan?, CancellationToken)"/> returns.</summary>
public enum WaitMode
{
    /// <summary>When every future is done (Dask's <c>ALL_COMPLETED</c>).</summary>
    AllCompleted,

    /// <summary>When at least one future is done (Dask's <c>FIRST_COMPLETED</c>).</summary>
    FirstCompleted,
}

/// <summary>The futures that were done and those that were not when a wait returned (Dask's <c>DoneAndNotDoneFutures</c>).</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Done">The futures that are done: finished, failed or cancelled.</param>
/// <param name="NotDone">The futures still pending.</param>
public sealed record WaitResult<T>(IReadOnlySet<Future<T>> Done, IReadOnlySet<Future<T>> NotDone);

/// <summary>
/// Waiting on many futures: in completion order (Dask's <c>as_completed</c>) or until all or the first
/// are done (Dask's <c>wait</c>). A future is done when it finished, failed or was cancelled. The
/// futures may belong to any client.
/// </summary>
public static class Futures
{
    /// <summary>Yields the futures as they are done (finished, failed or cancelled), in completion order (Dask's <c>as_completed</c>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures; a future listed twice is yielded twice.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The futures, each once it is done.</returns>
    public static IAsyncEnumerable<Future<T>> AsCompleted<T>(this IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        Future<T>[] all = Materialize(futures);
        return Iterate(all, cancellationToken);

        static async IAsyncEnumerable<Future<T>> Iterate(Future<T>[] all, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Task<Future<T>>[] done = [.. all.Select(f => f.Completion.ContinueWith(static (_, s) => (Future<T>)s!, f, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))];
            await foreach (Task<Future<T>> t in Task.WhenEach(done).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return await t.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Yields the futures with their results as they finish, in completion order (Dask's
    /// <c>as_completed(…, with_results=True)</c>). The enumeration throws where a future failed or was cancelled.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels fetching a result.</param>
    /// <returns>Each future with its result, once it is done.</returns>
    /// <exception cref="TaskFailedException">A future's task failed (thrown when the enumeration reaches it).</exception>
    /// <exception cref="TaskCanceledException">A future was cancelled (thrown when the enumeration reaches it).</exception>
    public static IAsyncEnumerable<(Future<T> Future, T Result)> AsCompletedWithResults<T>(this IEnumerable<Future<T>> futures, CancellationToken cancellationToken = default)
    {
        IAsyncEnumerable<Future<T>> completed = AsCompleted(futures, cancellationToken);
        return Iterate(completed, cancellationToken);

        static async IAsyncEnumerable<(Future<T>, T)> Iterate(IAsyncEnumerable<Future<T>> completed, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (Future<T> f in completed.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return (f, await f.ResultAsync(cancellationToken).ConfigureAwait(false));
            }
        }
    }

    /// <summary>
    /// Waits until every future, or the first one, is done (finished, failed or cancelled) and returns
    /// which are done and which are not (Dask's <c>wait</c>). It does not throw for failed futures.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <param name="mode">Whether to wait for all futures or the first.</param>
    /// <param name="timeout">How long to wait; by default forever.</param>
    /// <param name="cancellationToken">Cancels the wait (not the futures).</param>
    /// <returns>The done and the not-done futures.</returns>
    /// <exception cref="TimeoutException">The wait was not over within <paramref name="timeout"/> (as Dask's <c>wait</c> raises).</exception>
    public static async Task<WaitResult<T>> WaitAsync<T>(this IEnumerable<Future<T>> futures, WaitMode mode = WaitMode.AllCompleted, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Future<T>[] all = Materialize(futures);
        if (timeout is { } t && t != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero, nameof(timeout));
        }

        if (all.Length > 0)
        {
            // Completions that never fault, so that a failed future does not end the wait.
            Task[] done = [.. all.Select(f => f.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))];
            Task wait = mode == WaitMode.FirstCompleted ? Task.WhenAny(done) : Task.WhenAll(done);
            try
            {
                await wait.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                int pending = all.Count(f => !f.Completion.IsCompleted);
                throw new TimeoutException($"{pending} of {all.Length} futures were not done within {timeout}.");
            }
        }

        var doneSet = new HashSet<Future<T>>(ReferenceEqualityComparer.Instance);
        var notDoneSet = new HashSet<Future<T>>(ReferenceEqualityComparer.Instance);
        foreach (Future<T> f in all)
        {
            (f.Completion.IsCompleted ? doneSet : notDoneSet).Add(f);
        }

        return new WaitResult<T>(doneSet, notDoneSet);
    }

    /// <summary>Waits, blocking, until every future, or the first one, is done; see <see cref="WaitAsync{T}(IEnumerable{Future{T}}, WaitMode, TimeSpan?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="futures">The futures.</param>
    /// <param name="mode">Whether to wait for all futures or the first.</param>
    /// <param name="timeout">How long to wait; by default forever.</param>
    /// <returns>The done and the not-done futures.</returns>
    /// <exception cref="TimeoutException">The wait was not over within <paramref name="timeout"/>.</exception>
    public static WaitResult<T> Wait<T>(this IEnumerable<Future<T>> futures, WaitMode mode = WaitMode.AllCompleted, TimeSpan? timeout = null) =>
        WaitAsync(futures, mode, timeout).GetAwaiter().GetResult();

    private static Future<T>[] Materialize<T>(IEnumerable<Future<T>> futures)
    {
        ArgumentNullException.ThrowIfNull(futures);
        Future<T>[] all = [.. futures];
        foreach (Future<T> f in all)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(futures));
        }

        return all;
    }
}
