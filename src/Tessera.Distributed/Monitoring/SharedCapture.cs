using System.Diagnostics;

namespace Tessera.Distributed;

/// <summary>
/// A value copied out of the scheduler at a bounded rate: callers within the interval share the latest
/// copy, and callers while a copy is being taken share that one, so however many ask, at most one copy
/// runs at a time and at most one per interval (unless a caller names a moment the copy must start after).
/// </summary>
/// <typeparam name="T">What is copied.</typeparam>
/// <param name="capture">Takes a fresh copy.</param>
/// <param name="interval">The shortest time between two copies (read at each call).</param>
internal sealed class SharedCapture<T>(Func<Task<T>> capture, Func<TimeSpan> interval)
    where T : class
{
    private readonly Lock _gate = new();
    private T? _latest;
    private long _latestStarted;
    private Task<T>? _pending;
    private long _pendingStarted;

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
                return _latest is null || Stopwatch.GetElapsedTime(_latestStarted) >= interval();
            }
        }
    }

    /// <summary>Gets a copy started no earlier than the interval ago, or than <paramref name="notBefore"/> when given.</summary>
    /// <param name="notBefore">A <see cref="Stopwatch"/> timestamp the copy must have started at or after (what happened before it is in the copy), or null.</param>
    /// <param name="cancellationToken">Cancels the wait (not the copy, which other callers may share).</param>
    public Task<T> GetAsync(long? notBefore, CancellationToken cancellationToken)
    {
        TaskCompletionSource<T>? started = null;
        Task<T> pending;
        lock (_gate)
        {
            long threshold = notBefore ?? Stopwatch.GetTimestamp() - (long)(interval().TotalSeconds * Stopwatch.Frequency);
            if (_latest is not null && _latestStarted >= threshold)
            {
                return Task.FromResult(_latest);
            }

            if (_pending is not null && _pendingStarted < threshold)
            {
                // The copy being taken began too early: wait for it, then ask again.
                return AfterAsync(_pending, threshold, cancellationToken);
            }

            if (_pending is null)
            {
                started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending = started.Task;
                _pendingStarted = Stopwatch.GetTimestamp();
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

    private async Task<T> AfterAsync(Task earlier, long threshold, CancellationToken cancellationToken)
    {
        await earlier.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await GetAsync(threshold, cancellationToken).ConfigureAwait(false);
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
                _latestStarted = _pendingStarted;
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
