using System.Collections.Immutable;

namespace Tessera.Graphs;

/// <summary>A graph rewrite that keeps the values of the requested keys (an optimization pass).</summary>
public interface IGraphOptimization
{
    /// <summary>Gets the pass's name, for diagnostics.</summary>
    string Name { get; }

    /// <summary>Rewrites the graph; the requested keys must keep their names and values.</summary>
    /// <param name="graph">The graph (do not modify it; return a new one or the same).</param>
    /// <param name="outputs">The requested keys.</param>
    /// <returns>The rewritten graph.</returns>
    TaskGraph Apply(TaskGraph graph, IReadOnlyList<Key> outputs);
}

/// <summary>
/// Runs the optimization passes before a graph is computed: culling, then the passes that
/// configuration enables (<c>optimization.inline.active</c>, <c>optimization.fuse.active</c>),
/// then the passes that collections register.
/// </summary>
public static class GraphOptimizer
{
    private static ImmutableArray<IGraphOptimization> s_passes = [];

    /// <summary>Gets the passes registered by collections, in the order they run.</summary>
    public static ImmutableArray<IGraphOptimization> RegisteredPasses => s_passes;

    /// <summary>Adds a pass that runs after the built-in ones for every computation.</summary>
    /// <param name="pass">The pass.</param>
    public static void Register(IGraphOptimization pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ImmutableInterlocked.Update(ref s_passes, static (passes, p) => passes.Contains(p) ? passes : passes.Add(p), pass);
    }

    /// <summary>Optimizes a graph for computing <paramref name="outputs"/>.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="outputs">The requested keys.</param>
    /// <returns>The optimized graph.</returns>
    public static TaskGraph Optimize(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(outputs);
        TaskGraph g = graph;
        if (TesseraConfig.Get("optimization.inline.active", true))
        {
            g = GraphOptimizations.InlineConstants(g, outputs);
        }

        if (TesseraConfig.Get("optimization.fuse.active", false))
        {
            g = GraphOptimizations.FuseLinear(g, outputs);
        }

        foreach (IGraphOptimization pass in s_passes)
        {
            g = pass.Apply(g, outputs);
        }

        return g;
    }
}
