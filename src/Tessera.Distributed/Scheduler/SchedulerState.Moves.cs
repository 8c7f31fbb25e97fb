using System.Diagnostics.CodeAnalysis;
using Tessera.Graphs;

namespace Tessera.Distributed.Scheduler;

/// <summary>
/// A copy of a key in memory that a worker is to fetch: <see cref="To"/> fetches it from the workers
/// that hold it; once it has it, the copy on <see cref="DropFrom"/> is dropped (a move), or none is
/// (null: one more replica).
/// </summary>
internal readonly record struct ReplicaMove(SchedulerTask Task, WorkerState To, WorkerState? DropFrom);

// Moving data between workers (Dask's retire_workers, replicate and rebalance). The state plans the
// copies; the event loop has the receiving workers fetch them and confirms each with AddKeys and
// DropReplica. A worker drops a copy only while another worker holds the key, and never one that a
// task processing on it needs.
internal sealed partial class SchedulerState
{
    /// <summary>Gets or sets how a rebalance weighs and moves data (read from the configuration when the scheduler starts).</summary>
    public RebalanceSettings Rebalance { get; set; } = RebalanceSettings.Default;

    /// <summary>
    /// Starts retiring workers: they get no new tasks (and no copies), their processing tasks are released
    /// to run elsewhere, and the copies that keep the keys only they hold are returned (see
    /// <see cref="PlanRetirement"/>). Nothing changes when that plan fails.
    /// </summary>
    /// <exception cref="InvalidOperationException">The workers hold keys that no other worker is left to take.</exception>
    public IReadOnlyList<ReplicaMove> BeginRetirement(IReadOnlyList<WorkerState> workers)
    {
        workers.ToList().ForEach(w => w.Retiring = true);
        IReadOnlyList<ReplicaMove> moves;
        try
        {
            moves = PlanRetirement(workers);
        }
        catch (InvalidOperationException)
        {
            workers.ToList().ForEach(w => w.Retiring = false);
            throw;
        }

        foreach (SchedulerTask t in workers.SelectMany(w => w.Processing).ToArray())
        {
            Recommend(t, TaskStateKind.Released);
        }

        Settle();
        return moves;
    }

    /// <summary>
    /// The workers to retire when <paramref name="count"/> of them are asked for (Dask's <c>workers_to_close</c>,
    /// simplified): those not retiring already, idle ones first, then the ones holding the fewest bytes, so the
    /// least data moves; ties go to the most recently joined.
    /// </summary>
    public IReadOnlyList<WorkerState> WorkersToRetire(int count) =>
        [.. _workerList.Where(w => !w.Retiring).Select((w, i) => (w, i)).OrderBy(x => x.w.Processing.Count > 0).ThenBy(x => x.w.NBytes).ThenByDescending(x => x.i).Take(count).Select(x => x.w)];

    /// <summary>
    /// The copies that keep every key in memory that only retiring workers hold: each goes to the worker
    /// that is not retiring and holds the fewest bytes (counting the copies planned before it), a paused
    /// one only when every other is paused (it fetches nothing until it resumes).
    /// </summary>
    /// <exception cref="InvalidOperationException">No worker that is not retiring is left to take them.</exception>
    public IReadOnlyList<ReplicaMove> PlanRetirement(IReadOnlyList<WorkerState> workers)
    {
        var moves = new List<ReplicaMove>();
        var planned = new HashSet<SchedulerTask>();
        Dictionary<WorkerState, long> bytes = _workerList.Where(w => !w.Retiring).ToDictionary(w => w, w => w.NBytes);
        foreach (SchedulerTask t in workers.SelectMany(w => w.HasWhat))
        {
            if (t.State != TaskStateKind.Memory || !t.WhoHas.TrueForAll(h => h.Retiring) || !planned.Add(t))
            {
                continue;
            }

            if (bytes.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Cannot retire {string.Join(", ", workers)}: they hold {t.Key} (and maybe more) that no other worker holds, and no other worker is left to take it.");
            }

            WorkerState to = bytes.MinBy(b => (b.Key.Paused, b.Value)).Key;
            bytes[to] += Math.Max(0, t.NBytes);
            moves.Add(new ReplicaMove(t, to, null));
        }

        return moves;
    }

