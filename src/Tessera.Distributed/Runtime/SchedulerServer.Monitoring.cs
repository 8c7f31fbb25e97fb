using System.Diagnostics;
using System.Runtime.InteropServices;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

// What the scheduler records for its monitor (dashboard, task stream): only appends on the event loop;
// everything else is copied out in one event at the monitor's bounded rate (CaptureMonitorData).
internal sealed partial class SchedulerServer
{
    /// <summary>How many task stream entries (finished task runs, and the workers' transfers and disk writes and reads) the event loop keeps (Dask keeps 100,000).</summary>
    internal const int TaskStreamCapacity = 100_000;

    private TaskStreamEntry[]? _taskStream;
    private SchedulerMonitor? _monitor;
    private long _streamCount;
    private long _tasksFinished;
    private long _tasksErred;

    /// <summary>Gets the scheduler's monitor (made on first use).</summary>
    internal SchedulerMonitor Monitor => LazyInitializer.EnsureInitialized(ref _monitor, () => new SchedulerMonitor(this));

    /// <summary>Gets the scheduler's recent log lines.</summary>
    internal SchedulerLog Log { get; } = new();

    /// <summary>Gets when the scheduler started.</summary>
    internal DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

    /// <summary>Posts <paramref name="work"/> to run on the event loop between events; false once the scheduler is closing.</summary>
    internal bool Post(Action work) => _events.Writer.TryWrite(new SchedulerEvent(null, null, work));

    // On the event loop: one entry per finished run, overwriting the oldest once full.
    private void RecordTaskFinished(string worker, Key key, double durationSeconds)
    {
        AppendStream(new TaskStreamEntry(key, worker, Stopwatch.GetTimestamp(), durationSeconds));
        _tasksFinished++;
    }

    // On the event loop: a worker's transfers and disk writes and reads, from its heartbeat; each stopped
    // StopAgoSeconds before the heartbeat left the worker, taken as now.
    private void RecordWorkerEvents(string worker, WorkerStreamEvent[] events)
    {
        long now = Stopwatch.GetTimestamp();
        foreach (WorkerStreamEvent e in events)
        {
            long stop = now - (long)(Math.Max(0, e.StopAgoSeconds) * Stopwatch.Frequency);
            AppendStream(new TaskStreamEntry(e.Key, worker, stop, e.DurationSeconds, new TaskStreamMove(e.Kind, e.Peer, e.Bytes, e.KeyCount)));
        }
    }

    private void AppendStream(TaskStreamEntry entry)
    {
        _taskStream ??= new TaskStreamEntry[TaskStreamCapacity];
        _taskStream[_streamCount % TaskStreamCapacity] = entry;
        _streamCount++;
    }

    private void RecordTaskErred() => _tasksErred++;

    /// <summary>On the event loop: copies out what a snapshot needs, and the task stream entries after <paramref name="streamCursor"/>.</summary>
    internal MonitorData CaptureMonitorData(long streamCursor)
    {
        var byState = new int[(int)TaskStateKind.Forgotten + 1];
        var byPrefix = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var prefixOrder = new List<string>();
        foreach (SchedulerTask t in _state.Tasks.Values)
        {
            int s = (int)t.State;
            byState[s]++;
            ref int[]? counts = ref CollectionsMarshal.GetValueRefOrAddDefault(byPrefix, t.Prefix, out bool exists);
            if (!exists)
            {
                counts = new int[byState.Length];
                prefixOrder.Add(t.Prefix);
            }

            counts![s]++;
        }

        long now = Environment.TickCount64;
        var workers = new List<MonitorWorker>(_state.Workers.Count);
        foreach (WorkerState w in _state.Workers.Values)
        {
            Peer? peer = _workers.GetValueOrDefault(w.Address);
            workers.Add(new MonitorWorker(
                w.Address, w.Name, w.Threads, peer?.MemoryLimit ?? 0, w.MemoryBytes, w.StoredBytes, w.NBytes, w.Processing.Count, w.Executing, w.HasWhat.Count, w.Occupancy,
                TimeSpan.FromMilliseconds(peer is null ? 0 : Math.Max(0, now - peer.LastSeen)), w.Transfers, w.CpuPercent, w.SpilledBytes));
        }

        long first = Math.Max(streamCursor, _streamCount - TaskStreamCapacity);
        var stream = new TaskStreamEntry[Math.Max(0, _streamCount - first)];
        for (long i = first; i < _streamCount; i++)
        {
            stream[i - first] = _taskStream![i % TaskStreamCapacity];
        }

        return new MonitorData(byState, [.. prefixOrder.Select(p => (p, byPrefix[p]))], workers, _state.Clients.Count, _tasksFinished, _tasksErred, first, stream);
    }

