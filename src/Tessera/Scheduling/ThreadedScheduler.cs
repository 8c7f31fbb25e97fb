using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>
/// Runs tasks on a fixed number of threads of this process, the default scheduler. Ready tasks run
/// in static priority order; a result is dropped as soon as the last task that needs it has run.
/// </summary>
/// <remarks>
/// <para>The calling thread of <see cref="Get"/> works as one of the threads; the others come from the
/// .NET thread pool for the duration of the computation, each running in the caller's execution
/// context (so tasks see a <see cref="TesseraConfig.Set(ValueTuple{string, object}[])"/> scope around
/// the call, and other <see cref="AsyncLocal{T}"/> values). All bookkeeping for a finished task
/// (releasing inputs, readying dependents, picking the next task) happens in one short critical
/// section, so a trivial task costs well under a microsecond.</para>
/// <para>When a task throws, no new task starts, the threads finish the tasks they are running, and
/// the first failure is raised as <see cref="TaskFailedException"/>. Cancellation works the same
/// way; tasks that are already running are not interrupted.</para>
/// </remarks>
public sealed class ThreadedScheduler : IScheduler
{
    /// <summary>Creates a threaded scheduler.</summary>
    /// <param name="threads">The number of threads; at least 1.</param>
    public ThreadedScheduler(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
    }

    /// <summary>Gets the number of threads that run tasks.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Name => "threads";

    /// <inheritdoc/>
    public object?[] Get(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        ExecutionPlan plan = ExecutionPlan.Build(graph, keys);
        var run = new Run(plan, SchedulerCallback.Active, Threads, cancellationToken);
        return run.RunBlocking();
    }

    /// <inheritdoc/>
    public Task<object?[]> GetAsync(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<object?[]>(cancellationToken);
        }

        ExecutionPlan plan;
        try
        {
            plan = ExecutionPlan.Build(graph, keys);
        }
        catch (Exception e)
        {
            return Task.FromException<object?[]>(e);
        }

