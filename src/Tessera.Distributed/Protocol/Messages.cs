using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Protocol;

/// <summary>The operations of Tessera's control protocol; the first field of every message.</summary>
internal enum Op : byte
{
    RegisterClient = 1,
    RegisterWorker = 2,
    UpdateGraph = 3,
    ReleaseKeys = 4,
    KeyInMemory = 5,
    KeyErred = 6,
    ComputeTask = 7,
    FreeKeys = 8,
    TaskFinished = 9,
    TaskErred = 10,
    GetData = 11,
    Data = 12,
    Heartbeat = 13,
    Close = 14,
    Welcome = 15,
    FireAndForget = 16,
    GetWorkers = 17,
    WorkerList = 18,
    UpdateData = 19,
    DataStored = 20,
    ScatteredKeys = 21,
    RunFunction = 22,
    RunResult = 23,
    UploadCode = 24,
    CodeUploaded = 25,
    LoadCode = 26,
    CodeLoaded = 27,
    EndSession = 28,
    AddKeys = 29,
    Restart = 30,
    RestartDone = 31,
    ClusterRestarted = 32,
    RestartWorker = 33,
    GetTaskStream = 34,
    TaskStream = 35,
    StealRequest = 36,
    StealResponse = 37,

    // Moving data between workers (Dask's retire_workers, replicate, rebalance, who_has).
    RetireWorkers = 200,
    ReplicateKeys = 201,
    RebalanceKeys = 202,
    MoveDone = 203,
    AcquireReplicas = 204,
    ReplicasAcquired = 205,
    GetWhoHas = 206,
    WhoHasList = 207,

    // Function tables (a graph's function payloads travel once, not in every task).
    ShipFunctions = 220,

    // A worker's memory state.
    WorkerPaused = 230,

    // A worker's nanny (Dask's Nanny): the scheduler has it restart its worker's process.
    RegisterNanny = 240,
    RestartWorkerProcess = 241,
}

/// <summary>The scheduler's answer to a client's request: the client completes the request <see cref="RequestId"/> names.</summary>
internal interface IReply
{
    long RequestId { get; }
}

/// <summary>A request only a registered client makes: the scheduler ignores it from a worker, or from a peer that has not registered.</summary>
internal interface IClientRequest;

/// <summary>A control message; encoded by <see cref="MessageCodec"/>.</summary>
internal abstract record Message(Op Op);

/// <summary>A client introduces itself to the scheduler.</summary>
internal sealed record RegisterClient(string ClientId) : Message(Op.RegisterClient);

/// <summary>
/// A worker introduces itself to the scheduler; <paramref name="Address"/> is where peers reach it; <paramref name="Resources"/> are the abstract resources it has;
/// <paramref name="OwnsProcess"/>: it is its process's only worker, so the process memory its heartbeats report is its own (a rebalance weighs it).
/// </summary>
internal sealed record RegisterWorker(string Address, int Threads, long MemoryLimit, string Name, ResourceAmount[]? Resources = null, bool OwnsProcess = false) : Message(Op.RegisterWorker);

/// <summary>
/// The scheduler accepts a registration. A client learns its code session number: it names the
/// client's uploaded code on workers, and travels with its requests to workers.
/// </summary>
internal sealed record Welcome(string SchedulerId, int Session = 0) : Message(Op.Welcome);

/// <summary>One task of a graph as a client submits it: the serialized node is opaque to the scheduler.</summary>
internal sealed record WireTask(Key Key, byte[] Spec, Key[] Dependencies, int Order, int Retries, TaskRestrictions? Restrictions = null);

/// <summary>
/// A client submits tasks and says which keys it wants. <paramref name="Functions"/> is the graph's
/// function table: the payloads that its tasks' specifications refer to by content hash instead of
/// carrying them (null when the specifications carry their functions), and <paramref name="FunctionHashes"/>
/// their hashes as the client computed them, in the same order (passed on, never computed again).
/// </summary>
internal sealed record UpdateGraph(WireTask[] Tasks, Key[] Wanted, byte[][]? Functions = null, UInt128[]? FunctionHashes = null) : Message(Op.UpdateGraph);

