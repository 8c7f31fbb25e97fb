using System.Diagnostics;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed;

/// <summary>
/// Read-only views of a running scheduler for dashboards and diagnostics: snapshots of its state and the
/// task stream (which task ran where, when).
/// </summary>
/// <remarks>
/// The monitor never locks the scheduler's event loop: a snapshot is copied out in one event between
/// others, at most once per <see cref="MinimumInterval"/> however many callers ask (they share the
/// latest one), and nothing is copied while nobody asks. The event loop itself only appends finished
/// runs to a ring of the last 100,000.
/// </remarks>
public sealed class SchedulerMonitor
{
    private readonly SchedulerServer _server;
    private readonly Lock _gate = new();
    private readonly StreamEntry[] _stream = new StreamEntry[SchedulerServer.TaskStreamCapacity];
    private readonly Dictionary<string, double[]> _lanes = new(StringComparer.Ordinal);
    private readonly double _epochSeconds;
    private readonly long _epochTimestamp;
    private long _streamCount;
    private SchedulerSnapshot? _latest;
    private long _latestTimestamp;
    private Task<SchedulerSnapshot>? _refresh;

    internal SchedulerMonitor(SchedulerServer server)
    {
        _server = server;
        _epochTimestamp = Stopwatch.GetTimestamp();
        _epochSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    }

    /// <summary>Gets or sets the shortest time between two snapshots; callers within it share the latest one. Default 250 ms.</summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromMilliseconds(250);

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

    /// <summary>Gets a snapshot of the scheduler no older than <see cref="MinimumInterval"/>, and brings the task stream up to date.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the snapshot, which other callers may share).</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler is closed.</exception>
    public Task<SchedulerSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<SchedulerSnapshot>? started = null;
        Task<SchedulerSnapshot> refresh;
        lock (_gate)
        {
            if (_latest is not null && Stopwatch.GetElapsedTime(_latestTimestamp) < MinimumInterval)
            {
                return Task.FromResult(_latest);
            }

            if (_refresh is null)
            {
                started = new TaskCompletionSource<SchedulerSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
                _refresh = started.Task;
            }

            refresh = _refresh;
        }

        // Posted to the event loop outside the gate: a loop that resumes on the posting thread must never run inside it.
        if (started is not null)
        {
            _ = RefreshAsync(started);
        }

        return refresh.WaitAsync(cancellationToken);
    }

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
                records[i - first] = new TaskStreamRecord(i + 1, e.Worker, e.Thread, e.Key.ToString(), e.Key.Prefix, e.Start, e.Stop);
            }

            return records;
        }
    }

    // Completes `result` with a fresh snapshot, or with the failure; either way the refresh is no longer pending.
    private async Task RefreshAsync(TaskCompletionSource<SchedulerSnapshot> result)
    {
        try
        {
            long cursor;
            lock (_gate)
            {
                cursor = _streamCount;
            }

            var captured = new TaskCompletionSource<(SchedulerServer.MonitorData Data, TimeSpan Latency)>(TaskCreationOptions.RunContinuationsAsynchronously);
            long posted = Stopwatch.GetTimestamp();
            bool queued = _server.Post(() =>
            {
                TimeSpan latency = Stopwatch.GetElapsedTime(posted);
                try
                {
                    captured.TrySetResult((_server.CaptureMonitorData(cursor), latency));
                }
                catch (Exception e)
                {
                    captured.TrySetException(e);
                }
            });
            ObjectDisposedException.ThrowIf(!queued, this);
            (SchedulerServer.MonitorData data, TimeSpan eventLoopLatency) = await captured.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

            SchedulerSnapshot snapshot = ToSnapshot(data, eventLoopLatency);
            lock (_gate)
            {
                AppendStream(data, snapshot.Workers);
                _latest = snapshot;
                _latestTimestamp = Stopwatch.GetTimestamp();
                _refresh = null;
            }

            result.TrySetResult(snapshot);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _refresh = null;
            }

            result.TrySetException(e);
        }
    }

    private SchedulerSnapshot ToSnapshot(SchedulerServer.MonitorData data, TimeSpan eventLoopLatency) => new()
    {
        Time = DateTimeOffset.UtcNow,
        Address = _server.Address,
        Tasks = Counts(data.ByState),
        Prefixes = [.. data.ByPrefix.Select(p => new TaskPrefixProgress(p.Prefix, Counts(p.ByState)))],
        Workers = [.. data.Workers.OrderBy(w => w.Address, StringComparer.Ordinal).Select(w => new WorkerSnapshot(
            w.Address, w.Name, w.Threads, w.MemoryLimit, w.MemoryBytes, w.StoredBytes, w.ManagedBytes, w.Processing, w.Executing, w.KeysHeld, w.Occupancy, w.SinceLastSeen))],
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

    // Under the gate: turns the event loop's entries into records, placing each on the first of its worker's
    // thread rows that is free at its start.
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
            _streamCount++;
            _stream[(_streamCount - 1) % _stream.Length] = new StreamEntry(e.Key, e.Worker, lane, start, stop);
        }
    }

    /// <summary>A task stream record as kept: the key becomes text only when the record is asked for.</summary>
    private readonly record struct StreamEntry(Key Key, string Worker, int Thread, double Start, double Stop);
}
