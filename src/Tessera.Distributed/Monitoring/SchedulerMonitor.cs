using System.Diagnostics;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed;

/// <summary>
/// Read-only views of a running scheduler for dashboards and diagnostics: snapshots of its state and the
/// task stream (which task ran where, when, and which data workers fetched, spilled and read back).
/// </summary>
/// <remarks>
/// The monitor never locks the scheduler's event loop: a snapshot is copied out in one event between
/// others, at most once per <see cref="MinimumInterval"/> however many callers ask (they share the
/// latest one), and nothing is copied while nobody asks. The event loop itself only appends finished
/// runs and the transfers and disk writes and reads that workers' heartbeats carry to a ring of the
/// last 100,000, and log lines to a ring of the last 1,000. The graph is copied
/// out the same way as snapshots, by its own bounded-rate event.
/// </remarks>
public sealed class SchedulerMonitor
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> each scheduler's monitor publishes its instruments under.</summary>
    public const string MeterName = "Tessera.Scheduler";

    private readonly SchedulerServer _server;
    private readonly Lock _gate = new();
    private readonly StreamEntry[] _stream = new StreamEntry[SchedulerServer.TaskStreamCapacity];
    private readonly Dictionary<string, double[]> _lanes = new(StringComparer.Ordinal);
    private readonly double _epochSeconds;
    private readonly long _epochTimestamp;
    private readonly SharedCapture<SchedulerSnapshot> _snapshots;
    private readonly SharedCapture<SchedulerGraph> _graphs;
    private long _streamCount;
    private int _graphTaskLimit = 2_000;

    internal SchedulerMonitor(SchedulerServer server)
    {
        _server = server;
        _epochTimestamp = Stopwatch.GetTimestamp();
        _epochSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        _snapshots = new SharedCapture<SchedulerSnapshot>(CaptureSnapshotAsync, () => MinimumInterval);
        _graphs = new SharedCapture<SchedulerGraph>(CaptureGraphAsync, () => MinimumInterval);
        Meter = SchedulerMeter.Create(this, server.Address);
    }

    /// <summary>Gets or sets the shortest time between two snapshots (and two graph copies); callers within it share the latest one. Default 250 ms.</summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the most tasks <see cref="GetGraphAsync"/> copies one by one; above it the graph is summarized by task prefix. Default 2,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int GraphTaskLimit
    {
        get => Volatile.Read(ref _graphTaskLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _graphTaskLimit, value);
        }
    }

    /// <summary>
    /// Gets the meter (named <see cref="MeterName"/>, tagged with the scheduler's address) whose observable
    /// instruments report this scheduler: tasks by state and prefix, workers, threads, bytes, event-loop
    /// latency, task runs finished and erred. Attach OpenTelemetry (<c>AddMeter("Tessera.Scheduler")</c>) or
    /// a <see cref="System.Diagnostics.Metrics.MeterListener"/>; the instruments read the latest snapshot and ask
    /// for a new one when it is older than <see cref="MinimumInterval"/>, so an observation is at most one
    /// collection period old.
    /// </summary>
    public System.Diagnostics.Metrics.Meter Meter { get; }

    /// <summary>Gets the sequence number of the newest task stream record copied out so far (0: none).</summary>
    public long TaskStreamCount
    {
        get
        {
            lock (_gate)
            {
                return _streamCount;
            }
        }
    }

    /// <summary>Gets the newest snapshot taken, or null before the first; never waits.</summary>
    public SchedulerSnapshot? LatestSnapshot => _snapshots.Latest;

    /// <summary>Gets a snapshot of the scheduler no older than <see cref="MinimumInterval"/>, and brings the task stream up to date.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the snapshot, which other callers may share).</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler is closed.</exception>
    public Task<SchedulerSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default) => _snapshots.GetAsync(null, cancellationToken);

    /// <summary>Gets a snapshot taken after <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp), so that it holds every run that finished before.</summary>
    internal Task<SchedulerSnapshot> GetSnapshotAfterAsync(long timestamp, CancellationToken cancellationToken) => _snapshots.GetAsync(timestamp, cancellationToken);

    /// <summary>
    /// Gets the scheduler's current graph, no older than <see cref="MinimumInterval"/>: every task with its
    /// state and dependencies, or, above <see cref="GraphTaskLimit"/> tasks, a summary by task prefix.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (not the copy, which other callers may share).</param>
    /// <returns>The graph.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler is closed.</exception>
    public Task<SchedulerGraph> GetGraphAsync(CancellationToken cancellationToken = default) => _graphs.GetAsync(null, cancellationToken);

    /// <summary>Gets the scheduler's most recent log lines, oldest first; it keeps the last 1,000.</summary>
    /// <param name="limit">The most lines to return; the newest are kept.</param>
    /// <returns>The lines.</returns>
    public IReadOnlyList<SchedulerLogEntry> GetLogs(int limit = SchedulerLog.Capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return _server.Log.Read(limit);
    }

    /// <summary>Gets the scheduler's configuration and where it runs (nothing here changes while it runs).</summary>
    /// <returns>The configuration.</returns>
    public SchedulerInfo GetInfo() => new(
        _server.Address,
        _server.StartTime,
        _server.WorkerSaturation,
        _server.WorkerTimeout,
        _server.AllowedFailures,
        typeof(SchedulerMonitor).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute v, ..] ? v.InformationalVersion : "unknown",
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Environment.MachineName,
        Environment.ProcessId,
        Environment.ProcessorCount);

    /// <summary>Gets the task stream records after <paramref name="since"/>, oldest first, at most the newest <paramref name="limit"/> of them.</summary>
    /// <param name="since">The sequence number of the last record the caller has (0 for all that are kept).</param>
    /// <param name="limit">The most records to return; the newest are kept.</param>
    /// <returns>The records; the sequence number of the last one is the next <paramref name="since"/>.</returns>
    /// <remarks>Records come out of the scheduler with snapshots: call <see cref="GetSnapshotAsync"/> first to include the latest runs.</remarks>
    public IReadOnlyList<TaskStreamRecord> GetTaskStream(long since = 0, int limit = SchedulerServer.TaskStreamCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_gate)
        {
            long first = Math.Max(Math.Max(since, 0), Math.Max(_streamCount - _stream.Length, _streamCount - limit));
            var records = new TaskStreamRecord[Math.Max(0, _streamCount - first)];
            for (long i = first; i < _streamCount; i++)
            {
                StreamEntry e = _stream[i % _stream.Length];
                var record = new TaskStreamRecord(i + 1, e.Worker, e.Thread, e.Key.ToString(), e.Key.Prefix, e.Start, e.Stop);
                records[i - first] = e.Move is { } m ? record with { Kind = m.Kind, Peer = m.Peer, Bytes = m.Bytes, KeyCount = m.KeyCount } : record;
            }

            return records;
        }
    }

    internal void DisposeMeter() => Meter.Dispose();

    // For observers that cannot wait (the meter's instruments): a stale snapshot is refreshed in the background.
    internal void RefreshIfStale()
    {
        if (_snapshots.IsStale)
        {
            _ = _snapshots.GetAsync(null, CancellationToken.None).ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Runs `capture` on the event loop between two events; also returns how long it waited in the loop's queue.
    private async Task<(T Data, TimeSpan Latency)> OnEventLoopAsync<T>(Func<T> capture)
    {
        var captured = new TaskCompletionSource<(T, TimeSpan)>(TaskCreationOptions.RunContinuationsAsynchronously);
        long posted = Stopwatch.GetTimestamp();
        bool queued = _server.Post(() =>
        {
            TimeSpan latency = Stopwatch.GetElapsedTime(posted);
            try
            {
                captured.TrySetResult((capture(), latency));
            }
            catch (Exception e)
            {
                captured.TrySetException(e);
            }
        });
        ObjectDisposedException.ThrowIf(!queued, this);
        return await captured.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    private async Task<SchedulerSnapshot> CaptureSnapshotAsync()
    {
        // One capture runs at a time (SharedCapture), so the cursor cannot move meanwhile.
        long cursor = TaskStreamCount;
        (SchedulerServer.MonitorData data, TimeSpan eventLoopLatency) = await OnEventLoopAsync(() => _server.CaptureMonitorData(cursor)).ConfigureAwait(false);
        SchedulerSnapshot snapshot = ToSnapshot(data, eventLoopLatency);
        lock (_gate)
        {
            AppendStream(data, snapshot.Workers);
        }

        return snapshot;
    }

    private async Task<SchedulerGraph> CaptureGraphAsync()
    {
        int limit = GraphTaskLimit;
        (SchedulerServer.GraphData data, _) = await OnEventLoopAsync(() => _server.CaptureGraph(limit)).ConfigureAwait(false);
        return new SchedulerGraph(
            DateTimeOffset.UtcNow,
            data.TaskCount,
            limit,
            data.Tasks?.Select(t => new GraphTask(t.Key.ToString(), t.Key.Prefix, t.State, t.Dependencies)).ToArray(),
            [.. data.ByPrefix.Select(p => new TaskPrefixProgress(p.Prefix, Counts(p.ByState)))],
            [.. data.PrefixEdges.Select(e => new PrefixEdge(e.From, e.To, e.Count))]);
    }

    private SchedulerSnapshot ToSnapshot(SchedulerServer.MonitorData data, TimeSpan eventLoopLatency) => new()
    {
        Time = DateTimeOffset.UtcNow,
        Address = _server.Address,
        Tasks = Counts(data.ByState),
        Prefixes = [.. data.ByPrefix.Select(p => new TaskPrefixProgress(p.Prefix, Counts(p.ByState)))],
        Workers = [.. data.Workers.OrderBy(w => w.Address, StringComparer.Ordinal).Select(w => new WorkerSnapshot(
            w.Address, w.Name, w.Threads, w.MemoryLimit, w.MemoryBytes, w.StoredBytes, w.ManagedBytes, w.Processing, w.Executing, w.KeysHeld, w.Occupancy, w.SinceLastSeen,
            w.Transfers.KeysIn, w.Transfers.BytesIn, w.Transfers.KeysOut, w.Transfers.BytesOut, w.CpuPercent, w.SpilledBytes))],
        Clients = data.Clients,
        TasksFinished = data.TasksFinished,
        TasksErred = data.TasksErred,
        EventLoopLatency = eventLoopLatency,
    };

    private static TaskStateCounts Counts(int[] s) => new(
        s[(int)TaskStateKind.Released],
        s[(int)TaskStateKind.Waiting],
        s[(int)TaskStateKind.NoWorker],
        s[(int)TaskStateKind.Queued],
        s[(int)TaskStateKind.Processing],
        s[(int)TaskStateKind.Memory],
        s[(int)TaskStateKind.Erred]);

    // Under the gate: turns the event loop's entries into records, placing each task run on the first of its
    // worker's thread rows that is free at its start (transfers and disk writes and reads take no thread row).
    private void AppendStream(SchedulerServer.MonitorData data, IReadOnlyList<WorkerSnapshot> workers)
    {
        foreach (WorkerSnapshot w in workers)
        {
            if (!_lanes.TryGetValue(w.Address, out double[]? lanes) || lanes.Length != w.Threads)
            {
                _lanes[w.Address] = new double[Math.Max(1, w.Threads)];
            }
        }

        _streamCount = Math.Max(_streamCount, data.StreamStart);
        foreach (SchedulerServer.TaskStreamEntry e in data.Stream)
        {
            double stop = _epochSeconds + Stopwatch.GetElapsedTime(_epochTimestamp, e.StopTimestamp).TotalSeconds;
            double start = stop - Math.Max(0, e.DurationSeconds);
            _streamCount++;
            if (e.Move is not null)
            {
                _stream[(_streamCount - 1) % _stream.Length] = new StreamEntry(e.Key, e.Worker, 0, start, stop, e.Move);
                continue;
            }

            if (!_lanes.TryGetValue(e.Worker, out double[]? lanes))
            {
                lanes = new double[1];
                _lanes[e.Worker] = lanes;
            }

            int lane = 0;
            for (int i = 0; i < lanes.Length; i++)
            {
                if (lanes[i] <= start + 1e-4)
                {
                    lane = i;
                    break;
                }

                if (lanes[i] < lanes[lane])
                {
                    lane = i;
                }
            }

            lanes[lane] = Math.Max(lanes[lane], stop);
            _stream[(_streamCount - 1) % _stream.Length] = new StreamEntry(e.Key, e.Worker, lane, start, stop, null);
        }
    }

    /// <summary>A task stream record as kept: the key becomes text only when the record is asked for.</summary>
    private readonly record struct StreamEntry(Key Key, string Worker, int Thread, double Start, double Stop, SchedulerServer.TaskStreamMove? Move);
}