/// <summary>
/// The scheduler gives a worker a function table before the first task that refers to it: the worker
/// keeps the payloads for the client's code <paramref name="Session"/> until the session ends, by the hashes
/// the client computed (<paramref name="Hashes"/>, in the same order).
/// </summary>
internal sealed record ShipFunctions(int Session, byte[][] Payloads, UInt128[] Hashes) : Message(Op.ShipFunctions);

/// <summary>A client no longer wants these keys.</summary>
internal sealed record ReleaseKeys(Key[] Keys) : Message(Op.ReleaseKeys);

/// <summary>
/// The scheduler tells a client that a key is ready and where it lives; <paramref name="Value"/> is the
/// serialized result when the worker sent a small one with <see cref="TaskFinished"/> (then the client
/// need not fetch it), else null.
/// </summary>
internal sealed record KeyInMemory(Key Key, string[] WhoHas, long NBytes, byte[]? Value = null) : Message(Op.KeyInMemory);

/// <summary>The scheduler tells a client that a key failed, because of <paramref name="ErredOn"/>.</summary>
internal sealed record KeyErred(Key Key, Key ErredOn, RemoteError Error) : Message(Op.KeyErred);

/// <summary>Where a dependency's data can be fetched.</summary>
internal sealed record DependencyLocation(Key Key, string[] WhoHas, long NBytes);

/// <summary>
/// The scheduler asks a worker to run a task. <paramref name="Session"/> is the code session of the
/// client that submitted it (0: the worker's own application code); <paramref name="Resources"/> what it
/// uses of the worker's abstract resources while it runs (null: nothing). <paramref name="RunId"/> names
/// this run of the key: the worker echoes it, so that the scheduler can tell a stale run's report (of a
/// key cancelled and submitted again) from the current one. Two hints let the worker finish work before it
/// starts a root task, which makes new memory: <paramref name="DependentsAfter"/>, every task that needs
/// this one's result will be sent here once it and the tasks of these keys (on this worker too) finished,
/// null when not; <paramref name="FreesInputs"/>, every task that still needs one of its inputs was sent
/// here and no client wants that input, so a <see cref="FreeKeys"/> for it follows once they all ran.
/// </summary>
internal sealed record ComputeTask(Key Key, byte[] Spec, DependencyLocation[] Dependencies, long Priority, int Session = 0, ResourceAmount[]? Resources = null, long RunId = 0, Key[]? DependentsAfter = null, bool FreesInputs = false) : Message(Op.ComputeTask);

/// <summary>The scheduler tells a worker that it may drop these keys.</summary>
internal sealed record FreeKeys(Key[] Keys) : Message(Op.FreeKeys);

/// <summary>
/// A worker finished a task (the run <paramref name="RunId"/> of <see cref="ComputeTask"/>) and holds its
/// result; <paramref name="Value"/> is the serialized result when it is small (below
/// <see cref="Runtime.WorkerServer.InlineResultLimit"/>), which the scheduler passes on to the clients
/// that want the key, else null.
/// </summary>
internal sealed record TaskFinished(Key Key, long NBytes, double DurationSeconds, long RunId = 0, byte[]? Value = null) : Message(Op.TaskFinished);

/// <summary>
/// The scheduler asks a worker to give up the run <paramref name="RunId"/> of a task that it has not
/// started (work stealing); the worker answers with <see cref="StealResponse"/>.
/// </summary>
internal sealed record StealRequest(Key Key, long RunId) : Message(Op.StealRequest);

/// <summary>
/// A worker's answer to <see cref="StealRequest"/>: <paramref name="Stolen"/> when it dropped the run
/// before it started (the scheduler sends the task elsewhere), false when the run is running, done, or
/// not the current one (the worker goes on as if it had not been asked).
/// </summary>
internal sealed record StealResponse(Key Key, long RunId, bool Stolen) : Message(Op.StealResponse);

