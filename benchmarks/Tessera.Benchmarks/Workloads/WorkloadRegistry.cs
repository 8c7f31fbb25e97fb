using Tessera.Benchmarks.Harness;

namespace Tessera.Benchmarks.Workloads;

/// <summary>The workloads the runner knows. Add a workload here (one class each).</summary>
internal static class WorkloadRegistry
{
    /// <summary>Gets every workload, by name.</summary>
    public static IReadOnlyList<IWorkload> All { get; } =
    [
        new SchedOverheadLocal(),
        new SchedOverheadDistributed(),
        new ProfileDistributed(),
        new ProfileCore(),
        new DataFrameWorkload(),
        new BagWorkload(),
        new ArrayReduce(),
        new ArrayRechunk(),
        new MemoryOrder(),
        new CsvParsersWorkload(),
        new DashboardOverhead(),
        new DashboardLatency(),
        new WorkStealing(),
    ];

    /// <summary>Finds a workload by name (exact, ordinal).</summary>
    public static IWorkload? Find(string name) => All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.Ordinal));
}
