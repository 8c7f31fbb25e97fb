namespace Tessera.Distributed;

/// <summary>
/// A read-only picture of a scheduler at one moment (what the dashboard shows): task counts by state
/// and by task prefix, the workers, and counters since the scheduler started.
/// </summary>
/// <remarks>Taken on the scheduler's event loop between two events, so its numbers are consistent with each other.</remarks>
public sealed record SchedulerSnapshot
{
    /// <summary>Gets when the snapshot was taken.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the scheduler's address.</summary>
    public required string Address { get; init; }

    /// <summary>Gets the tasks the scheduler tracks, counted by state.</summary>
    public required TaskStateCounts Tasks { get; init; }

    /// <summary>Gets the tasks counted by state for each task prefix (the key name without its token, as in <c>inc</c> for <c>inc-9f3ac1</c>), in order of first appearance.</summary>
    public required IReadOnlyList<TaskPrefixProgress> Prefixes { get; init; }

    /// <summary>Gets the connected workers, ordered by address.</summary>
    public required IReadOnlyList<WorkerSnapshot> Workers { get; init; }

    /// <summary>Gets the number of connected clients.</summary>
    public required int Clients { get; init; }

    /// <summary>Gets how many task runs finished on workers since the scheduler started (stale runs included).</summary>
    public required long TasksFinished { get; init; }

    /// <summary>Gets how many task runs failed on workers since the scheduler started.</summary>
    public required long TasksErred { get; init; }

    /// <summary>Gets how long the request for this snapshot waited in the event loop's queue: the loop's latency at that moment.</summary>
    public required TimeSpan EventLoopLatency { get; init; }
}

/// <summary>Numbers of tasks in each scheduler state (see <see cref="Scheduler.TaskStateKind"/>).</summary>
/// <param name="Released">Known and holding no data, not needed now.</param>
/// <param name="Waiting">Waiting for dependencies.</param>
/// <param name="NoWorker">Ready, with no worker that can run them.</param>
/// <param name="Queued">Ready and withheld on the scheduler (root-task queuing).</param>
/// <param name="Processing">Sent to a worker.</param>
/// <param name="Memory">Results held by workers.</param>
/// <param name="Erred">Failed, or depending on a failed task.</param>
public sealed record TaskStateCounts(int Released, int Waiting, int NoWorker, int Queued, int Processing, int Memory, int Erred)
{
    /// <summary>Gets the number of tasks in all states.</summary>
    public int Total => Released + Waiting + NoWorker + Queued + Processing + Memory + Erred;
}

/// <summary>The tasks of one task prefix, counted by state: one bar of the dashboard's progress view.</summary>
/// <param name="Prefix">The task prefix (the key name without its token).</param>
/// <param name="Counts">The tasks counted by state.</param>
public sealed record TaskPrefixProgress(string Prefix, TaskStateCounts Counts);

/// <summary>A worker as the scheduler sees it, with the metrics of its last heartbeat.</summary>
/// <param name="Address">The worker's address.</param>
/// <param name="Name">The worker's name.</param>
/// <param name="Threads">The threads that run tasks.</param>
/// <param name="MemoryLimit">The memory limit it registered with, in bytes (0: none).</param>
/// <param name="MemoryBytes">Its process memory in bytes, as of its last heartbeat.</param>
/// <param name="StoredBytes">The bytes of data it holds, as of its last heartbeat.</param>
/// <param name="ManagedBytes">The bytes of the results the scheduler knows it holds.</param>
/// <param name="Processing">The tasks the scheduler sent it that have not finished.</param>
/// <param name="Executing">The tasks running on it, as of its last heartbeat.</param>
/// <param name="KeysHeld">The results it holds, as the scheduler knows.</param>
/// <param name="Occupancy">The estimated seconds of work sent to it and not finished.</param>
/// <param name="SinceLastSeen">The time since its last heartbeat (or registration).</param>
/// <param name="KeysIn">The inputs it fetched from other workers since it started, as of its last heartbeat.</param>
/// <param name="BytesIn">Their serialized bytes.</param>
/// <param name="KeysOut">The values it sent to other workers and to clients since it started, as of its last heartbeat.</param>
/// <param name="BytesOut">Their serialized bytes.</param>
/// <param name="CpuPercent">Its process's CPU use between its last two heartbeats, in percent of one core (Dask's <c>cpu</c>; above 100 on several cores).</param>
/// <param name="SpilledBytes">The serialized bytes of the results it spilled to disk, as of its last heartbeat.</param>
public sealed record WorkerSnapshot(
    string Address,
    string? Name,
    int Threads,
    long MemoryLimit,
    long MemoryBytes,
    long StoredBytes,
    long ManagedBytes,
    int Processing,
    int Executing,
    int KeysHeld,
    double Occupancy,
    TimeSpan SinceLastSeen,
    long KeysIn = 0,
    long BytesIn = 0,
    long KeysOut = 0,
    long BytesOut = 0,
    double CpuPercent = 0,
    long SpilledBytes = 0);

/// <summary>What a <see cref="TaskStreamRecord"/> shows: a task run, or data a worker moved.</summary>
public enum TaskStreamKind : byte
{
    /// <summary>A task ran (drawn in its prefix's colour).</summary>
    Compute = 0,

    /// <summary>A worker fetched inputs from another worker, <see cref="TaskStreamRecord.Peer"/> (Dask draws these in red).</summary>
    Transfer = 1,

    /// <summary>A worker spilled results to disk (Dask's <c>disk-write</c>, orange).</summary>
    DiskWrite = 2,

    /// <summary>A worker read spilled results back from disk, to run a task or to send them (Dask's <c>disk-read</c>).</summary>
    DiskRead = 3,
}

/// <summary>One bar of the task stream: a finished task run, or a transfer or disk write or read on a worker.</summary>
/// <param name="Sequence">The record's number (1 for the first record of this scheduler's task stream).</param>
/// <param name="Worker">The address of the worker that ran the task (received the data, wrote or read the disk).</param>
/// <param name="Thread">The worker thread row a task run is drawn on (0 to threads - 1), assigned by the scheduler from the times; 0 for the other kinds, which run on no task thread.</param>
/// <param name="Key">The task's key; for the other kinds the first key moved.</param>
/// <param name="Prefix">The key's prefix.</param>
/// <param name="Start">When it started, in seconds since the Unix epoch, on the scheduler's clock.</param>
/// <param name="Stop">When it stopped, in seconds since the Unix epoch, on the scheduler's clock.</param>
/// <param name="Kind">A task run, a transfer, a disk write or a disk read.</param>
/// <param name="Peer">For a transfer, the worker the data came from; otherwise null.</param>
/// <param name="Bytes">For a transfer or a disk write or read, the serialized bytes moved; 0 for a task run.</param>
/// <param name="KeyCount">How many keys: 1 for a task run; for the other kinds, how many were moved together.</param>
/// <remarks>
/// Workers report how long a task ran; the scheduler takes the arrival of that report as the stop time and
/// subtracts the duration for the start, so the times share one clock and are late by the message's travel
/// time (well under a millisecond on one machine). Transfers and disk writes and reads come with the worker's
/// next heartbeat (up to a second later), timed relative to the heartbeat, and are placed on the same clock.
/// </remarks>
public readonly record struct TaskStreamRecord(
    long Sequence,
    string Worker,
    int Thread,
    string Key,
    string Prefix,
    double Start,
    double Stop,
    TaskStreamKind Kind = TaskStreamKind.Compute,
    string? Peer = null,
    long Bytes = 0,
    int KeyCount = 1);