/// <summary>A worker fetched copies of these keys from peers (inputs of its tasks) and holds them now.</summary>
internal sealed record AddKeys(Key[] Keys) : Message(Op.AddKeys);

/// <summary>A worker's task (the run <paramref name="RunId"/> of <see cref="ComputeTask"/>) threw.</summary>
internal sealed record TaskErred(Key Key, RemoteError Error, long RunId = 0) : Message(Op.TaskErred);

/// <summary>A peer (worker or client) asks a worker for data.</summary>
internal sealed record GetData(long RequestId, Key[] Keys) : Message(Op.GetData);

/// <summary>
/// A worker answers <see cref="GetData"/>: the serialized values, and the keys it does not have; or,
/// when a value it holds cannot be serialized, the error, which fails the request.
/// </summary>
/// <remarks>
/// A value's out-of-band buffers may alias the sender's arrays (sent without a copy) and, on the
/// receiving side, buffers of <see cref="Comm.ReceiveBuffers"/>, which the receiver hands back once it
/// has decoded the values (<see cref="Comm.ReceiveBuffers.Return(SerializedMessage)"/>).
/// </remarks>
internal sealed record Data(long RequestId, Key[] Keys, SerializedMessage[] Values, Key[] Missing, RemoteError? Error = null) : Message(Op.Data);

/// <summary>
/// A worker's liveness signal, sent every heartbeat interval, with its metrics: tasks running now,
/// bytes of results and inputs it holds, its process's memory (resident set) in bytes, and since it
/// started: the inputs it fetched from peers and the values it sent (to peers and clients), with their
/// serialized bytes; the lines it logged since its previous heartbeat (null: none); its process's CPU use
/// since its previous heartbeat (percent of one core); the bytes of the results it spilled to disk; and
/// the transfers and disk writes and reads it did since its previous heartbeat (null: none), for the task stream.
/// </summary>
internal sealed record Heartbeat(
    int Executing = 0,
    long StoredBytes = 0,
    long MemoryBytes = 0,
    TransferCounts Transfers = default,
    WorkerLogLine[]? Logs = null,
    double CpuPercent = 0,
    long SpilledBytes = 0,
    WorkerStreamEvent[]? Events = null) : Message(Op.Heartbeat);

/// <summary>
/// A transfer (inputs fetched from <paramref name="Peer"/>) or a disk write or read (spill, unspill) a worker
/// did: its first key, how many keys, their serialized bytes, and when, as seconds before the heartbeat that
/// carries it was sent (so the scheduler places it on its own clock).
/// </summary>
internal readonly record struct WorkerStreamEvent(TaskStreamKind Kind, Key Key, int KeyCount, long Bytes, string? Peer, double StopAgoSeconds, double DurationSeconds);

/// <summary>A line a worker logged: when (Unix milliseconds, on the worker's clock), how much it matters, what happened.</summary>
internal readonly record struct WorkerLogLine(long UnixMilliseconds, SchedulerLogLevel Level, string Message);

/// <summary>A worker's data transfers since it started: keys fetched from peers and sent out, with their serialized bytes.</summary>
internal readonly record struct TransferCounts(long KeysIn, long BytesIn, long KeysOut, long BytesOut);

/// <summary>The sender is closing the connection on purpose.</summary>
internal sealed record Close(string Reason) : Message(Op.Close);

/// <summary>A client asks the scheduler to finish these keys even once no client wants them; the scheduler releases each when it is done.</summary>
internal sealed record FireAndForget(Key[] Keys) : Message(Op.FireAndForget);

/// <summary>A client asks the scheduler which workers are connected.</summary>
internal sealed record GetWorkers(long RequestId) : Message(Op.GetWorkers);

/// <summary>The scheduler answers <see cref="GetWorkers"/>: each worker's address and thread count.</summary>
internal sealed record WorkerList(long RequestId, string[] Addresses, int[] Threads) : Message(Op.WorkerList), IReply;

