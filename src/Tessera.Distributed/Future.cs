using System.Runtime.CompilerServices;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed;

/// <summary>The state of a <see cref="Future{T}"/>.</summary>
public enum FutureStatus
{
    /// <summary>Not finished yet.</summary>
    Pending,

    /// <summary>The result is on a worker.</summary>
    Finished,

    /// <summary>The task, or one it depends on, failed; or the cluster restarted and dropped the result.</summary>
    Error,

    /// <summary>The future was cancelled or released, or its client closed (the result is gone with it).</summary>
    Cancelled,
}

/// <summary>
/// A remote result: the key of a task on the cluster. Await it for the value; pass it to
/// <see cref="Client.Submit{T1, TResult}(Func{T1, TResult}, Future{T1}, string?, int, IEnumerable{string}?, bool, IReadOnlyDictionary{string, double}?)"/> to make another task depend on it.
/// Dispose it to tell the scheduler the client no longer needs the result; a future that is never
/// disposed does so when the garbage collector finalizes it.
/// </summary>
/// <typeparam name="T">The type of the result.</typeparam>
public sealed class Future<T> : IDisposable, IKeptResult
{
    private readonly FutureState _state;
    private int _released;

    internal Future(Client client, Key key)
    {
        Client = client;
        Key = key;
        _state = client.Retain(key);
    }

    /// <summary>
    /// Releases the key of a future that was never disposed (Dask's <c>Future.__del__</c>): the release is
    /// queued to the thread pool, so the finalizer thread neither takes the client's locks nor sends.
    /// </summary>
    ~Future()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Client.ReleaseCollected(s.Key, s.State), (Client, Key, State: _state), preferLocal: false);
        }
    }

    /// <summary>Gets the task's key.</summary>
    public Key Key { get; }

    /// <summary>Gets the future's state now.</summary>
    public FutureStatus Status
    {
        get
        {
            if (_released != 0 || _state.Cancelled || Client.IsClosed)
            {
                return FutureStatus.Cancelled;
            }

            if (_state.Lost is not null)
            {
                return FutureStatus.Error;
            }

            Task<string[]> t = _state.Location.Task;
            return t.Status switch
            {
                TaskStatus.RanToCompletion => FutureStatus.Finished,
                TaskStatus.Faulted => t.Exception!.InnerException is CommClosedException ? FutureStatus.Cancelled : FutureStatus.Error,
                TaskStatus.Canceled => FutureStatus.Cancelled,
                _ => FutureStatus.Pending,
            };
        }
    }

    internal Client Client { get; }

    internal FutureState State => _state;

    internal bool IsDisposed => _released != 0;

    /// <summary>Gets a task that completes when the future is done: it succeeds when finished, faults when failed, and is cancelled when cancelled.</summary>
    internal Task Completion => _state.Location.Task;

    /// <summary>Waits for the result and fetches it.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the task).</param>
    /// <returns>The result.</returns>
    /// <exception cref="TaskFailedException">The task failed on the worker; the inner exception is a <see cref="RemoteException"/>.</exception>
    /// <exception cref="TaskCanceledException">The future was cancelled (<see cref="CancelAsync"/>).</exception>
    /// <exception cref="ObjectDisposedException">The future was disposed.</exception>
    public async Task<T> ResultAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_released != 0, this);
        object?[] values = await Client.GatherAsync([Key], [_state], cancellationToken).ConfigureAwait(false);
        return (T)values[0]!;
    }

    /// <summary>Waits for the result, blocking, at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; by default forever.</param>
    /// <returns>The result.</returns>
    /// <exception cref="TimeoutException">The result was not ready in time.</exception>
    public T Result(TimeSpan? timeout = null)
    {
        Task<T> t = ResultAsync();
        if (timeout is { } limit && !t.Wait(limit))
        {
            throw new TimeoutException($"Future {Key} was not ready within {limit}.");
        }

        return t.GetAwaiter().GetResult();
    }

    /// <summary>Gets the exception of a failed task, or <see langword="null"/>.</summary>
    /// <returns>The exception.</returns>
    public Exception? Exception()
    {
        if (_state.Lost is { } lost)
        {
            return lost;
        }

        Task<string[]> t = _state.Location.Task;
        return t.IsFaulted ? t.Exception!.InnerException : null;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> with this future once it is done: finished, failed or cancelled
    /// (Dask's <c>add_done_callback</c>); at once, on the thread pool, if it is done already. Callbacks run
    /// on the thread pool; an exception a callback throws is not propagated (the task that ran it faults).
    /// </summary>
    /// <param name="callback">The callback.</param>
    public void AddDoneCallback(Action<Future<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _ = _state.Location.Task.ContinueWith(
            static (_, s) =>
            {
                (Future<T> future, Action<Future<T>> action) = ((Future<T>, Action<Future<T>>))s!;
                action(future);
            },
            (this, callback),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Cancels the future (Dask's <c>cancel</c>): the client stops wanting the key, and awaiting this
    /// future, or any other of the client's futures with the same key, throws <see cref="TaskCanceledException"/>.
    /// See <see cref="Client.CancelAsync{T}(IEnumerable{Future{T}}, CancellationToken)"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call before anything is cancelled.</param>
    /// <returns>A task that completes once the release is queued to the scheduler.</returns>
    public Task CancelAsync(CancellationToken cancellationToken = default) => Client.CancelAsync([this], cancellationToken);

    /// <summary>Gets a task awaiter so that <c>await future</c> returns the result.</summary>
    /// <returns>The awaiter.</returns>
    public TaskAwaiter<T> GetAwaiter() => ResultAsync().GetAwaiter();

    /// <summary>Tells the scheduler that this client no longer needs the result (once every future with this key is disposed).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Client.Release(Key, _state);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Future({Key}, {Status})";
}
