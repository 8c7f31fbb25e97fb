namespace Tessera.Graphs;

public static partial class GraphOptimizations
{
    /// <summary>
    /// Inlines constants (Dask's <c>inline</c> of constants plus <c>resolve_aliases</c>): every
    /// top-level literal entry that is not requested is substituted into the nodes that refer to it
    /// and dropped; an alias (a top-level reference) whose target is in the graph, is not requested
    /// and has no other dependent takes over the target's node, repeatedly along alias chains.
    /// </summary>
    /// <param name="graph">The graph (not modified).</param>
    /// <param name="outputs">The requested keys; they keep their names and values.</param>
    /// <returns>The rewritten graph in the original insertion order, or <paramref name="graph"/> itself when nothing changes.</returns>
    /// <remarks>O(V + E); a graph with no alias and no unrequested literal entry costs one scan and no allocation.</remarks>
    public static TaskGraph InlineConstants(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(outputs);
        return ConstantInliner.Apply(graph, outputs);
    }

    /// <summary>
    /// Fuses linear chains of tasks into one task each (Dask's <c>fuse_linear_task_spec</c>): in a
    /// chain a → b → c where each link's dependency has that one dependent and each dependent has that
    /// one dependency, the nodes are nested into one task. A requested key is never swallowed (it can
    /// only end a chain), and a branch stops a chain.
    /// </summary>
    /// <param name="graph">The graph (not modified).</param>
    /// <param name="outputs">The requested keys; they keep their names and values.</param>
    /// <returns>
    /// The fused graph, or <paramref name="graph"/> itself when nothing fuses. A fused task's key joins
    /// the chain's key prefixes with '-' in dependency order (each prefix once), with the block index
    /// of the chain's last key and a token appended if that name is taken. The chain's last key stays
    /// as an alias of the fused key when it is requested or used elsewhere; the inner keys disappear.
    /// </returns>
    /// <remarks>
    /// Unlike Dask, a link whose task refers to its dependency more than once fuses only when the part
    /// below it calls no function (so no work is repeated), and a fused node's nesting depth is bounded.
    /// </remarks>
    public static TaskGraph FuseLinear(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(outputs);
        return LinearFusion.Apply(graph, outputs);
    }
}