/// <summary>A client stores serialized values on a worker under these keys (scatter); the worker answers <see cref="DataStored"/>. <paramref name="Session"/> is the client's code session.</summary>
internal sealed record UpdateData(long RequestId, Key[] Keys, byte[][] Values, int Session = 0) : Message(Op.UpdateData);

/// <summary>A worker answers <see cref="UpdateData"/>: the values are stored, or why not.</summary>
internal sealed record DataStored(long RequestId, RemoteError? Error) : Message(Op.DataStored);

/// <summary>A client tells the scheduler that it stored these keys on these workers itself; the client wants them.</summary>
internal sealed record ScatteredKeys(DependencyLocation[] Locations) : Message(Op.ScatteredKeys), IClientRequest;

/// <summary>A client asks a worker to run a function (a serialized call node without dependencies) outside the task graph. <paramref name="Session"/> is the client's code session.</summary>
internal sealed record RunFunction(long RequestId, byte[] Spec, int Session = 0) : Message(Op.RunFunction);

/// <summary>A worker answers <see cref="RunFunction"/>: the serialized result, or the error.</summary>
internal sealed record RunResult(long RequestId, byte[]? Value, RemoteError? Error) : Message(Op.RunResult);

/// <summary>
/// A client uploads user assemblies for its session; the scheduler keeps them while the client is
/// connected, forwards them to every worker (<see cref="LoadCode"/>), and answers
/// <see cref="CodeUploaded"/> once every current worker loaded them.
/// </summary>
internal sealed record UploadCode(long RequestId, ShippedAssembly[] Assemblies) : Message(Op.UploadCode), IClientRequest;

/// <summary>The scheduler answers <see cref="UploadCode"/>: every current worker has the code, or why not.</summary>
internal sealed record CodeUploaded(long RequestId, RemoteError? Error) : Message(Op.CodeUploaded), IReply;

/// <summary>The scheduler hands a client session's assemblies to a worker, which answers <see cref="CodeLoaded"/>.</summary>
internal sealed record LoadCode(long UploadId, int Session, string ClientId, ShippedAssembly[] Assemblies) : Message(Op.LoadCode);

/// <summary>A worker answers <see cref="LoadCode"/>: the assemblies are in the session, or why not.</summary>
internal sealed record CodeLoaded(long UploadId, RemoteError? Error) : Message(Op.CodeLoaded);

/// <summary>The client of a code session left: the worker unloads the session's code.</summary>
internal sealed record EndSession(int Session) : Message(Op.EndSession);

/// <summary>
/// A client asks the scheduler to restart the cluster: forget every task and result, restart every
/// worker, and answer <see cref="RestartDone"/> once as many workers are back (or the timeout passed).
/// </summary>
internal sealed record Restart(long RequestId, double TimeoutSeconds) : Message(Op.Restart), IClientRequest;

/// <summary>The scheduler answers <see cref="Restart"/>: the workers are back, or why not.</summary>
internal sealed record RestartDone(long RequestId, RemoteError? Error) : Message(Op.RestartDone), IReply;

/// <summary>The scheduler tells every client that the cluster restarted: all its keys are gone.</summary>
internal sealed record ClusterRestarted() : Message(Op.ClusterRestarted);

/// <summary>The scheduler tells a worker to drop everything and start afresh (its host starts a new worker).</summary>
internal sealed record RestartWorker() : Message(Op.RestartWorker);

/// <summary>
/// A client asks the scheduler for the task stream records after sequence number <paramref name="Since"/>, at most
/// the newest <paramref name="Limit"/>; with <paramref name="Moves"/>, transfers and disk writes and reads too (a
/// client from before them, which cannot read them, asks without).
/// </summary>
internal sealed record GetTaskStream(long RequestId, long Since, int Limit, bool Moves = false) : Message(Op.GetTaskStream);