    // A snapshot started after the request arrived holds every run the client saw finish before it asked.
    private async Task AnswerTaskStreamAsync(Peer peer, GetTaskStream m)
    {
        long arrived = Stopwatch.GetTimestamp();
        TaskStreamRecord[] records;
        try
        {
            await Monitor.GetSnapshotAfterAsync(arrived, _stop.Token).ConfigureAwait(false);
            IReadOnlyList<TaskStreamRecord> stream = Monitor.GetTaskStream(m.Since, m.Limit);
            records = m.Moves ? [.. stream] : [.. stream.Where(r => r.Kind == TaskStreamKind.Compute)];
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // The scheduler is closing: the client's request fails with the connection.
            return;
        }

        Send(peer, new TaskStream(m.RequestId, records));
    }

    /// <summary>
    /// On the event loop: copies out the graph, each task with its state and the indexes of its
    /// dependencies; above <paramref name="limit"/> tasks only counts by prefix and state, and the
    /// dependencies between prefixes.
    /// </summary>
    internal GraphData CaptureGraph(int limit)
    {
        var byPrefix = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var prefixOrder = new List<string>();
        var edges = new Dictionary<(string From, string To), int>();
        foreach (SchedulerTask t in _state.Tasks.Values)
        {
            ref int[]? counts = ref CollectionsMarshal.GetValueRefOrAddDefault(byPrefix, t.Prefix, out bool exists);
            if (!exists)
            {
                counts = new int[(int)TaskStateKind.Forgotten + 1];
                prefixOrder.Add(t.Prefix);
            }

            counts![(int)t.State]++;
            foreach (SchedulerTask d in t.Dependencies)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(edges, (d.Prefix, t.Prefix), out _)++;
            }
        }

        (string, int[])[] prefixes = [.. prefixOrder.Select(p => (p, byPrefix[p]))];
        (string, string, int)[] prefixEdges = [.. edges.Select(e => (e.Key.From, e.Key.To, e.Value))];
        return new GraphData(_state.Tasks.Count, _state.Tasks.Count > limit ? null : CaptureTasks(), prefixes, prefixEdges);
    }

    private GraphTaskData[] CaptureTasks()
    {
        var index = new Dictionary<SchedulerTask, int>(_state.Tasks.Count, ReferenceEqualityComparer.Instance);
        foreach (SchedulerTask t in _state.Tasks.Values)
        {
            index[t] = index.Count;
        }

        var tasks = new GraphTaskData[index.Count];
        foreach ((SchedulerTask t, int i) in index)
        {
            int[] dependencies = new int[t.Dependencies.Length];
            int n = 0;
            foreach (SchedulerTask d in t.Dependencies)
            {
                // A dependency the scheduler forgot already is no node of the graph.
                if (index.TryGetValue(d, out int j))
                {
                    dependencies[n++] = j;
                }
            }

            tasks[i] = new GraphTaskData(t.Key, t.State, n == dependencies.Length ? dependencies : dependencies[..n]);
        }

        return tasks;
    }

    /// <summary>A task of the graph as copied out: its dependencies are indexes into the same array.</summary>
    internal readonly record struct GraphTaskData(Key Key, TaskStateKind State, int[] Dependencies);

    /// <summary>The graph as copied out: the tasks (null above the limit), and always the counts by prefix and the edges between prefixes.</summary>
    internal sealed record GraphData(int TaskCount, GraphTaskData[]? Tasks, (string Prefix, int[] ByState)[] ByPrefix, (string From, string To, int Count)[] PrefixEdges);

    /// <summary>
    /// A task stream entry as the event loop records it: a finished task run (the stop time is when the report
    /// arrived), or a worker's transfer or disk write or read (<paramref name="Move"/>).
    /// </summary>
    internal readonly record struct TaskStreamEntry(Key Key, string Worker, long StopTimestamp, double DurationSeconds, TaskStreamMove? Move = null);

    /// <summary>What a transfer or disk write or read entry adds to a task run's: a class, so that task runs carry one null reference only.</summary>
    internal sealed record TaskStreamMove(TaskStreamKind Kind, string? Peer, long Bytes, int KeyCount);

    /// <summary>A worker as copied out for the monitor.</summary>
    internal sealed record MonitorWorker(
        string Address, string? Name, int Threads, long MemoryLimit, long MemoryBytes, long StoredBytes, long ManagedBytes, int Processing, int Executing, int KeysHeld, double Occupancy, TimeSpan SinceLastSeen, TransferCounts Transfers,
        double CpuPercent, long SpilledBytes);

    /// <summary>What the monitor copies out of the event loop in one event.</summary>
    internal sealed record MonitorData(
        int[] ByState, (string Prefix, int[] ByState)[] ByPrefix, List<MonitorWorker> Workers, int Clients, long TasksFinished, long TasksErred, long StreamStart, TaskStreamEntry[] Stream);
}
