using System.Diagnostics.Metrics;

namespace Tessera.Distributed;

/// <summary>
/// The instruments of <see cref="SchedulerMonitor.Meter"/>: observable ones that read the monitor's latest
/// snapshot, so observing them never touches the scheduler's event loop; a stale snapshot is refreshed in
/// the background for the next observation.
/// </summary>
internal static class SchedulerMeter
{
    /// <summary>The scheduler task states as metric labels, with how to read each from counts.</summary>
    internal static readonly (string State, Func<TaskStateCounts, int> Count)[] States =
    [
        ("released", c => c.Released), ("waiting", c => c.Waiting), ("no-worker", c => c.NoWorker), ("queued", c => c.Queued),
        ("processing", c => c.Processing), ("memory", c => c.Memory), ("erred", c => c.Erred),
    ];

    // Per prefix, the states ready or not yet ready to run count as waiting (as the progress bars show them).
    private static readonly (string State, Func<TaskStateCounts, int> Count)[] s_prefixStates =
    [
        ("released", c => c.Released), ("waiting", c => c.Waiting + c.NoWorker + c.Queued), ("processing", c => c.Processing),
        ("memory", c => c.Memory), ("erred", c => c.Erred),
    ];

    public static Meter Create(SchedulerMonitor monitor, string address)
    {
        var meter = new Meter(SchedulerMonitor.MeterName, typeof(SchedulerMeter).Assembly.GetName().Version?.ToString(), [new("tessera.scheduler.address", address)]);

        meter.CreateObservableGauge("tessera.scheduler.tasks", () => Read(monitor, s => States.Select(x => Measure(x.Count(s.Tasks), "state", x.State))), "{task}", "Tasks the scheduler tracks, by state.");
        meter.CreateObservableCounter("tessera.scheduler.tasks.finished", () => Read<long>(monitor, s => [new Measurement<long>(s.TasksFinished)]), "{task}", "Task runs finished on workers since the scheduler started.");
        meter.CreateObservableCounter("tessera.scheduler.tasks.erred", () => Read<long>(monitor, s => [new Measurement<long>(s.TasksErred)]), "{task}", "Task runs that failed on workers since the scheduler started.");
        meter.CreateObservableGauge("tessera.scheduler.workers", () => Read<long>(monitor, s => [new Measurement<long>(s.Workers.Count)]), "{worker}", "Connected workers.");
        meter.CreateObservableGauge("tessera.scheduler.clients", () => Read<long>(monitor, s => [new Measurement<long>(s.Clients)]), "{client}", "Connected clients.");
        meter.CreateObservableGauge("tessera.scheduler.worker_threads", () => Read<long>(monitor, s => [new Measurement<long>(s.Workers.Sum(w => (long)w.Threads))]), "{thread}", "Threads that run tasks, over all workers.");
        meter.CreateObservableGauge("tessera.scheduler.stored", () => Read<long>(monitor, s => [new Measurement<long>(s.Workers.Sum(w => w.StoredBytes))]), "By", "Bytes of results held by workers, over all workers (from their heartbeats).");
        meter.CreateObservableCounter("tessera.scheduler.transfers", () => Read<long>(monitor, s => [new Measurement<long>(s.Workers.Sum(w => w.KeysIn))]), "{key}", "Inputs workers fetched from other workers (from their heartbeats; workers that left no longer count).");
        meter.CreateObservableCounter("tessera.scheduler.transferred", () => Read<long>(monitor, s => [new Measurement<long>(s.Workers.Sum(w => w.BytesIn))]), "By", "Serialized bytes of the inputs workers fetched from other workers.");
        meter.CreateObservableGauge("tessera.scheduler.event_loop.latency", () => Read<double>(monitor, s => [new Measurement<double>(s.EventLoopLatency.TotalSeconds)]), "s", "How long a request waited in the scheduler's event loop queue at the latest snapshot.");
        meter.CreateObservableGauge("tessera.worker.stored", () => Read(monitor, s => s.Workers.Select(w => Measure(w.StoredBytes, "worker", w.Address))), "By", "Bytes of results a worker holds.");
        meter.CreateObservableGauge("tessera.worker.memory", () => Read(monitor, s => s.Workers.Select(w => Measure(w.MemoryBytes, "worker", w.Address))), "By", "A worker process's memory.");
        meter.CreateObservableGauge("tessera.worker.spilled", () => Read(monitor, s => s.Workers.Select(w => Measure(w.SpilledBytes, "worker", w.Address))), "By", "Serialized bytes of the results a worker spilled to disk.");
        meter.CreateObservableGauge(
            "tessera.worker.cpu",
            () => Read(monitor, s => s.Workers.Select(w => new Measurement<double>(w.CpuPercent, new KeyValuePair<string, object?>("worker", w.Address)))),
            "%",
            "A worker process's CPU use between its last two heartbeats, in percent of one core.");
        meter.CreateObservableCounter("tessera.worker.transfer.in", () => Read(monitor, s => s.Workers.Select(w => Measure(w.BytesIn, "worker", w.Address))), "By", "Serialized bytes a worker fetched from other workers.");
        meter.CreateObservableCounter("tessera.worker.transfer.out", () => Read(monitor, s => s.Workers.Select(w => Measure(w.BytesOut, "worker", w.Address))), "By", "Serialized bytes a worker sent to other workers and clients.");
        meter.CreateObservableGauge("tessera.worker.processing_tasks", () => Read(monitor, s => s.Workers.Select(w => Measure(w.Processing, "worker", w.Address))), "{task}", "Tasks sent to a worker and not finished.");
        meter.CreateObservableGauge(
            "tessera.prefix.tasks",
            () => Read(monitor, s => s.Prefixes.SelectMany(p => s_prefixStates.Select(x => new Measurement<long>(x.Count(p.Counts), new("prefix", p.Prefix), new("state", x.State))))),
            "{task}",
            "Tasks by task prefix and state.");
        return meter;
    }

    private static Measurement<long> Measure(long value, string label, string labelValue) => new(value, new KeyValuePair<string, object?>(label, labelValue));

    private static IEnumerable<Measurement<T>> Read<T>(SchedulerMonitor monitor, Func<SchedulerSnapshot, IEnumerable<Measurement<T>>> measure)
        where T : struct
    {
        monitor.RefreshIfStale();
        return monitor.LatestSnapshot is { } s ? [.. measure(s)] : [];
    }
}