/// <summary>The scheduler answers <see cref="GetTaskStream"/>.</summary>
internal sealed record TaskStream(long RequestId, TaskStreamRecord[] Records) : Message(Op.TaskStream), IReply;

/// <summary>
/// A client asks the scheduler to retire workers (addresses or names), or <paramref name="Count"/> workers of
/// its choice when that is above 0: the keys only they hold are copied to other workers first, their
/// processing tasks go elsewhere, then they close; answered by <see cref="MoveDone"/>.
/// </summary>
internal sealed record RetireWorkers(long RequestId, string[] Workers, int Count = 0) : Message(Op.RetireWorkers), IClientRequest;

/// <summary>A client asks the scheduler to keep <paramref name="Copies"/> replicas of each key (0: one on every worker); answered by <see cref="MoveDone"/>.</summary>
internal sealed record ReplicateKeys(long RequestId, Key[] Keys, int Copies) : Message(Op.ReplicateKeys), IClientRequest;

/// <summary>A client asks the scheduler to even out the bytes workers hold by moving these keys (none: every key in memory); answered by <see cref="MoveDone"/>.</summary>
internal sealed record RebalanceKeys(long RequestId, Key[] Keys) : Message(Op.RebalanceKeys), IClientRequest;

/// <summary>The scheduler answers a retire, replicate or rebalance request: how many copies it made, the workers it retired, or why it failed.</summary>
internal sealed record MoveDone(long RequestId, int Copies, string[] Retired, RemoteError? Error) : Message(Op.MoveDone), IReply;

/// <summary>
/// The scheduler asks a worker to fetch copies of keys from the workers that hold them and keep them,
/// each decoded in its client's code session (<paramref name="Sessions"/>, in the same order), asking one
/// holder for at most <paramref name="MessageBytes"/> of them in one message (a larger value alone); the
/// worker answers <see cref="ReplicasAcquired"/> with the same <paramref name="MoveId"/>.
/// </summary>
internal sealed record AcquireReplicas(long MoveId, DependencyLocation[] Keys, int[] Sessions, long MessageBytes) : Message(Op.AcquireReplicas);

/// <summary>A worker answers <see cref="AcquireReplicas"/>: the keys it holds now (the others could not be fetched).</summary>
internal sealed record ReplicasAcquired(long MoveId, Key[] Keys) : Message(Op.ReplicasAcquired);

/// <summary>A client asks the scheduler which workers hold each of these keys (Dask's <c>who_has</c>).</summary>
internal sealed record GetWhoHas(long RequestId, Key[] Keys) : Message(Op.GetWhoHas);

/// <summary>The scheduler answers <see cref="GetWhoHas"/>: for each key, in order, the workers that hold it (none when it is not in memory).</summary>
internal sealed record WhoHasList(long RequestId, Key[] Keys, string[][] Workers) : Message(Op.WhoHasList), IReply;

/// <summary>
/// A worker paused (its process memory passed the pause threshold: it starts no new task and fetches no
/// input) or resumed (Dask's worker status <c>paused</c> / <c>running</c>); while paused the scheduler
/// sends it new tasks only when every worker is paused.
/// </summary>
internal sealed record WorkerPaused(bool Paused) : Message(Op.WorkerPaused);

/// <summary>
/// A worker's nanny tells the scheduler which worker it runs (the address its worker joined with), each time
/// a worker process of its joins, so that the scheduler can ask it to restart that process (<see cref="RestartWorkerProcess"/>).
/// </summary>
internal sealed record RegisterNanny(string WorkerAddress) : Message(Op.RegisterNanny);

/// <summary>
/// The scheduler asks a nanny to kill its worker's process and start a fresh one (a cluster restart, or a worker
/// that stopped sending heartbeats); the fresh worker logs <paramref name="Reason"/> as why the previous one ended.
/// <paramref name="ClusterRestart"/> tells a restart of every worker from the replacement of one that hangs.
/// </summary>
internal sealed record RestartWorkerProcess(string Reason, bool ClusterRestart = false) : Message(Op.RestartWorkerProcess);