    /// <summary>Lets workers that were being retired take work again (the retirement failed).</summary>
    public void CancelRetirement(IReadOnlyList<WorkerState> workers)
    {
        foreach (WorkerState w in workers.Where(w => w.Retiring && !w.Closed))
        {
            w.Retiring = false;
            FillFromQueue(w);
        }
    }

    /// <summary>
    /// The copies that give each of <paramref name="keys"/> in memory <paramref name="copies"/> replicas
    /// (Dask's <c>replicate</c>; 0 or more than the workers: one on every worker that is not retiring),
    /// each to the worker without one that holds the fewest bytes (paused workers last). Replicas beyond that many are dropped
    /// at once, from the workers that hold the most bytes. Keys not in memory are left alone.
    /// </summary>
    public IReadOnlyList<ReplicaMove> PlanReplication(IReadOnlyList<Key> keys, int copies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        Dictionary<WorkerState, long> bytes = _workerList.Where(w => !w.Retiring).ToDictionary(w => w, w => w.NBytes);
        int wanted = copies == 0 ? bytes.Count : Math.Min(copies, bytes.Count);
        var moves = new List<ReplicaMove>();
        foreach (SchedulerTask t in InMemory(keys))
        {
            int missing = wanted - t.WhoHas.Count(h => !h.Retiring);
            foreach (WorkerState to in bytes.Where(b => !t.WhoHas.Contains(b.Key)).OrderBy(b => (b.Key.Paused, b.Value)).Select(b => b.Key).Take(Math.Max(0, missing)).ToArray())
            {
                bytes[to] += Math.Max(0, t.NBytes);
                moves.Add(new ReplicaMove(t, to, null));
            }

            foreach (WorkerState extra in t.WhoHas.OrderByDescending(w => w.NBytes).Take(Math.Max(0, -missing)).ToArray())
            {
                DropReplica(t, extra);
            }
        }

        return moves;
    }

    /// <summary>
    /// The moves that even out the workers' memory (Dask's <c>rebalance</c>), by the measure of
    /// <see cref="Rebalance"/> (see <see cref="RebalanceMeasureNow"/>). Workers at or above the mean by half of
    /// the gap of their limit, and at or above its sender-min, send keys of <paramref name="keys"/> (null:
    /// every key in memory), each its largest first, to the workers (not paused) below the mean by as much and
    /// below recipient-max of their limit. Each move goes from the sender farthest above the mean to the
    /// recipient farthest below it that does not hold the key; no move takes a sender below the mean or a
    /// recipient above it, and each side stops once it is within half the gap of the mean. A worker without
    /// a limit has no thresholds and no gap. A key a task processing on its sender needs stays there.
    /// </summary>
    public IReadOnlyList<ReplicaMove> PlanRebalance(IReadOnlyList<Key>? keys)
    {
        var moves = new List<ReplicaMove>();
        WorkerState[] workers = [.. _workerList.Where(w => !w.Retiring)];
        if (workers.Length < 2)
        {
            return moves;
        }

        RebalanceSettings settings = Rebalance;
        RebalanceMeasure measure = RebalanceMeasureNow();
        double mean = workers.Average(w => (double)RebalanceMemory(w, measure));
        HashSet<SchedulerTask>? movable = keys is null ? null : [.. InMemory(keys)];
        var senders = new List<RebalanceSide>();
        var recipients = new List<RebalanceSide>();
        foreach (WorkerState w in workers)
        {
            long memory = RebalanceMemory(w, measure);
            (double halfGap, double senderMin, double recipientMax) = w.MemoryLimit > 0
                ? (w.MemoryLimit * settings.Gap / 2, w.MemoryLimit * settings.SenderMin, w.MemoryLimit * settings.RecipientMax)
                : (0, 0, double.PositiveInfinity);
            if (w.HasWhat.Count > 0 && memory >= mean + halfGap && memory >= senderMin)
            {
                SchedulerTask[] candidates = [.. w.HasWhat
                    .Where(t => t.State == TaskStateKind.Memory && t.NBytes > 0 && (movable?.Contains(t) ?? true) && !NeededBy(t, w))
                    .OrderByDescending(t => t.NBytes)];
                senders.Add(new RebalanceSide(w, memory - mean, halfGap, candidates));
            }
            else if (memory < mean - halfGap && memory < recipientMax && !w.Paused)
            {
                recipients.Add(new RebalanceSide(w, mean - memory, halfGap, []));
            }
        }

        // Each turn moves one key of the sender with the most to lose, then weighs the senders again.
        while (senders.Count > 0 && recipients.Count > 0)
        {
            RebalanceSide sender = senders.MaxBy(s => s.Bytes)!;
            RebalanceSide? to = null;
            SchedulerTask? t = null;
            while (to is null && sender.TryTakeKey(out t))
            {
                to = t.NBytes > sender.Bytes ? null : recipients.Where(r => !t.WhoHas.Contains(r.Worker)).MaxBy(r => r.Bytes);
                if (to is not null && t.NBytes > to.Bytes)
                {
                    to = null;
                }
            }

            if (to is null)
            {
                senders.Remove(sender);
                continue;
            }

            moves.Add(new ReplicaMove(t!, to.Worker, sender.Worker));
            sender.Bytes -= t!.NBytes;
            to.Bytes -= t.NBytes;
            if (!sender.Wanting)
            {
                senders.Remove(sender);
            }

            if (!to.Wanting)
            {
                recipients.Remove(to);
            }
        }

        return moves;
    }

