using System.Diagnostics;
using Tessera.Graphs;

namespace Tessera.Distributed.Scheduler;

/// <summary>
/// The scheduler's state machine: tasks, workers and clients, and the transitions between task
/// states. It does no I/O and takes no locks; one event loop calls it and forwards what it asks
/// for (<see cref="ISchedulerOutbox"/>) to the connections.
/// </summary>
/// <remarks>
/// Transitions are written as a table (<see cref="s_transitions"/>) from (state, state) to the code
/// that performs them. A transition may recommend further transitions; they run in a loop until
/// none are left, so a single event can settle a whole cascade without recursion.
/// </remarks>
internal sealed partial class SchedulerState
{
    private static readonly Dictionary<(TaskStateKind From, TaskStateKind To), Action<SchedulerState, SchedulerTask>> s_transitions = new()
    {
        [(TaskStateKind.Released, TaskStateKind.Waiting)] = static (s, t) => s.ReleasedToWaiting(t),
        [(TaskStateKind.Released, TaskStateKind.Forgotten)] = static (s, t) => s.ReleasedToForgotten(t),
        [(TaskStateKind.Waiting, TaskStateKind.Processing)] = static (s, t) => s.ReadyToProcessing(t),
        [(TaskStateKind.Waiting, TaskStateKind.Released)] = static (s, t) => s.NeedyToReleased(t),
        [(TaskStateKind.Queued, TaskStateKind.Processing)] = static (s, t) => s.ReadyToProcessing(t),
        [(TaskStateKind.Queued, TaskStateKind.Released)] = static (s, t) => s.NeedyToReleased(t),
        [(TaskStateKind.NoWorker, TaskStateKind.Processing)] = static (s, t) => s.ReadyToProcessing(t),
        [(TaskStateKind.NoWorker, TaskStateKind.Released)] = static (s, t) => s.NeedyToReleased(t),
        [(TaskStateKind.Processing, TaskStateKind.Memory)] = static (s, t) => s.ProcessingToMemory(t),
        [(TaskStateKind.Processing, TaskStateKind.Erred)] = static (s, t) => s.ProcessingToErred(t),
        [(TaskStateKind.Processing, TaskStateKind.Released)] = static (s, t) => s.NeedyToReleased(t),
        [(TaskStateKind.Memory, TaskStateKind.Released)] = static (s, t) => s.MemoryToReleased(t),
        [(TaskStateKind.Waiting, TaskStateKind.Erred)] = static (s, t) => s.NeedyToErred(t),
        [(TaskStateKind.Queued, TaskStateKind.Erred)] = static (s, t) => s.NeedyToErred(t),
        [(TaskStateKind.NoWorker, TaskStateKind.Erred)] = static (s, t) => s.NeedyToErred(t),
        [(TaskStateKind.Released, TaskStateKind.Erred)] = static (s, t) => s.NeedyToErred(t),
        [(TaskStateKind.Erred, TaskStateKind.Released)] = static (s, t) => s.ErredToReleased(t),
    };

    private readonly Dictionary<Key, SchedulerTask> _tasks = [];
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly List<WorkerState> _workerList = [];
    private readonly Dictionary<string, ClientState> _clients = new(StringComparer.Ordinal);
    private readonly PriorityQueue<SchedulerTask, long> _queued = new();
    private readonly HashSet<SchedulerTask> _noWorker = [];
    private readonly Dictionary<string, double> _durations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _prefixes = new(StringComparer.Ordinal);
    private string? _lastName;
    private string _lastPrefix = string.Empty;
    private readonly Stack<(SchedulerTask Task, TaskStateKind To)> _recommendations = new();
    private readonly ISchedulerOutbox _outbox;
    private readonly double _saturation;
    private readonly double _defaultDuration;
    private readonly double _defaultRoundTrip;
    private readonly TimeProvider _clock;
    private readonly int _allowedFailures;
    private readonly bool _workStealing;
    private readonly Dictionary<Key, (WorkerState Victim, WorkerState Thief, long RunId)> _steals = [];
    private long _nextRunId;
    private int _generation;
    private int _roundRobin;

