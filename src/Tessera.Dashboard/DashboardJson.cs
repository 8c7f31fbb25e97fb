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
        w.Address, w.Name, w.Threads, w.MemoryLimit, w.MemoryBytes, w.StoredBytes, w.ManagedBytes, w.Processing, w.Executing, w.KeysHeld, w.Occupancy, w.SinceLastSeen.TotalSeconds);

    public static TaskRecordJson Record(TaskStreamRecord r) => new(r.Sequence, r.Worker, r.Thread, r.Key, r.Prefix, r.Start, r.Stop);

    public static CountsJson Counts(TaskStateCounts c) => new(c.Released, c.Waiting, c.NoWorker, c.Queued, c.Processing, c.Memory, c.Erred, c.Total);
}

internal sealed record CountsJson(int Released, int Waiting, int NoWorker, int Queued, int Processing, int Memory, int Erred, int Total);

internal sealed record PrefixJson(string Prefix, CountsJson Counts);

internal sealed record WorkerJson(
    string Address, string? Name, int Threads, long MemoryLimit, long MemoryBytes, long StoredBytes, long ManagedBytes, int Processing, int Executing, int KeysHeld, double Occupancy, double LastSeenSecondsAgo);

internal sealed record StatusJson(
    double Time, string Address, CountsJson Tasks, PrefixJson[] Prefixes, WorkerJson[] Workers, int Clients, long TasksFinished, long TasksErred, double EventLoopLatencySeconds);

internal sealed record TaskRecordJson(long Sequence, string Worker, int Thread, string Key, string Prefix, double Start, double Stop);

internal sealed record TaskStreamJson(long Next, TaskRecordJson[] Records);

internal sealed record TasksJson(CountsJson Tasks, PrefixJson[] Prefixes);

internal sealed record UpdateJson(StatusJson Status, TaskStreamJson TaskStream);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(WorkerJson[]))]
[JsonSerializable(typeof(TaskStreamJson))]
[JsonSerializable(typeof(TasksJson))]
[JsonSerializable(typeof(UpdateJson))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
