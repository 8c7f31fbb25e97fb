using System.Runtime.CompilerServices;
using Tessera.Graphs;

namespace Tessera.Distributed;

/// <summary>The state of a <see cref="Future{T}"/>.</summary>
public enum FutureStatus
{
    /// <summary>Not finished yet.</summary>
    Pending,

    /// <summary>The result is on a worker.</summary>
    Finished,

    /// <summary>The task, or one it depends on, failed.</summary>
    Error,

    /// <summary>The future was released or its client closed.</summary>
    Cancelled,
}

/// <summary>
/// A remote result: the key of a task on the cluster. Await it for the value; pass it to
/// <see cref="Client.Submit{T1, TResult}(Func{T1, TResult}, Future{T1}, string?, int)"/> to make another task depend on it.
/// Dispose it to tell the scheduler the client no longer needs the result.
/// </summary>
/// <typeparam name="T">The type of the result.</typeparam>
public sealed class Future<T> : IDisposable
{
    private readonly Client _client;
    private int _released;

    internal Future(Client client, Key key)
    {
        _client = client;
        Key = key;
        client.Retain(key);
    }

    /// <summary>Gets the task's key.</summary>
    public Key Key { get; }

    /// <summary>Gets the future's state now.</summary>
    public FutureStatus Status
    {
        get
        {
            if (_released != 0)
            {
                return FutureStatus.Cancelled;
            }

            Task<string[]> t = _client.WhenInMemory(Key);
            return t.Status switch
            {
                TaskStatus.RanToCompletion => FutureStatus.Finished,
                TaskStatus.Faulted => t.Exception!.InnerException is CommClosedException ? FutureStatus.Cancelled : FutureStatus.Error,
                TaskStatus.Canceled => FutureStatus.Cancelled,
                _ => FutureStatus.Pending,
            };
        }
    }

    /// <summary>Waits for the result and fetches it.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the task).</param>
    /// <returns>The result.</returns>
    /// <exception cref="TaskFailedException">The task failed on the worker; the inner exception is a <see cref="RemoteException"/>.</exception>
    public async Task<T> ResultAsync(CancellationToken cancellationToken = default)
    {
        object?[] values = await _client.GatherAsync([Key], cancellationToken).ConfigureAwait(false);
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
        Task<string[]> t = _client.WhenInMemory(Key);
        return t.IsFaulted ? t.Exception!.InnerException : null;
    }

    /// <summary>Lets <c>await future</c> return the result.</summary>
    /// <returns>The awaiter.</returns>
    public TaskAwaiter<T> GetAwaiter() => ResultAsync().GetAwaiter();

    /// <summary>Tells the scheduler that this client no longer needs the result.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _client.Release(Key);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Future({Key}, {Status})";
}
