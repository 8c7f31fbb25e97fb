using Tessera.Graphs;

namespace Tessera.Distributed.Scheduler;

/// <summary>The states a task goes through on the scheduler (Dask's scheduler task states).</summary>
public enum TaskStateKind
{
    /// <summary>Known, not needed now or not yet asked for; holds no data.</summary>
    Released,

    /// <summary>Needed; waits for dependencies to be in memory.</summary>
    Waiting,

    /// <summary>Ready, but no worker can run it (none connected, or none meets its restrictions).</summary>
    NoWorker,

    /// <summary>Ready, withheld on the scheduler until a worker has room (root-task queuing).</summary>
    Queued,

    /// <summary>Sent to a worker, which is running it or about to.</summary>
    Processing,

    /// <summary>Its result is held by one or more workers.</summary>
    Memory,

    /// <summary>It, or a task it depends on, failed.</summary>
    Erred,

    /// <summary>Dropped: no client wants it and nothing depends on it.</summary>
    Forgotten,
}

/// <summary>An error carried from a worker to clients: the original exception's type, message and stack trace.</summary>
/// <param name="TypeName">The full name of the exception type on the worker.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The remote stack trace.</param>
public sealed record RemoteError(string TypeName, string Message, string? StackTrace);

/// <summary>An amount of an abstract resource (<c>GPU</c>, <c>MEM</c>, …): what a worker has, or what a task needs while it runs.</summary>
/// <param name="Name">The resource's name, compared case-sensitively.</param>
/// <param name="Amount">The amount.</param>
internal readonly record struct ResourceAmount(string Name, double Amount);

/// <summary>Where a task may run (Dask's worker and resource restrictions).</summary>
/// <param name="Workers">The addresses or names of the workers it may run on; empty for any worker.</param>
/// <param name="AllowOtherWorkers">Whether <paramref name="Workers"/> is only a preference: when none of them is connected, any worker will do.</param>
/// <param name="Resources">What it needs from a worker while it runs; it runs only on workers that have that much.</param>
internal sealed record TaskRestrictions(string[] Workers, bool AllowOtherWorkers, ResourceAmount[] Resources)
{
    /// <summary>Tells whether <paramref name="worker"/> has the resources at all, and is one of the named workers (unless <paramref name="anyWorker"/>).</summary>
    public bool Admits(WorkerState worker, bool anyWorker)
    {
        foreach (ResourceAmount need in Resources)
        {
            if (worker.Resources.GetValueOrDefault(need.Name) < need.Amount)
            {
                return false;
            }
        }

        return anyWorker || Workers.Length == 0 || Array.IndexOf(Workers, worker.Address) >= 0 || (worker.Name is { } name && Array.IndexOf(Workers, name) >= 0);
    }
}

/// <summary>One task as the scheduler tracks it.</summary>
/// <remarks>
/// A scheduler may hold millions of these, so the object is kept small: the lists are
/// <see cref="CompactList{T}"/> fields (most hold zero or one item), and what only failed, retried,
/// restricted or scattered tasks need lives in a side record allocated on first use.
/// </remarks>
internal sealed class SchedulerTask(Key key, object? spec, long priority, string prefix)
{
    /// <summary>The clients that want the result.</summary>
    public CompactList<ClientState> WhoWants;

    /// <summary>The workers that hold the result.</summary>
    public CompactList<WorkerState> WhoHas;

    /// <summary>The tasks that depend on this one.</summary>
    public CompactList<SchedulerTask> Dependents;

    private RareFields? _rare;

    public Key Key { get; } = key;

    /// <summary>The serialized run specification; opaque to the scheduler.</summary>
    public object? Spec { get; set; } = spec;

    /// <summary>The function table of the graph the task came with, when its specification refers to its functions by hash.</summary>
    public GraphFunctions? Functions { get; set; }

    public long Priority { get; set; } = priority;

    public TaskStateKind State { get; set; } = TaskStateKind.Released;

    public SchedulerTask[] Dependencies { get; set; } = [];

