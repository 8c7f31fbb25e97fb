using System.Diagnostics;

namespace Tessera.Distributed;

/// <summary>
/// A value copied out of the scheduler at a bounded rate: callers within the interval share the latest
/// copy, and callers while a copy is being taken share that one, so however many ask, at most one copy
/// runs at a time and at most one per interval.
/// </summary>
/// <typeparam name="T">What is copied.</typeparam>
/// <param name="capture">Takes a fresh copy.</param>
/// <param name="interval">The shortest time between two copies (read at each call).</param>
internal sealed class SharedCapture<T>(Func<Task<T>> capture, Func<TimeSpan> interval)
    where T : class
{
    private readonly Lock _gate = new();
    private T? _latest;
    private long _latestTimestamp;
    private Task<T>? _pending;

    /// <summary>Gets the latest copy, or null before the first; never waits.</summary>
    public T? Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>Gets whether the latest copy is older than the interval (or missing).</summary>
    public bool IsStale
    {
        get
        {
            lock (_gate)
            {
                return _latest is null || Stopwatch.GetElapsedTime(_latestTimestamp) >= interval();
            }
        }
    }

    public Task<T> GetAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<T>? started = null;
        Task<T> pending;
        lock (_gate)
        {
            if (_latest is not null && Stopwatch.GetElapsedTime(_latestTimestamp) < interval())
            {
                return Task.FromResult(_latest);
            }

            if (_pending is null)
            {
                started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending = started.Task;
            }

            pending = _pending;
        }

        // Started outside the gate: a capture that posts to an event loop resuming on the posting thread must never run inside it.
        if (started is not null)
        {
            _ = RunAsync(started);
        }

        return pending.WaitAsync(cancellationToken);
    }

    // Completes `result` with a fresh copy, or with the failure; either way no copy is pending any more.
    private async Task RunAsync(TaskCompletionSource<T> result)
    {
        try
        {
            T value = await capture().ConfigureAwait(false);
            lock (_gate)
            {
                _latest = value;
                _latestTimestamp = Stopwatch.GetTimestamp();
                _pending = null;
            }

            result.TrySetResult(value);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _pending = null;
            }

            result.TrySetException(e);
        }
    }
}