        return new Run(plan, SchedulerCallback.Active, Threads, cancellationToken).RunAsync();
    }

    private sealed class Run : LocalRun, IThreadPoolWorkItem
    {
        private readonly object _lock = new();
        private readonly int[] _waiting;
        private readonly int[] _roots;
        private readonly PriorityHeap _ready;
        private readonly int _workers;
        private readonly CancellationToken _cancellationToken;

        // The caller's execution context (TesseraConfig.Set scopes, other AsyncLocal values), so
        // tasks on pool threads see what the computation's caller sees; null where flow is suppressed.
        private readonly ExecutionContext? _context = ExecutionContext.Capture();
        private TaskCompletionSource<object?[]>? _completion;
        private int _rootCursor;
        private int _done;
        private int _idle;
        private int _active;
        private int _nextWorkerId;
        private bool _stop;
        private bool _cancelled;
        private int _failedTask = -1;
        private ExceptionDispatchInfo? _failure;

        public Run(ExecutionPlan plan, ImmutableArray<SchedulerCallback> callbacks, int threads, CancellationToken cancellationToken)
            : base(plan, callbacks)
        {
            _cancellationToken = cancellationToken;
            int n = plan.Count;
            _waiting = new int[n];
            var roots = new List<int>();
            foreach (int task in plan.ByPriority)
            {
                int deps = plan.DepStart[task + 1] - plan.DepStart[task];
                _waiting[task] = deps;
                if (deps == 0)
                {
                    roots.Add(task);
                }
            }

            _roots = [.. roots];
            _ready = new PriorityHeap(Math.Min(n, 64));
            _workers = Math.Max(1, Math.Min(threads, n));
        }

        public object?[] RunBlocking()
        {
            NotifyStart("threads", _workers);
            using CancellationTokenRegistration registration = RegisterCancellation();
            _active = _workers;
            for (int i = 1; i < _workers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }

            WorkerLoop(0);
            lock (_lock)
            {
                while (_active > 0)
                {
                    Monitor.Wait(_lock);
                }
            }

            return Finish();
        }

        public Task<object?[]> RunAsync()
        {
            NotifyStart("threads", _workers);
            _completion = new TaskCompletionSource<object?[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            CancellationTokenRegistration registration = RegisterCancellation();
            _active = _workers;
            for (int i = 0; i < _workers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }

            return _completion.Task.ContinueWith(
                t =>
                {
                    registration.Dispose();
                    return t;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).Unwrap();
        }

        void IThreadPoolWorkItem.Execute()
        {
            int id = Interlocked.Increment(ref _nextWorkerId);
            int worker = _completion is null ? id : id - 1;
            if (_context is null)
            {
                WorkerLoop(worker);
            }
            else
            {
                ExecutionContext.Run(
                    _context,
                    static state =>
                    {
                        (Run run, int w) = ((Run, int))state!;
                        run.WorkerLoop(w);
                    },
                    (this, worker));
            }
        }

        private CancellationTokenRegistration RegisterCancellation() =>
            _cancellationToken.CanBeCanceled
                ? _cancellationToken.UnsafeRegister(static s => ((Run)s!).Cancel(), this)
                : default;

        private void Cancel()
        {
            lock (_lock)
            {
                if (!_stop)
                {
                    _cancelled = true;
                    _stop = true;
                    Monitor.PulseAll(_lock);
                }
            }
        }

        private void WorkerLoop(int worker)
        {
            int task;
            lock (_lock)
            {
                task = NextLocked();
            }

            while (task >= 0)
            {
                try
                {
                    Execute(task, worker);
                }
                catch (Exception e)
                {
                    lock (_lock)
                    {
                        if (IsOwnCancellation(e, _cancellationToken))
                        {
                            _cancelled = true;
                        }
                        else if (_failure is null)
                        {
                            _failure = ExceptionDispatchInfo.Capture(e);
                            _failedTask = task;
                        }

                        _stop = true;
                        Monitor.PulseAll(_lock);
                    }

                    break;
                }

                lock (_lock)
                {
                    ReleaseInputs(task);
                    foreach (int dependent in Plan.DependentsOf(task))
                    {
                        if (--_waiting[dependent] == 0)
                        {
                            _ready.Push(Plan.Priority[dependent]);
                        }
                    }

                    if (++_done == Plan.Count)
                    {
                        _stop = true;
                        Monitor.PulseAll(_lock);
                        task = -1;
                    }
                    else
                    {
                        task = NextLocked();
                    }
                }
            }

            WorkerExited();
        }

        // Picks the ready task with the best priority, or waits for one; -1 when the run is over.
        private int NextLocked()
        {
            while (true)
            {
                if (_stop)
                {
                    return -1;
                }

                bool hasRoot = _rootCursor < _roots.Length;
                if (_ready.Count > 0 || hasRoot)
                {
                    int task;
                    if (hasRoot && (_ready.Count == 0 || Plan.Priority[_roots[_rootCursor]] < _ready.Peek()))
                    {
                        task = _roots[_rootCursor++];
                    }
                    else
                    {
                        task = Plan.ByPriority[_ready.Pop()];
                    }

                    if (_idle > 0 && (_ready.Count > 0 || _rootCursor < _roots.Length))
                    {
                        Monitor.Pulse(_lock);
                    }

                    return task;
                }

                _idle++;
                Monitor.Wait(_lock);
                _idle--;
            }
        }

        private void WorkerExited()
        {
            bool last;
            lock (_lock)
            {
                last = --_active == 0;
                if (last)
                {
                    Monitor.PulseAll(_lock);
                }
            }

            if (last && _completion is not null)
            {
                try
                {
                    _completion.TrySetResult(Finish());
                }
                catch (OperationCanceledException)
                {
                    _completion.TrySetCanceled(_cancellationToken);
                }
                catch (Exception e)
                {
                    _completion.TrySetException(e);
                }
            }
        }

        private object?[] Finish()
        {
            bool failed = _failure is not null || _cancelled;
            NotifyFinish(failed);
            if (_failure is not null)
            {
                throw new TaskFailedException(Plan.Keys[_failedTask], _failure.SourceException);
            }

            if (_cancelled)
            {
                throw new OperationCanceledException(_cancellationToken);
            }

            return CollectOutputs();
        }
    }
}