    /// <summary>Dependencies not in memory (meaningful while waiting).</summary>
    public int WaitingOn { get; set; }

    /// <summary>Dependents that are waiting, queued, no-worker or processing: they still need this result.</summary>
    public int Waiters { get; set; }

    public WorkerState? ProcessingOn { get; set; }

    public long NBytes { get; set; } = -1;

    /// <summary>The key's prefix (<see cref="Key.Prefix"/>), one shared string per prefix.</summary>
    public string Prefix { get; } = prefix;

    public double EstimatedDuration { get; set; }

    /// <summary>The code session of the client that submitted the task: workers decode its specification in it.</summary>
    public int Session { get; set; }

    /// <summary>The id of the task's latest run sent to a worker: reports of older runs are stale.</summary>
    public long RunId { get; set; }

    public int RetriesLeft
    {
        get => _rare?.RetriesLeft ?? 0;
        set => Rare(value != 0)?.RetriesLeft = value;
    }

    public RemoteError? Error
    {
        get => _rare?.Error;
        set => Rare(value is not null)?.Error = value;
    }

    /// <summary>The task whose failure made this one fail (itself when it failed on its own).</summary>
    public SchedulerTask? ErredOn
    {
        get => _rare?.ErredOn;
        set => Rare(value is not null)?.ErredOn = value;
    }

    /// <summary>Whether a client stored the data itself (scatter): there is no lineage to recompute it from.</summary>
    public bool Scattered
    {
        get => _rare?.Scattered ?? false;
        set => Rare(value)?.Scattered = value;
    }

    /// <summary>Where the task may run; null for anywhere (most tasks).</summary>
    public TaskRestrictions? Restrictions
    {
        get => _rare?.Restrictions;
        set => Rare(value is not null)?.Restrictions = value;
    }

    /// <summary>How many workers died while the task was processing on them (Dask's <c>suspicious</c>).</summary>
    public int Suspicious
    {
        get => _rare?.Suspicious ?? 0;
        set => Rare(value != 0)?.Suspicious = value;
    }

    public override string ToString() => $"{Key} ({State})";

    // The side record, created when a value other than the default is stored; null when storing the default into none.
    private RareFields? Rare(bool create) => create ? _rare ??= new RareFields() : _rare;

    /// <summary>The fields that most tasks never set.</summary>
    private sealed class RareFields
    {
        public int RetriesLeft { get; set; }

        public RemoteError? Error { get; set; }

        public SchedulerTask? ErredOn { get; set; }

        public bool Scattered { get; set; }

        public TaskRestrictions? Restrictions { get; set; }

        public int Suspicious { get; set; }
    }
}

/// <summary>
/// A graph's function table as the scheduler keeps it (shared by the graph's tasks, and dropped with the
/// last of them): the function payloads that the tasks' specifications refer to by hash, and the workers
/// that were given them.
/// </summary>
internal sealed class GraphFunctions(byte[][] payloads, UInt128[] hashes)
{
    private CompactList<WorkerState> _sentTo;

    /// <summary>Gets the payloads.</summary>
    public byte[][] Payloads { get; } = payloads;

    /// <summary>Gets the payloads' content hashes as the client computed them, in the same order.</summary>
    public UInt128[] Hashes { get; } = hashes;

    /// <summary>Records that the table goes to <paramref name="worker"/> now; false when it went there before.</summary>
    public bool MarkSentTo(WorkerState worker)
    {
        if (_sentTo.Contains(worker))
        {
            return false;
        }

        _sentTo.Add(worker);
        return true;
    }
}

/// <summary>A worker as the scheduler sees it.</summary>
internal sealed class WorkerState(string address, int threads, string? name = null, IReadOnlyDictionary<string, double>? resources = null)
{
    private static readonly Dictionary<string, double> s_noResources = new(StringComparer.Ordinal);

    // The heartbeats' unmanaged memory within the recent-to-old time, each older one only while it is smaller
    // than every later one, so the first is the least.
    private readonly LinkedList<(long At, long Bytes)> _unmanaged = new();

