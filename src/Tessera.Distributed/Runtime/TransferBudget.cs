namespace Tessera.Distributed.Runtime;

/// <summary>
/// Bounds the bytes a worker fetches from peers at once (Dask's <c>transfer_incoming_bytes_limit</c>), and
/// holds every fetch while the worker is paused: each fetch asks for the bytes it will receive, and starts
/// when they fit beside those in flight — or when nothing is in flight, so a value larger than the budget
/// still comes, alone. Fetches start in the order they asked.
/// </summary>
internal sealed class TransferBudget(long limitBytes)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiting = [];
    private long _inFlight;
    private bool _paused;

    /// <summary>Gets the bytes of the fetches in flight.</summary>
    public long InFlightBytes
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Waits until a fetch of <paramref name="bytes"/> may start; dispose the lease when its values are stored.</summary>
    public async ValueTask<Lease> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Max(0, bytes);
        Waiter waiter;
        lock (_lock)
        {
            if (_waiting.Count == 0 && FitsLocked(bytes))
            {
                _inFlight += bytes;
                return new Lease(this, bytes);
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiting.AddLast(waiter);
        }

        using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            await waiter.Ready.Task.ConfigureAwait(false);
        }

        return new Lease(this, bytes);
    }

    /// <summary>Holds every fetch that has not started (true) or lets them go on (false).</summary>
    public void SetPaused(bool paused)
    {
        lock (_lock)
        {
            _paused = paused;
            StartWaitingLocked();
        }
    }

    private bool FitsLocked(long bytes) => !_paused && (_inFlight == 0 || _inFlight + bytes <= limitBytes);

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _inFlight -= bytes;
            StartWaitingLocked();
        }
    }

    private void StartWaitingLocked()
    {
        while (_waiting.First is { } first && FitsLocked(first.Value.Bytes))
        {
            _waiting.RemoveFirst();
            first.Value.Node = null;
            _inFlight += first.Value.Bytes;
            first.Value.Ready.TrySetResult();
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // A waiter that already started keeps its bytes until its lease is disposed.
            if (waiter.Node is { } node)
            {
                _waiting.Remove(node);
                waiter.Node = null;
                waiter.Ready.TrySetCanceled(cancellationToken);
            }
        }
    }

    /// <summary>The bytes of one fetch, given back when disposed.</summary>
    public sealed class Lease(TransferBudget budget, long bytes) : IDisposable
    {
        private int _disposed;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                budget.Release(bytes);
            }
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
