using System.Globalization;
using System.Text;
using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>Writes a scheduler snapshot in Prometheus' text exposition format (version 0.0.4).</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(SchedulerSnapshot s)
    {
        var b = new StringBuilder(2048);
        Header(b, "tessera_scheduler_tasks", "gauge", "Tasks the scheduler tracks, by state.");
        TaskStateCounts c = s.Tasks;
        foreach ((string state, int n) in new[] { ("released", c.Released), ("waiting", c.Waiting), ("no-worker", c.NoWorker), ("queued", c.Queued), ("processing", c.Processing), ("memory", c.Memory), ("erred", c.Erred) })
        {
            Sample(b, "tessera_scheduler_tasks", $"state=\"{state}\"", n);
        }

        Header(b, "tessera_scheduler_tasks_finished_total", "counter", "Task runs finished on workers since the scheduler started.");
        Sample(b, "tessera_scheduler_tasks_finished_total", null, s.TasksFinished);
        Header(b, "tessera_scheduler_tasks_erred_total", "counter", "Task runs that failed on workers since the scheduler started.");
        Sample(b, "tessera_scheduler_tasks_erred_total", null, s.TasksErred);
        Header(b, "tessera_scheduler_workers", "gauge", "Connected workers.");
        Sample(b, "tessera_scheduler_workers", null, s.Workers.Count);
        Header(b, "tessera_scheduler_clients", "gauge", "Connected clients.");
        Sample(b, "tessera_scheduler_clients", null, s.Clients);
        Header(b, "tessera_scheduler_worker_threads", "gauge", "Threads that run tasks, over all workers.");
        Sample(b, "tessera_scheduler_worker_threads", null, s.Workers.Sum(w => (long)w.Threads));
        Header(b, "tessera_scheduler_stored_bytes", "gauge", "Bytes of results held by workers, over all workers (from their heartbeats).");
        Sample(b, "tessera_scheduler_stored_bytes", null, s.Workers.Sum(w => w.StoredBytes));
        Header(b, "tessera_scheduler_event_loop_latency_seconds", "gauge", "How long a request waited in the scheduler's event loop queue when this scrape was taken.");
        Sample(b, "tessera_scheduler_event_loop_latency_seconds", null, s.EventLoopLatency.TotalSeconds);

        Header(b, "tessera_worker_stored_bytes", "gauge", "Bytes of results a worker holds.");
        foreach (WorkerSnapshot w in s.Workers)
        {
            Sample(b, "tessera_worker_stored_bytes", WorkerLabel(w), w.StoredBytes);
        }

        Header(b, "tessera_worker_memory_bytes", "gauge", "A worker process's memory.");
        foreach (WorkerSnapshot w in s.Workers)
        {
            Sample(b, "tessera_worker_memory_bytes", WorkerLabel(w), w.MemoryBytes);
        }

        Header(b, "tessera_worker_processing_tasks", "gauge", "Tasks sent to a worker and not finished.");
        foreach (WorkerSnapshot w in s.Workers)
        {
            Sample(b, "tessera_worker_processing_tasks", WorkerLabel(w), w.Processing);
        }

        Header(b, "tessera_prefix_tasks", "gauge", "Tasks by task prefix and state.");
        foreach (TaskPrefixProgress p in s.Prefixes)
        {
            string prefix = Escape(p.Prefix);
            TaskStateCounts pc = p.Counts;
            foreach ((string state, int n) in new[] { ("released", pc.Released), ("waiting", pc.Waiting + pc.NoWorker + pc.Queued), ("processing", pc.Processing), ("memory", pc.Memory), ("erred", pc.Erred) })
            {
                Sample(b, "tessera_prefix_tasks", $"prefix=\"{prefix}\",state=\"{state}\"", n);
            }
        }

        return b.ToString();
    }

    private static string WorkerLabel(WorkerSnapshot w) => $"worker=\"{Escape(w.Address)}\"";

    private static void Header(StringBuilder b, string name, string type, string help) =>
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder b, string name, string? labels, double value)
    {
        b.Append(name);
        if (labels is not null)
        {
            b.Append('{').Append(labels).Append('}');
        }

        b.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