    public string Address { get; } = address;

    public int Threads { get; } = threads;

    /// <summary>The name the worker registered with, which task restrictions may use instead of its address.</summary>
    public string? Name { get; } = name;

    /// <summary>The abstract resources the worker has (all of them; the worker counts what its running tasks use).</summary>
    public IReadOnlyDictionary<string, double> Resources { get; } = resources ?? s_noResources;

    public HashSet<SchedulerTask> Processing { get; } = [];

    public HashSet<SchedulerTask> HasWhat { get; } = [];

    /// <summary>The estimated seconds of work sent and not finished.</summary>
    public double Occupancy { get; set; }

    /// <summary>
    /// The seconds between sending a task to the worker while it was idle and its report arriving, less the
    /// task's run: an estimate that follows shorter measurements at once and longer ones slowly.
    /// </summary>
    public double RoundTrip { get; set; }

    /// <summary>The run whose report measures <see cref="RoundTrip"/> next (0: none), sent at <see cref="ProbeSent"/>.</summary>
    public long ProbeRunId { get; set; }

    /// <summary>When the run <see cref="ProbeRunId"/> was sent, in the scheduler clock's timestamps.</summary>
    public long ProbeSent { get; set; }

    public long NBytes { get; set; }

    public bool Closed { get; set; }

    /// <summary>Whether the worker is being retired: it gets no new tasks and takes no copies, and closes once the keys only it holds are elsewhere.</summary>
    public bool Retiring { get; set; }

    /// <summary>Whether the worker said it paused (memory above its pause threshold) and has not resumed: it gets new tasks only when every worker is paused.</summary>
    public bool Paused { get; set; }

    /// <summary>The tasks running on the worker, as of its last heartbeat.</summary>
    public int Executing { get; set; }

    /// <summary>The bytes of data the worker holds, as of its last heartbeat.</summary>
    public long StoredBytes { get; set; }

    /// <summary>The worker process's memory in bytes, as of its last heartbeat.</summary>
    public long MemoryBytes { get; set; }

    /// <summary>The worker's memory limit in bytes (0: none), which a rebalance's thresholds are fractions of.</summary>
    public long MemoryLimit { get; set; }

    /// <summary>Whether the worker is its process's only worker, so <see cref="MemoryBytes"/> is its own memory (workers inside one process all report that process's).</summary>
    public bool OwnsProcess { get; set; }

    /// <summary>The worker's data transfers since it started, as of its last heartbeat.</summary>
    public Protocol.TransferCounts Transfers { get; set; }

    /// <summary>The worker process's CPU use in percent of one core, as of its last heartbeat.</summary>
    public double CpuPercent { get; set; }

    /// <summary>The bytes of results the worker spilled to disk, as of its last heartbeat.</summary>
    public long SpilledBytes { get; set; }

    /// <summary>Gets the bytes of the results the worker holds in memory: all it holds less what it spilled (Dask's managed memory).</summary>
    public long ManagedBytes => Math.Max(0, NBytes - SpilledBytes);

    /// <summary>
    /// Gets the least unmanaged memory (process memory less <see cref="ManagedBytes"/>) among the heartbeats of
    /// the last recent-to-old time (Dask's <c>unmanaged_old</c>): what grew since is recent, and expected to be freed.
    /// </summary>
    public long UnmanagedOld => _unmanaged.First?.Value.Bytes ?? 0;

