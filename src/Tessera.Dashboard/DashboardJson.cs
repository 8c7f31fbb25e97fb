using System.Text.Json.Serialization;
using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>The JSON the dashboard's API returns (documented in docs/dashboard.md): times in seconds, names in camelCase.</summary>
internal static class DashboardJson
{
    public static StatusJson Status(SchedulerSnapshot s) => new(
        s.Time.ToUnixTimeMilliseconds() / 1000.0,
        s.Address,
        Counts(s.Tasks),
        [.. s.Prefixes.Select(p => new PrefixJson(p.Prefix, Counts(p.Counts)))],
        [.. s.Workers.Select(Worker)],
        s.Clients,
        s.TasksFinished,
        s.TasksErred,
        s.EventLoopLatency.TotalSeconds);

    public static WorkerJson Worker(WorkerSnapshot w) => new(
        w.Address, w.Name, w.Threads, w.MemoryLimit, w.MemoryBytes, w.StoredBytes, w.ManagedBytes, w.Processing, w.Executing, w.KeysHeld, w.Occupancy, w.SinceLastSeen.TotalSeconds, w.KeysIn, w.BytesIn, w.KeysOut, w.BytesOut,
        w.CpuPercent, w.SpilledBytes);

    /// <summary>A record's kind as the JSON names it (Dask's task stream actions).</summary>
    public static string Kind(TaskStreamKind kind) => kind switch
    {
        TaskStreamKind.Compute => "compute",
        TaskStreamKind.Transfer => "transfer",
        TaskStreamKind.DiskWrite => "disk-write",
        TaskStreamKind.DiskRead => "disk-read",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown task stream record kind."),
    };

    // A task run carries no peer, bytes or key count: they are left out of its JSON.
    public static TaskRecordJson Record(TaskStreamRecord r) => r.Kind == TaskStreamKind.Compute
        ? new(r.Sequence, r.Worker, r.Thread, r.Key, r.Prefix, r.Start, r.Stop, Kind(r.Kind), null, null, null)
        : new(r.Sequence, r.Worker, r.Thread, r.Key, r.Prefix, r.Start, r.Stop, Kind(r.Kind), r.Peer, r.Bytes, r.KeyCount);

    public static InfoJson Info(SchedulerMonitor monitor, SchedulerSnapshot snapshot, TimeSpan updateInterval, int logLimit)
    {
        SchedulerInfo i = monitor.GetInfo();
        var scheduler = new SchedulerInfoJson(
            i.Address, i.StartTime.ToUnixTimeMilliseconds() / 1000.0, i.WorkerSaturation, i.WorkerTimeout.TotalSeconds, i.AllowedFailures, i.Version, i.Runtime, i.OperatingSystem,
            i.MachineName, i.ProcessId, i.ProcessorCount, updateInterval.TotalSeconds, monitor.MinimumInterval.TotalSeconds, monitor.GraphTaskLimit);
        return new InfoJson(
            scheduler,
            [.. snapshot.Workers.Select(w => new WorkerInfoJson(w.Address, w.Name, w.Threads, w.MemoryLimit))],
            [.. monitor.GetLogs(logLimit).Select(l => new LogJson(l.Sequence, l.Time.ToUnixTimeMilliseconds() / 1000.0, l.Level.ToString().ToLowerInvariant(), l.Source, l.Message))]);
    }

    public static CountsJson Counts(TaskStateCounts c) => new(c.Released, c.Waiting, c.NoWorker, c.Queued, c.Processing, c.Memory, c.Erred, c.Total);
}

internal sealed record CountsJson(int Released, int Waiting, int NoWorker, int Queued, int Processing, int Memory, int Erred, int Total);

internal sealed record PrefixJson(string Prefix, CountsJson Counts);

internal sealed record WorkerJson(
    string Address, string? Name, int Threads, long MemoryLimit, long MemoryBytes, long StoredBytes, long ManagedBytes, int Processing, int Executing, int KeysHeld, double Occupancy, double LastSeenSecondsAgo, long KeysIn, long BytesIn, long KeysOut, long BytesOut,
    double CpuPercent, long SpilledBytes);

internal sealed record StatusJson(
    double Time, string Address, CountsJson Tasks, PrefixJson[] Prefixes, WorkerJson[] Workers, int Clients, long TasksFinished, long TasksErred, double EventLoopLatencySeconds);

internal sealed record TaskRecordJson(
    long Sequence,
    string Worker,
    int Thread,
    string Key,
    string Prefix,
    double Start,
    double Stop,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Peer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Bytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Keys);

internal sealed record TaskStreamJson(long Next, TaskRecordJson[] Records);

internal sealed record TasksJson(CountsJson Tasks, PrefixJson[] Prefixes);

internal sealed record UpdateJson(StatusJson Status, TaskStreamJson TaskStream);

/// <summary>What a performance report carries: an update, as the status page draws it, and the profile of its task runs.</summary>
internal sealed record ReportJson(StatusJson Status, TaskStreamJson TaskStream, ProfileJson Profile);

internal sealed record GraphNodeJson(string Key, string Prefix, string State, int Layer, int Position);

internal sealed record PrefixEdgeJson(string From, string To, int Count);

internal sealed record GraphJson(
    double Time, int TaskCount, int Limit, bool Summarized, int Layers, GraphNodeJson[] Nodes, int[][] Edges, PrefixJson[] Prefixes, PrefixEdgeJson[] PrefixEdges);

internal sealed record SchedulerInfoJson(
    string Address, double StartTime, double WorkerSaturation, double WorkerTimeoutSeconds, int AllowedFailures, string Version, string Runtime, string OperatingSystem,
    string MachineName, int ProcessId, int ProcessorCount, double DashboardUpdateIntervalSeconds, double SnapshotIntervalSeconds, int GraphTaskLimit);

internal sealed record WorkerInfoJson(string Address, string? Name, int Threads, long MemoryLimit);

internal sealed record LogJson(long Sequence, double Time, string Level, string Source, string Message);

internal sealed record InfoJson(SchedulerInfoJson Scheduler, WorkerInfoJson[] Workers, LogJson[] Logs);

internal sealed record WorkerTimeJson(string Worker, int Count, double TotalSeconds);

internal sealed record PrefixProfileJson(string Prefix, int Count, double TotalSeconds, double MeanSeconds, double MaxSeconds, WorkerTimeJson[] Workers);

internal sealed record ProfileJson(int Records, double SpanSeconds, PrefixProfileJson[] Prefixes, WorkerTimeJson[] Workers);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(WorkerJson[]))]
[JsonSerializable(typeof(TaskStreamJson))]
[JsonSerializable(typeof(TasksJson))]
[JsonSerializable(typeof(UpdateJson))]
[JsonSerializable(typeof(GraphJson))]
[JsonSerializable(typeof(InfoJson))]
[JsonSerializable(typeof(ProfileJson))]
[JsonSerializable(typeof(ReportJson))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