    /// <summary>Creates the state machine.</summary>
    /// <param name="outbox">Where messages go.</param>
    /// <param name="workerSaturation">How many root tasks per thread a worker gets before the rest wait on the scheduler (Dask's worker-saturation); infinity turns queuing off.</param>
    /// <param name="defaultDurationSeconds">The duration assumed for a task prefix never seen before.</param>
    /// <param name="defaultRoundTripSeconds">
    /// The round trip between scheduler and a worker assumed until it is measured (see <see cref="WorkerState.RoundTrip"/>):
    /// queuing keeps enough short root tasks in flight to cover it.
    /// </param>
    /// <param name="allowedFailures">
    /// How many workers may die while a task is processing on them before the task fails with
    /// <see cref="KilledWorkerException"/> (Dask's <c>allowed-failures</c>): it fails at the death after that.
    /// </param>
    /// <param name="workStealing">Whether <see cref="BalanceWork"/> moves tasks from busy workers to idle ones (Dask's work stealing).</param>
    /// <param name="clock">What measures round trips to workers; the system's clock by default.</param>
    public SchedulerState(ISchedulerOutbox outbox, double workerSaturation = 1.1, double defaultDurationSeconds = 0.001, double defaultRoundTripSeconds = 0.001, int allowedFailures = 3, bool workStealing = true, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _workStealing = workStealing;
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(workerSaturation, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(allowedFailures);
        _allowedFailures = allowedFailures;
        _outbox = outbox;
        _saturation = workerSaturation;
        _defaultDuration = defaultDurationSeconds;
        _defaultRoundTrip = defaultRoundTripSeconds;
    }

    public IReadOnlyDictionary<Key, SchedulerTask> Tasks => _tasks;

    public IReadOnlyDictionary<string, WorkerState> Workers => _workers;

    public IReadOnlyDictionary<string, ClientState> Clients => _clients;

    /// <summary>Gets how many tasks moved to another worker because their worker gave them up to a steal.</summary>
    public int StolenTasks { get; private set; }

    /// <summary>Adds a worker and gives it waiting work, including tasks that no worker could run before.</summary>
    public WorkerState AddWorker(string address, int threads, string? name = null, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (_workers.ContainsKey(address))
        {
            throw new ArgumentException($"Worker {address} is already registered; each worker has a unique address.", nameof(address));
        }

        var worker = new WorkerState(address, threads, name, resources) { RoundTrip = _defaultRoundTrip };
        _workers.Add(address, worker);
        _workerList.Add(worker);
        foreach (SchedulerTask t in _noWorker.ToArray())
        {
            Recommend(t, TaskStateKind.Processing);
        }

        Settle();
        FillFromQueue(worker);
        return worker;
    }

    /// <summary>
    /// Removes a worker: its processing tasks run elsewhere, and results only it held are recomputed when
    /// needed. Unless the worker left in good order (<paramref name="graceful"/>: it closed itself, or a
    /// restart retired it), each task processing on it counts the death (<see cref="SchedulerTask.Suspicious"/>),
    /// and one that was processing on more dead workers than allowed fails with <see cref="KilledWorkerException"/>.
    /// </summary>
    public void RemoveWorker(string address, bool graceful = false)
    {
        if (!_workers.Remove(address, out WorkerState? worker))
        {
            return;
        }

        worker.Closed = true;
        _workerList.Remove(worker);
        foreach ((Key key, (WorkerState victim, WorkerState thief, _)) in _steals.ToArray())
        {
            if (victim == worker || thief == worker)
            {
                // A victim that died answers no more; a steal it confirmed before dying found no thief (below).
                _steals.Remove(key);
            }
        }

        foreach (SchedulerTask t in worker.Processing.ToArray())
        {
            if (!graceful && ++t.Suspicious > _allowedFailures)
            {
                t.Error = KilledWorker(t, worker);
                t.ErredOn = t;
                Recommend(t, TaskStateKind.Erred);
            }
            else
            {
                Recommend(t, TaskStateKind.Released);
            }
        }

        foreach (SchedulerTask t in worker.HasWhat.ToArray())
        {
            t.WhoHas.Remove(worker);
            if (t.WhoHas.Count == 0 && t.State == TaskStateKind.Memory)
            {
                Recommend(t, TaskStateKind.Released);
            }
        }

        worker.HasWhat.Clear();
        Settle();
    }

    /// <summary>Registers a client.</summary>
    public ClientState AddClient(string id)
    {
        if (!_clients.TryGetValue(id, out ClientState? client))
        {
            client = new ClientState(id);
            _clients.Add(id, client);
        }

        return client;
    }

    /// <summary>Drops a client and everything only it wanted.</summary>
    public void RemoveClient(string id)
    {
        if (_clients.Remove(id, out ClientState? client))
        {
            ReleaseKeys(client, [.. client.WantsWhat.Select(t => t.Key)]);
        }
    }

    /// <summary>Adds tasks and the keys a client wants from them.</summary>
    public void UpdateGraph(string clientId, IReadOnlyList<TaskSubmission> tasks, IReadOnlyList<Key> wanted)
    {
        // Validate before changing anything: every dependency is submitted now or known already.
        HashSet<Key>? submitted = null;
        foreach (TaskSubmission s in tasks)
        {
            foreach (Key d in s.Dependencies)
            {
                if (!_tasks.ContainsKey(d) && !(submitted ??= [.. tasks.Select(t => t.Key)]).Contains(d))
                {
                    throw new InvalidGraphException(d, $"Task {s.Key} depends on key {d}, which the scheduler does not know; submit it with the graph or as a future.");
                }
            }
        }

        foreach (Key k in wanted)
        {
            if (!_tasks.ContainsKey(k) && !(submitted ??= [.. tasks.Select(t => t.Key)]).Contains(k))
            {
                throw new KeyNotFoundException($"Requested key {k} is not in the submitted graph.");
            }
        }

        ClientState client = AddClient(clientId);
        long generation = (long)_generation++ << 32;
        var added = new List<(SchedulerTask Task, TaskSubmission Submission)>(tasks.Count);
        _tasks.EnsureCapacity(_tasks.Count + tasks.Count);
        foreach (TaskSubmission s in tasks)
        {
            if (_tasks.TryGetValue(s.Key, out SchedulerTask? existing))
            {
                if (existing.State is TaskStateKind.Released or TaskStateKind.Erred && existing.Spec is null)
                {
                    existing.Spec = s.Spec;
                    existing.Functions = s.Functions;
                }

                continue;
            }

            var t = new SchedulerTask(s.Key, s.Spec, generation | (uint)s.Order, PrefixOf(s.Key)) { RetriesLeft = s.Retries, Session = client.Session, Restrictions = s.Restrictions, Functions = s.Functions };
            _tasks.Add(s.Key, t);
            added.Add((t, s));
        }

        foreach ((SchedulerTask t, TaskSubmission s) in added)
        {
            if (s.Dependencies.Length == 0)
            {
                continue;
            }

            var deps = new SchedulerTask[s.Dependencies.Length];
            for (int i = 0; i < deps.Length; i++)
            {
                SchedulerTask dep = _tasks[s.Dependencies[i]];
                deps[i] = dep;
                dep.Dependents.Add(t);
            }

            t.Dependencies = deps;
        }

        foreach (Key k in wanted)
        {
            SchedulerTask t = _tasks[k];
            if (client.WantsWhat.Add(t))
            {
                t.WhoWants.Add(client);
            }

            switch (t.State)
            {
                case TaskStateKind.Memory:
                    _outbox.KeyInMemory(client, t);
                    break;
                case TaskStateKind.Erred:
                    _outbox.KeyErred(client, t);
                    break;
                case TaskStateKind.Released:
                    Recommend(t, TaskStateKind.Waiting);
                    break;
            }
        }

        Settle();
    }

    /// <summary>
    /// A client stored values on workers itself (scatter, Dask's <c>update_data</c>): each key is in
    /// memory on the live workers among those named, without a task that computes it, and the client
    /// wants it. Such a key has no lineage: if it is lost while still wanted, it errs instead of being
    /// recomputed.
    /// </summary>
    public void AddScatteredData(string clientId, IReadOnlyList<ScatteredData> data)
    {
        ClientState client = AddClient(clientId);
        foreach (ScatteredData d in data)
        {
            if (!_tasks.TryGetValue(d.Key, out SchedulerTask? t))
            {
                t = new SchedulerTask(d.Key, null, 0, PrefixOf(d.Key)) { Scattered = true, Session = client.Session };
                _tasks.Add(d.Key, t);
            }

            if (client.WantsWhat.Add(t))
            {
                t.WhoWants.Add(client);
            }

            var holders = new List<WorkerState>(d.WhoHas.Length);
            foreach (string address in d.WhoHas)
            {
                if (_workers.TryGetValue(address, out WorkerState? w))
                {
                    holders.Add(w);
                }
            }

            switch (t.State)
            {
                case TaskStateKind.Memory:
                    holders.ForEach(w => AddReplica(t, w));
                    _outbox.KeyInMemory(client, t);
                    break;
                case TaskStateKind.Released or TaskStateKind.Erred when holders.Count > 0:
                    t.State = TaskStateKind.Memory;
                    t.Error = null;
                    t.ErredOn = null;
                    t.NBytes = d.NBytes;
                    holders.ForEach(w => AddReplica(t, w));
                    foreach (ClientState c in t.WhoWants)
                    {
                        _outbox.KeyInMemory(c, t);
                    }

                    break;
                case TaskStateKind.Released:
                    t.Error = ScatteredDataLost(t.Key);
                    t.ErredOn = t;
                    Recommend(t, TaskStateKind.Erred);
                    break;
                case TaskStateKind.Erred:
                    _outbox.KeyErred(client, t);
                    break;
                default:
                    // A task computes this key already and will report it; the scattered copies are not needed.
                    foreach (WorkerState w in holders.Where(w => w != t.ProcessingOn))
                    {
                        _outbox.FreeKey(w, t.Key);
                    }

                    break;
            }
        }

        Settle();
    }

    /// <summary>A client no longer wants these keys.</summary>
    public void ReleaseKeys(string clientId, IReadOnlyList<Key> keys)
    {
        if (_clients.TryGetValue(clientId, out ClientState? client))
        {
            ReleaseKeys(client, keys);
        }
    }

    /// <summary>A worker finished the run <paramref name="runId"/> of a task; a report of any other run than the task's latest is stale and ignored.</summary>
    public void TaskFinished(string workerAddress, Key key, long runId, long nbytes, double durationSeconds)
    {
        if (!_workers.TryGetValue(workerAddress, out WorkerState? worker))
        {
            return;
        }

        if (!_tasks.TryGetValue(key, out SchedulerTask? t))
        {
            // The task was forgotten while it ran (released, cancelled): the worker may drop the result.
            _outbox.FreeKey(worker, key);
            return;
        }

        if (t.RunId != runId)
        {
            // An older run of a key that was released and submitted again meanwhile: the worker was told
            // to free that run (see NeedyToReleased), and the current run reports for itself.
            return;
        }

        if (t.State != TaskStateKind.Processing || t.ProcessingOn != worker)
        {
            // A stale result (the task was released or moved meanwhile): the worker may drop it.
            _outbox.FreeKey(worker, key);
            return;
        }

        t.NBytes = nbytes;
        UpdateDuration(t.Prefix, durationSeconds);
        if (worker.ProbeRunId == runId)
        {
            // A shorter sample counts at once, a longer one a tenth, and raises the estimate by at most a tenth:
            // one-time costs (the first run of a function on a worker, decoding its code, a collection) must
            // not make the worker take many tasks of medium length, and the estimate is measured again only
            // when the worker is idle, which a worker given many tasks seldom is.
            double sample = Math.Max(0, _clock.GetElapsedTime(worker.ProbeSent).TotalSeconds - durationSeconds);
            worker.RoundTrip = sample < worker.RoundTrip ? sample : worker.RoundTrip + (0.1 * Math.Min(sample - worker.RoundTrip, worker.RoundTrip));
            worker.ProbeRunId = 0;
        }

        Recommend(t, TaskStateKind.Memory);
        Settle();
        FillFromQueue(worker);
    }

    /// <summary>
    /// A worker fetched copies of keys from peers (Dask's <c>add-keys</c>): each becomes a replica
    /// on that worker while the key is in memory, so it is freed there with the key; a copy of a key
    /// released meanwhile is freed at once.
    /// </summary>
    public void AddKeys(string workerAddress, IReadOnlyList<Key> keys)
    {
        if (!_workers.TryGetValue(workerAddress, out WorkerState? worker))
        {
            return;
        }

        foreach (Key k in keys)
        {
            if (_tasks.TryGetValue(k, out SchedulerTask? t) && t.State == TaskStateKind.Memory)
            {
                AddReplica(t, worker);
            }
            else if (t is null || t.State != TaskStateKind.Processing || t.ProcessingOn != worker)
            {
                // Computing it again on this worker overwrites the copy; anything else leaves it unwanted.
                _outbox.FreeKey(worker, k);
            }
        }
    }

    /// <summary>A worker reports that the run <paramref name="runId"/> of a task threw; a stale run's report is ignored.</summary>
    public void TaskErred(string workerAddress, Key key, long runId, RemoteError error)
    {
        if (!_workers.TryGetValue(workerAddress, out WorkerState? worker) || !_tasks.TryGetValue(key, out SchedulerTask? t) ||
            t.RunId != runId || t.State != TaskStateKind.Processing || t.ProcessingOn != worker)
        {
            return;
        }

        if (t.RetriesLeft > 0)
        {
            t.RetriesLeft--;
            Recommend(t, TaskStateKind.Released);
            Settle();
            if (t.State == TaskStateKind.Released && t.WhoWants.Count + t.Waiters > 0)
            {
                Recommend(t, TaskStateKind.Waiting);
                Settle();
            }
        }
        else
        {
            t.Error = error;
            t.ErredOn = t;
            Recommend(t, TaskStateKind.Erred);
            Settle();
        }

        FillFromQueue(worker);
    }

    /// <summary>
    /// A worker could not fetch an input of the run <paramref name="runId"/> of a task from
    /// <paramref name="peerAddress"/> (Dask's <c>missing-data</c>): the scheduler stops counting on the
    /// peer's copies of the task's inputs — an input with no copy left is recomputed — and runs the task
    /// again. A stale run's report is ignored.
    /// </summary>
    public void MissingData(string workerAddress, Key key, long runId, string peerAddress)
    {
        if (!_workers.TryGetValue(workerAddress, out WorkerState? worker) || !_tasks.TryGetValue(key, out SchedulerTask? t) ||
            t.RunId != runId || t.State != TaskStateKind.Processing || t.ProcessingOn != worker)
        {
            return;
        }

        if (_workers.TryGetValue(peerAddress, out WorkerState? peer))
        {
            foreach (SchedulerTask dep in t.Dependencies)
            {
                if (dep.State == TaskStateKind.Memory && RemoveReplica(dep, peer))
                {
                    if (dep.WhoHas.Count == 0)
                    {
                        Recommend(dep, TaskStateKind.Released);
                    }
                }
            }

            // Inputs with no copy left go back to released first, which releases the task too.
            Settle();
        }

        if (t.State == TaskStateKind.Processing && t.RunId == runId)
        {
            Recommend(t, TaskStateKind.Released);
            Settle();
        }

        FillFromQueue(worker);
    }

    /// <summary>
    /// Work stealing (Dask's): each worker with idle threads asks the worker with the most tasks beyond its
    /// threads to give up one it has not started, for each idle thread and one more whose inputs it holds
    /// already, so that the next is there when a thread finishes. A worker with one task queued is asked
    /// only by a worker with a thread that nothing will occupy (counting the steals it asked for), so tasks
    /// do not move back and forth: the one that moves runs at once. Only tasks worth moving are asked
    /// for: ones expected to run at least <see cref="MinimumStealSeconds"/> (as their prefix ran so far),
    /// whose inputs missing on the idle worker take less than half that time to move, and that may run
    /// there (restrictions). The latest-to-run task goes first; the busy worker confirms (<see cref="StealResponse"/>),
    /// or keeps the task when it started it already.
    /// </summary>
    public void BalanceWork()
    {
        if (!_workStealing || _workerList.Count < 2)
        {
            return;
        }

        foreach (WorkerState thief in _workerList.Where(w => !w.Retiring && !w.Paused))
        {
            int room = thief.Threads + 1 - thief.Processing.Count - _steals.Values.Count(s => s.Thief == thief);
            while (room > 0 && TryStealFor(thief, inputsHeld: room == 1))
            {
                room--;
            }
        }
    }

    /// <summary>
    /// A worker answered a steal request for the run <paramref name="runId"/> of a task: when it gave the
    /// run up, the task goes to the idle worker that asked (or, if that one is gone, wherever it fits now).
    /// </summary>
    public void StealResponse(string workerAddress, Key key, long runId, bool stolen)
    {
        if (!_steals.TryGetValue(key, out (WorkerState Victim, WorkerState Thief, long RunId) steal) || steal.RunId != runId)
        {
            steal = default;
        }
        else
        {
            _steals.Remove(key);
        }

        if (!stolen || !_workers.TryGetValue(workerAddress, out WorkerState? victim) || !_tasks.TryGetValue(key, out SchedulerTask? t) ||
            t.State != TaskStateKind.Processing || t.ProcessingOn != victim || t.RunId != runId)
        {
            // Kept (it started, or finished), or the scheduler moved on: a stale answer changes nothing.
            return;
        }

        LeaveProcessing(t);
        StolenTasks++;
        if (steal.Victim == victim && steal.Thief is { Closed: false, Retiring: false } thief && (t.Restrictions?.Admits(thief, anyWorker: false) ?? true))
        {
            SendToWorker(t, thief);
        }
        else
        {
            ReadyToProcessing(t);
        }

        Settle();
    }

    /// <summary>
    /// A worker paused (its memory is above its pause threshold) or resumed (Dask's worker status). A paused
    /// worker gets new tasks only when every worker is paused, and no queued root task and no stolen task;
    /// when it resumes, queued root tasks go to it.
    /// </summary>
    public void WorkerPaused(string workerAddress, bool paused)
    {
        if (!_workers.TryGetValue(workerAddress, out WorkerState? worker) || worker.Paused == paused)
        {
            return;
        }

        worker.Paused = paused;
        if (!paused)
        {
            FillFromQueue(worker);
        }
    }

    /// <summary>
    /// The most bytes of inputs a task is moved for to a worker that holds none of them, when a worker that
    /// holds one may take it (about a round trip's worth of transfer); above this the data's location decides.
    /// </summary>
    public const long CheapTransferBytes = 64 * 1024;

    /// <summary>How many round trips to a worker the expected work of the root tasks in flight on it covers, per thread.</summary>
    public const double RoundTripsCovered = 2;

    private const double BandwidthBytesPerSecond = 1e9;

    // DependentsAfter and FreesAnInput look at tasks with at most this many dependents (a pair's blocks have
    // two); FreesAnInput at inputs of at least HintBytes (a worker waits for nothing smaller).
    private const int MaxDependentsForHints = 8;
    private const long HintBytes = 1 << 20;

    /// <summary>The shortest expected run of a task that work stealing moves; shorter ones are not worth a round trip.</summary>
    public const double MinimumStealSeconds = 0.005;

    private bool TryStealFor(WorkerState thief, bool inputsHeld)
    {
        WorkerState? victim = null;
        bool idleThread = thief.Processing.Count + _steals.Values.Count(s => s.Thief == thief) < thief.Threads;
        int mostWaiting = idleThread ? 0 : 1;
        foreach (WorkerState w in _workerList)
        {
            int waiting = w.Processing.Count - w.Threads - _steals.Values.Count(s => s.Victim == w);
            if (w != thief && waiting > mostWaiting)
            {
                (victim, mostWaiting) = (w, waiting);
            }
        }

        SchedulerTask? best = null;
        foreach (SchedulerTask t in victim?.Processing ?? [])
        {
            double compute = _durations.TryGetValue(t.Prefix, out double d) ? d : t.EstimatedDuration;
            double transfer = TransferSeconds(t, thief);
            if ((best is null || t.Priority > best.Priority) && compute >= MinimumStealSeconds && transfer < compute / 2 && (transfer == 0 || !inputsHeld) &&
                !_steals.ContainsKey(t.Key) && (t.Restrictions?.Admits(thief, anyWorker: false) ?? true))
            {
                best = t;
            }
        }

        if (best is null)
        {
            return false;
        }

        _steals.Add(best.Key, (victim!, thief, best.RunId));
        _outbox.StealRequest(victim!, best);
        return true;
    }

    /// <summary>
    /// Forgets every task and result (a cluster restart): clients stay registered but want nothing,
    /// workers hold and run nothing. Tells nobody; the caller restarts the workers and tells the clients.
    /// Learned task durations are kept.
    /// </summary>
    public void ForgetEverything()
    {
        foreach (SchedulerTask t in _tasks.Values)
        {
            t.State = TaskStateKind.Forgotten;
        }

        _tasks.Clear();
        _steals.Clear();
        _queued.Clear();
        _noWorker.Clear();
        _recommendations.Clear();
        foreach (ClientState c in _clients.Values)
        {
            c.WantsWhat.Clear();
        }

        foreach (WorkerState w in _workerList)
        {
            w.Processing.Clear();
            w.HasWhat.Clear();
            w.Occupancy = 0;
            w.NBytes = 0;
        }
    }

    /// <summary>Checks the invariants of the whole state; for tests and debugging.</summary>
    public void Validate()
    {
        foreach (SchedulerTask t in _tasks.Values)
        {
            int waiters = t.Dependents.Count(d => d.State is TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker or TaskStateKind.Processing);
            Check(waiters == t.Waiters, t, $"waiters {t.Waiters} != {waiters}");
            switch (t.State)
            {
                case TaskStateKind.Waiting:
                    Check(t.WaitingOn == t.Dependencies.Count(d => d.State != TaskStateKind.Memory), t, "waiting-on count");
                    Check(t.WaitingOn > 0, t, "a waiting task with nothing to wait for");
                    break;
                case TaskStateKind.Processing:
                    Check(t.ProcessingOn is not null && t.ProcessingOn.Processing.Contains(t), t, "processing on a worker that does not know it");
                    Check(t.Dependencies.All(d => d.State == TaskStateKind.Memory), t, "processing before its inputs are in memory");
                    break;
                case TaskStateKind.Memory:
                    Check(t.WhoHas.Count > 0, t, "in memory on no worker");
                    break;
                case TaskStateKind.Queued or TaskStateKind.NoWorker:
                    Check(t.Dependencies.All(d => d.State == TaskStateKind.Memory), t, "ready before its inputs are in memory");
                    break;
            }
        }

        foreach (WorkerState w in _workers.Values)
        {
            Check(w.Processing.All(t => t.State == TaskStateKind.Processing && t.ProcessingOn == w), null, $"worker {w} processing set");
            Check(w.HasWhat.All(t => t.WhoHas.Contains(w)), null, $"worker {w} has-what set");
        }

        static void Check(bool ok, SchedulerTask? t, string what)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"Scheduler invariant broken for {t?.ToString() ?? "the cluster"}: {what}.");
            }
        }
    }

    /// <summary>
    /// Describes, for a hang's diagnosis, the workers and the unfinished tasks (waiting, queued, no-worker,
    /// processing, or wanted by a client and not in memory): each with its state, who holds its inputs,
    /// where it runs and what it waits on. At most <paramref name="maxTasks"/> tasks are listed.
    /// </summary>
    public string DescribeStateForTesting(int maxTasks = 40)
    {
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"scheduler: {_tasks.Count} tasks, {_queued.Count} queue entries (partners sent early stay until they reach the front), {_noWorker.Count} no-worker; workers:");
        foreach (WorkerState w in _workerList)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" {w.Address} (processing {w.Processing.Count}, has {w.HasWhat.Count}, executing {w.Executing})");
        }

        text.AppendLine();
        int listed = 0;
        foreach (SchedulerTask t in _tasks.Values)
        {
            bool unfinished = t.State is TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker or TaskStateKind.Processing ||
                (t.WhoWants.Count > 0 && t.State != TaskStateKind.Memory);
            if (!unfinished)
            {
                continue;
            }

            if (++listed > maxTasks)
            {
                text.AppendLine("  …");
                break;
            }

            string inputs = string.Join(", ", t.Dependencies.Where(d => d.State != TaskStateKind.Memory || t.State == TaskStateKind.Processing)
                .Select(d => $"{d.Key} {d.State} on [{string.Join(' ', d.WhoHas)}]"));
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"  {t.Key}: {t.State} run {t.RunId} on {t.ProcessingOn?.Address ?? "-"}{(t.ProcessingOn is { Closed: true } ? " (closed)" : string.Empty)}, waiting on {t.WaitingOn}, waiters {t.Waiters}, wanted by [{string.Join(' ', t.WhoWants)}], suspicious {t.Suspicious}; inputs: {inputs}");
        }

        return text.ToString();
    }

    private void ReleaseKeys(ClientState client, IReadOnlyList<Key> keys)
    {
        foreach (Key k in keys)
        {
            if (_tasks.TryGetValue(k, out SchedulerTask? t) && client.WantsWhat.Remove(t))
            {
                t.WhoWants.Remove(client);
                ConsiderRelease(t);
            }
        }

        Settle();
    }

    private void ConsiderRelease(SchedulerTask t)
    {
        if (t.WhoWants.Count > 0 || t.Waiters > 0)
        {
            return;
        }

        switch (t.State)
        {
            case TaskStateKind.Memory or TaskStateKind.Erred or TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker or TaskStateKind.Processing:
                Recommend(t, TaskStateKind.Released);
                break;
            case TaskStateKind.Released:
                Recommend(t, TaskStateKind.Forgotten);
                break;
        }
    }

    private void Recommend(SchedulerTask t, TaskStateKind to) => _recommendations.Push((t, to));

    private void Settle()
    {
        while (_recommendations.TryPop(out (SchedulerTask Task, TaskStateKind To) r))
        {
            SchedulerTask t = r.Task;
            if (t.State == r.To || t.State == TaskStateKind.Forgotten)
            {
                continue;
            }

            if (!s_transitions.TryGetValue((t.State, r.To), out Action<SchedulerState, SchedulerTask>? transition))
            {
                // Some recommendations become moot by the time they run (a task released twice); only those
                // into states that the current state cannot reach are dropped, and that is by design.
                continue;
            }

            transition(this, t);
        }
    }

    private void ReleasedToWaiting(SchedulerTask t)
    {
        if (t.Scattered)
        {
            // Scattered data has no lineage to recompute it from.
            t.Error = ScatteredDataLost(t.Key);
            t.ErredOn = t;
            Recommend(t, TaskStateKind.Erred);
            return;
        }

        t.State = TaskStateKind.Waiting;
        int waitingOn = 0;
        foreach (SchedulerTask d in t.Dependencies)
        {
            d.Waiters++;
            if (d.State != TaskStateKind.Memory)
            {
                waitingOn++;
                if (d.State is TaskStateKind.Released)
                {
                    Recommend(d, TaskStateKind.Waiting);
                }
                else if (d.State == TaskStateKind.Erred)
                {
                    t.ErredOn = d.ErredOn;
                    t.Error = d.Error;
                    Recommend(t, TaskStateKind.Erred);
                }
            }
        }

        t.WaitingOn = waitingOn;
        if (waitingOn == 0)
        {
            Recommend(t, TaskStateKind.Processing);
        }
    }

    private void ReadyToProcessing(SchedulerTask t)
    {
        if (t.State == TaskStateKind.NoWorker)
        {
            _noWorker.Remove(t);
        }

        SchedulerTask? partner = PartnerOf(t);
        WorkerState? worker = t.Restrictions is { } restrictions ? DecideRestrictedWorker(t, restrictions) : DecideWorker(t, partner);
        if (worker is null)
        {
            // No worker at all, or none that meets the task's restrictions: it waits for one to join.
            if (_workers.Count == 0 || t.Restrictions is not null)
            {
                t.State = TaskStateKind.NoWorker;
                _noWorker.Add(t);
            }
            else
            {
                t.State = TaskStateKind.Queued;
                _queued.Enqueue(t, t.Priority);
            }

            return;
        }

        SendWithPartner(t, partner, worker);
    }

    private void SendToWorker(SchedulerTask t, WorkerState worker)
    {
        t.State = TaskStateKind.Processing;
        t.ProcessingOn = worker;
        t.RunId = ++_nextRunId;
        t.EstimatedDuration = _durations.TryGetValue(t.Prefix, out double d) ? d : _defaultDuration;
        if (worker.Processing.Count == 0 && HoldsAll(t, worker))
        {
            // An idle worker that holds the task's inputs starts it at once: its report, less the run, times the round trip.
            (worker.ProbeRunId, worker.ProbeSent) = (t.RunId, _clock.GetTimestamp());
        }

        worker.Processing.Add(t);
        worker.Occupancy += t.EstimatedDuration;
        _outbox.ComputeTask(worker, t);
    }

    private void ProcessingToMemory(SchedulerTask t)
    {
        WorkerState worker = t.ProcessingOn!;
        LeaveProcessing(t);
        t.State = TaskStateKind.Memory;
        AddReplica(t, worker);
        foreach (SchedulerTask dep in t.Dependencies)
        {
            dep.Waiters--;
            ConsiderRelease(dep);
        }

        foreach (SchedulerTask dependent in t.Dependents)
        {
            if (dependent.State == TaskStateKind.Waiting && --dependent.WaitingOn == 0)
            {
                Recommend(dependent, TaskStateKind.Processing);
            }
        }

        foreach (ClientState c in t.WhoWants)
        {
            _outbox.KeyInMemory(c, t);
        }

        if (t.WhoWants.Count == 0 && t.Waiters == 0)
        {
            Recommend(t, TaskStateKind.Released);
        }
    }

    private void ProcessingToErred(SchedulerTask t)
    {
        LeaveProcessing(t);
        NeedyToErred(t);
    }

    private void NeedyToErred(SchedulerTask t)
    {
        if (t.State == TaskStateKind.Processing)
        {
            LeaveProcessing(t);
        }
        else if (t.State == TaskStateKind.NoWorker)
        {
            _noWorker.Remove(t);
        }

        bool wasNeedy = t.State is TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker or TaskStateKind.Processing;
        t.State = TaskStateKind.Erred;
        if (wasNeedy)
        {
            foreach (SchedulerTask dep in t.Dependencies)
            {
                dep.Waiters--;
                ConsiderRelease(dep);
            }
        }

        foreach (SchedulerTask dependent in t.Dependents)
        {
            if (dependent.State is TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker)
            {
                dependent.Error = t.Error;
                dependent.ErredOn = t.ErredOn;
                Recommend(dependent, TaskStateKind.Erred);
            }
        }

        foreach (ClientState c in t.WhoWants)
        {
            _outbox.KeyErred(c, t);
        }
    }

    private void NeedyToReleased(SchedulerTask t)
    {
        switch (t.State)
        {
            case TaskStateKind.Processing:
                // The worker drops the run (or its result, if it is done): a run of the key sent later is another run.
                if (t.ProcessingOn is { Closed: false } worker)
                {
                    _outbox.FreeKey(worker, t.Key);
                }

                LeaveProcessing(t);
                break;
            case TaskStateKind.NoWorker:
                _noWorker.Remove(t);
                break;
        }

        t.State = TaskStateKind.Released;
        foreach (SchedulerTask dep in t.Dependencies)
        {
            dep.Waiters--;
            ConsiderRelease(dep);
        }

        AfterRelease(t);
    }

    private void MemoryToReleased(SchedulerTask t)
    {
        foreach (WorkerState w in t.WhoHas)
        {
            w.HasWhat.Remove(t);
            w.NBytes -= Math.Max(0, t.NBytes);
            if (!w.Closed)
            {
                _outbox.FreeKey(w, t.Key);
            }
        }

        t.WhoHas.Clear();
        t.State = TaskStateKind.Released;

        // Dependents that were waiting on this result now wait again, and it must be recomputed.
        foreach (SchedulerTask dependent in t.Dependents)
        {
            if (dependent.State == TaskStateKind.Waiting)
            {
                dependent.WaitingOn++;
            }
            else if (dependent.State is TaskStateKind.Queued or TaskStateKind.NoWorker or TaskStateKind.Processing)
            {
                Recommend(dependent, TaskStateKind.Released);
            }
        }

        AfterRelease(t);
    }

    private void ErredToReleased(SchedulerTask t)
    {
        t.State = TaskStateKind.Released;
        t.Error = null;
        t.ErredOn = null;
        AfterRelease(t);
    }

    // A released task is recomputed when still needed, and forgotten when nothing refers to it any more.
    private void AfterRelease(SchedulerTask t)
    {
        if (t.WhoWants.Count > 0 || t.Waiters > 0)
        {
            Recommend(t, TaskStateKind.Waiting);
        }
        else if (t.Dependents.TrueForAll(d => d.State is TaskStateKind.Released or TaskStateKind.Forgotten or TaskStateKind.Erred))
        {
            Recommend(t, TaskStateKind.Forgotten);
        }
    }

    private void ReleasedToForgotten(SchedulerTask t)
    {
        Debug.Assert(t.WhoWants.Count == 0, "forgetting a wanted task");
        t.State = TaskStateKind.Forgotten;
        _tasks.Remove(t.Key);
        foreach (SchedulerTask dep in t.Dependencies)
        {
            dep.Dependents.Remove(t);
            if (dep.State is TaskStateKind.Released or TaskStateKind.Erred && dep.WhoWants.Count == 0 && dep.Waiters == 0)
            {
                if (dep.State == TaskStateKind.Erred)
                {
                    Recommend(dep, TaskStateKind.Released);
                }
                else if (dep.Dependents.Count == 0)
                {
                    Recommend(dep, TaskStateKind.Forgotten);
                }
            }
        }

        foreach (SchedulerTask dependent in t.Dependents)
        {
            if (dependent.State is TaskStateKind.Released or TaskStateKind.Erred && dependent.WhoWants.Count == 0)
            {
                Recommend(dependent, TaskStateKind.Forgotten);
            }
        }
    }

    private RemoteError KilledWorker(SchedulerTask t, WorkerState lastWorker) => new(
        typeof(KilledWorkerException).FullName!,
        $"Task {t.Key} was processing on {t.Suspicious} workers that died (the last one {lastWorker.Address}), more than allowed-failures = {_allowedFailures}; it probably crashes its worker or exhausts its memory.",
        null);

    private static RemoteError ScatteredDataLost(Key key) => new(
        typeof(InvalidOperationException).FullName!,
        $"The scattered data {key} was lost with the workers that held it, and scattered data cannot be recomputed; scatter it again.",
        null);

    private static void LeaveProcessing(SchedulerTask t)
    {
        WorkerState? w = t.ProcessingOn;
        if (w is not null)
        {
            w.Processing.Remove(t);
            w.Occupancy = Math.Max(0, w.Occupancy - t.EstimatedDuration);
        }

        t.ProcessingOn = null;
    }

    // Forgets a worker's copy of a key in memory and tells the worker to drop it.
    private bool RemoveReplica(SchedulerTask t, WorkerState worker)
    {
        if (!t.WhoHas.Remove(worker))
        {
            return false;
        }

        worker.HasWhat.Remove(t);
        worker.NBytes -= Math.Max(0, t.NBytes);
        _outbox.FreeKey(worker, t.Key);
        return true;
    }

    private static void AddReplica(SchedulerTask t, WorkerState worker)
    {
        if (!t.WhoHas.Contains(worker))
        {
            t.WhoHas.Add(worker);
            worker.HasWhat.Add(t);
            worker.NBytes += Math.Max(0, t.NBytes);
        }
    }

    /// <summary>
    /// The keys after which (with <paramref name="t"/>) every task that needs <paramref name="t"/>'s result
    /// goes to <paramref name="worker"/>: each of their other inputs is in memory there, or processing there
    /// (those are the keys); null when some input is elsewhere, or there are no dependents or too many
    /// (<see cref="Protocol.ComputeTask.DependentsAfter"/>).
    /// </summary>
    public static Key[]? DependentsAfter(SchedulerTask t, WorkerState worker)
    {
        if (t.Dependents.Count == 0 || t.Dependents.Count > MaxDependentsForHints)
        {
            return null;
        }

        List<Key>? after = null;
        foreach (SchedulerTask u in t.Dependents)
        {
            foreach (SchedulerTask d in u.Dependencies)
            {
                if (d == t || (d.State == TaskStateKind.Memory && d.WhoHas.Contains(worker)))
                {
                    continue;
                }

                if (d.State != TaskStateKind.Processing || d.ProcessingOn != worker)
                {
                    return null;
                }

                after ??= [];
                if (!after.Contains(d.Key))
                {
                    if (after.Count == MaxDependentsForHints)
                    {
                        return null;
                    }

                    after.Add(d.Key);
                }
            }
        }

        return after is null ? [] : [.. after];
    }

    /// <summary>
    /// Whether the scheduler will free one of <paramref name="t"/>'s inputs once the tasks on
    /// <paramref name="worker"/> that need it ran: no client wants it, and every task that still needs it
    /// is processing there (<see cref="Protocol.ComputeTask.FreesInputs"/>). Small inputs, and inputs with many
    /// dependents, are not looked at.
    /// </summary>
    public static bool FreesAnInput(SchedulerTask t, WorkerState worker)
    {
        foreach (SchedulerTask d in t.Dependencies)
        {
            if (d.NBytes < HintBytes || d.WhoWants.Count != 0 || d.Dependents.Count > MaxDependentsForHints)
            {
                continue;
            }

            bool allHere = true;
            foreach (SchedulerTask u in d.Dependents)
            {
                if (u.State is TaskStateKind.Waiting or TaskStateKind.Queued or TaskStateKind.NoWorker ||
                    (u.State == TaskStateKind.Processing && u.ProcessingOn != worker))
                {
                    allHere = false;
                    break;
                }
            }

            if (allHere)
            {
                return true;
            }
        }

        return false;
    }

    // Sends a task, and its queued partner (see PartnerOf) to the same worker.
    private void SendWithPartner(SchedulerTask t, SchedulerTask? partner, WorkerState worker)
    {
        SendToWorker(t, worker);
        if (partner is { State: TaskStateKind.Queued })
        {
            // Its entry in the queue is skipped once it is no longer queued.
            SendToWorker(partner, worker);
        }
    }

    // The root task that goes to one worker with root, as block (j, i) with block (i, j) in x + x.T: every
    // dependent of root needs exactly the two of them, and every dependent of the partner the same two. The
    // dependents then find both inputs on one worker, and neither block is copied to the other worker (where
    // each copy would live beside its original until both dependents ran). Null otherwise: a pairing that is
    // not mutual (b in a_i + b for every i) would pile every a_i onto b's worker past saturation.
    private static SchedulerTask? PartnerOf(SchedulerTask root)
    {
        if (root.Dependencies.Length != 0 || OnlyOtherInput(root) is not { } partner)
        {
            return null;
        }

        return OnlyOtherInput(partner) == root ? partner : null;
    }

    // The one other root input that every dependent of root has beside root, and nothing else; null at the
    // first dependent that does not have exactly two distinct inputs, both roots, or names another partner.
    private static SchedulerTask? OnlyOtherInput(SchedulerTask root)
    {
        SchedulerTask? partner = null;
        foreach (SchedulerTask dependent in root.Dependents)
        {
            if (dependent.Dependencies is not [var a, var b] || a == b)
            {
                return null;
            }

            SchedulerTask other = a == root ? b : a;
            if (other.Dependencies.Length != 0 || (partner is not null && other != partner))
            {
                return null;
            }

            partner = other;
        }

        return partner;
    }

    // The worker a task runs on, or the first that holds its result; null when neither.
    private static WorkerState? WhereIs(SchedulerTask t)
    {
        if (t.State == TaskStateKind.Processing)
        {
            return t.ProcessingOn;
        }

        if (t.State == TaskStateKind.Memory)
        {
            foreach (WorkerState w in t.WhoHas)
            {
                return w;
            }
        }

        return null;
    }

    // Dask's decide_worker: a task with inputs goes to the worker where it would start soonest (queued work
    // per thread, plus the time to fetch the inputs it lacks) among the workers that hold one of its inputs,
    // and to a worker that holds none only when what it would fetch is cheap (CheapTransferBytes) or when no
    // holder may take it (paused or retiring): estimated occupancy is too rough to send a block's reduction
    // away from the block. A root task goes to the least occupied worker with room for it (queuing).
    private WorkerState? DecideWorker(SchedulerTask t, SchedulerTask? partner)
    {
        if (_workers.Count == 0)
        {
            return null;
        }

        bool root = t.Dependencies.Length == 0;
        if (partner is not null && WhereIs(partner) is { Retiring: false, Paused: false, Closed: false } partnerWorker)
        {
            // Beside its partner, even on a saturated worker: one task more than saturation allows.
            return partnerWorker;
        }

        WorkerState? best = SoonestStart(t, root, farInputs: false);
        if (best is null && root)
        {
            return null;
        }

        // No holder of an input may take it: a running worker fetches them; when every worker is paused (or
        // retiring), the task waits on one that is not retiring.
        return best ?? SoonestStart(t, root, farInputs: true) ?? _workerList.Find(w => !w.Retiring);
    }

    // The running worker where the task would start soonest, starting at a rotating offset so that ties spread
    // work instead of piling it on the first worker; a worker that holds none of the task's inputs and would
    // fetch more than CheapTransferBytes only with farInputs.
    private WorkerState? SoonestStart(SchedulerTask t, bool root, bool farInputs)
    {
        WorkerState? best = null;
        double bestCost = double.MaxValue;
        int n = _workerList.Count;
        int offset = _roundRobin++ % n;
        for (int i = 0; i < n; i++)
        {
            WorkerState w = _workerList[(offset + i) % n];
            if (w.Retiring || w.Paused || (root && IsSaturated(w, t)))
            {
                continue;
            }

            long missing = MissingBytes(t, w, out bool holdsAnInput);
            if (!farInputs && !holdsAnInput && missing > CheapTransferBytes)
            {
                continue;
            }

            double cost = Cost(w, missing);
            if (cost < bestCost)
            {
                (best, bestCost) = (w, cost);
            }
        }

        return best;
    }

    // A restricted task goes to the cheapest worker that meets its restrictions (preferring the named
    // workers when others are allowed too), never queued: withholding is for unrestricted root tasks.
    private WorkerState? DecideRestrictedWorker(SchedulerTask t, TaskRestrictions restrictions)
    {
        WorkerState? best = Cheapest(t, restrictions, anyWorker: false);
        if (best is null && restrictions.AllowOtherWorkers)
        {
            best = Cheapest(t, restrictions, anyWorker: true);
        }

        return best;
    }

    private WorkerState? Cheapest(SchedulerTask t, TaskRestrictions restrictions, bool anyWorker)
    {
        WorkerState? best = null;
        double bestCost = double.MaxValue;
        int n = _workerList.Count;
        int offset = n == 0 ? 0 : _roundRobin++ % n;
        for (int i = 0; i < n; i++)
        {
            WorkerState w = _workerList[(offset + i) % n];
            if (!w.Retiring && restrictions.Admits(w, anyWorker))
            {
                double cost = Cost(t, w);
                if (cost < bestCost)
                {
                    (best, bestCost) = (w, cost);
                }
            }
        }

        return best;
    }

    private static double Cost(SchedulerTask t, WorkerState w) => Cost(w, MissingBytes(t, w, out _));

    // When a task would start on w: its queued work per thread, plus the time to fetch what it lacks.
    private static double Cost(WorkerState w, long missingBytes) => (w.Occupancy / w.Threads) + (missingBytes / BandwidthBytesPerSecond);

    // Whether w holds every input of t (no closure: this runs for every task sent).
    private static bool HoldsAll(SchedulerTask t, WorkerState w)
    {
        foreach (SchedulerTask dep in t.Dependencies)
        {
            if (!dep.WhoHas.Contains(w))
            {
                return false;
            }
        }

        return true;
    }

    // The estimated time to move the inputs of a task that a worker does not hold to it.
    private static double TransferSeconds(SchedulerTask t, WorkerState w) => MissingBytes(t, w, out _) / BandwidthBytesPerSecond;

    // The bytes of the task's inputs that a worker does not hold, and whether it holds any.
    private static long MissingBytes(SchedulerTask t, WorkerState w, out bool holdsAny)
    {
        long missing = 0;
        holdsAny = false;
        foreach (SchedulerTask dep in t.Dependencies)
        {
            if (dep.WhoHas.Contains(w))
            {
                holdsAny = true;
            }
            else
            {
                missing += Math.Max(0, dep.NBytes);
            }
        }

        return missing;
    }

    // Root-task queuing (Dask's worker-saturation), by expected occupancy: a worker has room for another root
    // task while it has fewer than saturation × threads tasks, or, for a task whose prefix ran shorter than
    // the round trip to the worker, while the work expected of its tasks in flight (their prefixes' measured
    // durations) does not cover two round trips per thread: the time between a thread finishing a task and
    // the next one arriving. Long tasks (and those of a prefix never run) stay at saturation × threads;
    // short ones go out as many as it takes to keep the worker busy, so trivial tasks are not limited by the
    // round trip.
    private bool IsSaturated(WorkerState w, SchedulerTask root)
    {
        if (double.IsPositiveInfinity(_saturation))
        {
            return false;
        }

        int allowed = (int)Math.Ceiling(w.Threads * _saturation);
        if (w.Processing.Count < allowed)
        {
            return false;
        }

        if (!_durations.TryGetValue(root.Prefix, out double duration) || duration >= w.RoundTrip)
        {
            return true;
        }

        return w.Occupancy >= w.Threads * RoundTripsCovered * w.RoundTrip;
    }

    // Sends a worker queued root tasks, in priority order, while it has room for the next one.
    private void FillFromQueue(WorkerState worker)
    {
        while (!worker.Closed && !worker.Retiring && !worker.Paused && _queued.TryPeek(out SchedulerTask? t, out _))
        {
            if (t.State != TaskStateKind.Queued)
            {
                _queued.Dequeue();
                continue;
            }

            if (IsSaturated(worker, t))
            {
                break;
            }

            _queued.Dequeue();
            SendWithPartner(t, PartnerOf(t), worker);
        }

        Settle();
    }

    // One string per prefix however many tasks share it (the keys' names are separate strings per decoded
    // message); the last name asked for is remembered, since a graph's tasks come grouped by name.
    private string PrefixOf(Key key)
    {
        string name = key.Name;
        if (!string.Equals(name, _lastName, StringComparison.Ordinal))
        {
            string prefix = KeyNames.Split(name);
            if (!_prefixes.TryGetValue(prefix, out string? shared))
            {
                shared = prefix;
                _prefixes.Add(prefix, shared);
            }

            (_lastName, _lastPrefix) = (name, shared);
        }

        return _lastPrefix;
    }

    private void UpdateDuration(string prefix, double seconds)
    {
        _durations[prefix] = _durations.TryGetValue(prefix, out double old) ? (0.5 * old) + (0.5 * seconds) : seconds;
    }
}