    /// <summary>
    /// Records a heartbeat's memory figures: the process memory and spilled bytes, and the unmanaged memory
    /// that <see cref="UnmanagedOld"/> keeps for <paramref name="recentToOld"/>.
    /// </summary>
    /// <param name="processBytes">The process memory reported.</param>
    /// <param name="spilledBytes">The bytes of results on disk reported.</param>
    /// <param name="now">The scheduler's clock now, in milliseconds.</param>
    /// <param name="recentToOld">How long a figure counts.</param>
    public void RecordMemory(long processBytes, long spilledBytes, long now, TimeSpan recentToOld)
    {
        (MemoryBytes, SpilledBytes) = (processBytes, spilledBytes);
        long unmanaged = Math.Max(0, processBytes - ManagedBytes);
        while (_unmanaged.First is { } first && first.Value.At < now - (long)recentToOld.TotalMilliseconds)
        {
            _unmanaged.RemoveFirst();
        }

        while (_unmanaged.Last is { } last && last.Value.Bytes >= unmanaged)
        {
            _unmanaged.RemoveLast();
        }

        _unmanaged.AddLast((now, unmanaged));
    }

    public override string ToString() => Address;
}

/// <summary>A connected client: the keys it wants.</summary>
internal sealed class ClientState(string id)
{
    public string Id { get; } = id;

    public HashSet<SchedulerTask> WantsWhat { get; } = [];

    /// <summary>The client's code session number (0 for the scheduler's pseudo-clients): its tasks are decoded in it.</summary>
    public int Session { get; set; }

    public override string ToString() => Id;
}

/// <summary>One task of a graph update: its key, its run specification and the keys it depends on.</summary>
/// <param name="Key">The key.</param>
/// <param name="Spec">The run specification (opaque to the scheduler).</param>
/// <param name="Dependencies">The keys whose results the task needs.</param>
/// <param name="Order">The static priority from the client's ordering (0 runs first).</param>
/// <param name="Retries">How many times the task is retried after a failure.</param>
/// <param name="Restrictions">Where the task may run; null for anywhere.</param>
/// <param name="Functions">The graph's function table, when the specification refers to its functions by hash.</param>
internal sealed record TaskSubmission(Key Key, object? Spec, Key[] Dependencies, int Order, int Retries = 0, TaskRestrictions? Restrictions = null, GraphFunctions? Functions = null);

/// <summary>A value a client stored on workers itself (scatter).</summary>
/// <param name="Key">The key.</param>
/// <param name="WhoHas">The addresses of the workers that hold it.</param>
/// <param name="NBytes">Its size in bytes.</param>
internal sealed record ScatteredData(Key Key, string[] WhoHas, long NBytes);

/// <summary>
/// A worker could not get a task's input from a peer (the peer died, or no longer holds it). It travels as
/// a <see cref="RemoteError"/> of a task's run, so the protocol needs no message of its own: the type
/// name marks it, and the peer's address is where a stack trace would be.
/// </summary>
internal static class MissingDataReport
{
    /// <summary>The type name that marks the report.</summary>
    public const string TypeName = "Tessera.Distributed.MissingData";

    /// <summary>Makes the report.</summary>
    /// <param name="peerAddress">The peer that did not give the data.</param>
    /// <param name="reason">What went wrong, for logs.</param>
    public static RemoteError Create(string peerAddress, string reason) => new(TypeName, reason, peerAddress);

    /// <summary>Tells whether an error is such a report, and the peer it names.</summary>
    public static bool TryRead(RemoteError error, out string peerAddress)
    {
        peerAddress = error.StackTrace ?? string.Empty;
        return error.TypeName == TypeName && peerAddress.Length > 0;
    }
}

/// <summary>What the scheduler's state machine asks its connections to send.</summary>
internal interface ISchedulerOutbox
{
    /// <summary>Asks a worker to run a task whose dependencies are all in memory somewhere.</summary>
    void ComputeTask(WorkerState worker, SchedulerTask task);

    /// <summary>Tells a worker it may drop a key's data.</summary>
    void FreeKey(WorkerState worker, Key key);

    /// <summary>Tells a client that a key it wants is in memory.</summary>
    void KeyInMemory(ClientState client, SchedulerTask task);

    /// <summary>Tells a client that a key it wants failed.</summary>
    void KeyErred(ClientState client, SchedulerTask task);

    /// <summary>Asks a worker to give up the current run of a task it has not started (work stealing); it answers whether it did.</summary>
    void StealRequest(WorkerState worker, SchedulerTask task);
}
