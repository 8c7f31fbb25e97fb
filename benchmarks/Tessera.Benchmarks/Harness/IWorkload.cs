using System.Text.Json.Nodes;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// One benchmark workload, the counterpart of one script in shared/bench/dask: it runs its cases
/// and returns their records. To add a workload, write one class and list it in
/// <see cref="Workloads.WorkloadRegistry"/>.
/// </summary>
internal interface IWorkload
{
    /// <summary>Gets the workload's name; the same as the Dask script's file name (without .py).</summary>
    string Name { get; }

    /// <summary>Gets a one-line description, shown by <c>--list</c>.</summary>
    string Description { get; }

    /// <summary>Gets the number of timed runs per case when --repeats is not given (as in the Dask script).</summary>
    int DefaultRepeats => 3;

    /// <summary>Runs every case.</summary>
    /// <param name="options">Size and repeats.</param>
    /// <returns>The case records and the workload's parameters.</returns>
    WorkloadReport Run(BenchOptions options);
}

/// <summary>The command-line options a workload sees.</summary>
/// <param name="Size">"small" or "full".</param>
/// <param name="Repeats">Timed runs per case.</param>
/// <param name="Only">When set, run only the cases whose name contains it (for profiling; compare.py never sets it).</param>
internal sealed record BenchOptions(string Size, int Repeats, string? Only = null)
{
    /// <summary>Gets a value indicating whether this is the full size.</summary>
    public bool IsFull => Size == "full";

    /// <summary>Whether the case <paramref name="caseName"/> is to run.</summary>
    public bool Wants(string caseName) => Only is null || caseName.Contains(Only, StringComparison.Ordinal);
}

/// <summary>What a workload returns: its case records, its parameters and any extra top-level fields.</summary>
internal sealed class WorkloadReport
{
    /// <summary>Gets the case records, in the order they ran.</summary>
    public List<CaseResult> Results { get; } = [];

    /// <summary>Gets the workload's parameters (the "params" field of the JSON line).</summary>
    public JsonObject Params { get; } = [];

    /// <summary>Gets extra top-level fields of the JSON line.</summary>
    public JsonObject Extra { get; } = [];
}