    /// <summary>
    /// The measure a rebalance uses now: the configured one, except that the process and optimistic measures
    /// fall back to managed memory unless every worker has its own process and reported its memory (workers
    /// inside one process all report that process's).
    /// </summary>
    public RebalanceMeasure RebalanceMeasureNow() =>
        Rebalance.Measure is RebalanceMeasure.Process or RebalanceMeasure.Optimistic && !_workerList.TrueForAll(w => w.Retiring || (w.OwnsProcess && w.MemoryBytes > 0))
            ? RebalanceMeasure.Managed
            : Rebalance.Measure;

    /// <summary>A worker's memory by a rebalance measure (Dask's <c>MemoryState</c>; managed memory counts at most the process's).</summary>
    public static long RebalanceMemory(WorkerState w, RebalanceMeasure measure)
    {
        long managed = Math.Min(w.ManagedBytes, w.MemoryBytes);
        return measure switch
        {
            RebalanceMeasure.Process => w.MemoryBytes,
            RebalanceMeasure.Managed => w.ManagedBytes,
            RebalanceMeasure.ManagedTotal => w.NBytes,
            _ => managed + Math.Min(w.UnmanagedOld, w.MemoryBytes - managed),
        };
    }

    /// <summary>
    /// Drops a worker's copy of a key (the last step of a move) when another worker holds it too and no task
    /// processing on that worker needs it; false when it stays.
    /// </summary>
    public bool DropReplica(Key key, string workerAddress) =>
        _tasks.TryGetValue(key, out SchedulerTask? t) && _workers.TryGetValue(workerAddress, out WorkerState? worker) && DropReplica(t, worker);

    /// <summary>The workers that hold each key now (none for a key that is not in memory).</summary>
    public string[][] WhoHas(IReadOnlyList<Key> keys) =>
        [.. keys.Select(k => _tasks.TryGetValue(k, out SchedulerTask? t) && t.State == TaskStateKind.Memory ? t.WhoHas.Select(w => w.Address).ToArray() : [])];

    private bool DropReplica(SchedulerTask t, WorkerState worker) =>
        t.State == TaskStateKind.Memory && t.WhoHas.Count > 1 && !NeededBy(t, worker) && RemoveReplica(t, worker);

    // Whether a task processing on the worker takes the key as an input (it reads it there when it starts).
    private static bool NeededBy(SchedulerTask t, WorkerState worker) => t.Dependents.Exists(d => d.State == TaskStateKind.Processing && d.ProcessingOn == worker);

    private IEnumerable<SchedulerTask> InMemory(IReadOnlyList<Key> keys) =>
        keys.Distinct().Select(k => _tasks.GetValueOrDefault(k)).OfType<SchedulerTask>().Where(t => t.State == TaskStateKind.Memory);

    // A sender's bytes to lose, or a recipient's to gain, until it is at the mean; it stops wanting once
    // within half the gap of the mean. A sender's keys are taken in turn, the largest first.
    private sealed class RebalanceSide(WorkerState worker, double bytes, double halfGap, SchedulerTask[] keys)
    {
        private int _next;

        public WorkerState Worker { get; } = worker;

        public double Bytes { get; set; } = bytes;

        public bool Wanting => Bytes > halfGap;

        public bool TryTakeKey([NotNullWhen(true)] out SchedulerTask? key)
        {
            key = _next < keys.Length ? keys[_next++] : null;
            return key is not null;
        }
    }
}
