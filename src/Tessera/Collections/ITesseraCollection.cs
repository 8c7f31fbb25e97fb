using System.Diagnostics.CodeAnalysis;
using Tessera.Graphs;

namespace Tessera.Collections;

/// <summary>
/// A lazy collection (a bag, a chunked array, a partitioned data frame): parts computed by a
/// layered task graph (Dask's collection protocol). Schedulers know nothing of collections; they
/// compute the part keys, and the collection assembles its result from the parts.
/// </summary>
/// <remarks>
/// Implement <see cref="ITesseraCollection{TResult}"/>; <see cref="CollectionExtensions"/> then
/// gives the collection <c>Compute</c>, <c>ComputeAsync</c>, <c>Persist</c> and <c>ToDelayed</c>,
/// and the distributed client computes it unchanged.
/// </remarks>
[SuppressMessage("Naming", "CA1711", Justification = "A collection in Dask's sense: a bag, an array, a data frame.")]
public interface ITesseraCollection
{
    /// <summary>Gets the graph that computes the parts.</summary>
    LayeredGraph Graph { get; }

    /// <summary>Gets the keys of the parts (partitions, blocks), in the collection's order.</summary>
    IReadOnlyList<Key> PartKeys { get; }

    /// <summary>
    /// Rewrites the materialized graph before it runs (Dask's <c>__dask_optimize__</c>); called
    /// after culling to <see cref="PartKeys"/> and before the configured generic passes.
    /// </summary>
    /// <param name="graph">The culled task graph (do not modify it; return a new one or the same).</param>
    /// <param name="outputs">The part keys being computed.</param>
    /// <returns>The rewritten graph.</returns>
    TaskGraph Optimize(TaskGraph graph, IReadOnlyList<Key> outputs) => graph;

    /// <summary>
    /// Returns a collection like this one over another graph that defines the same part keys
    /// (Dask's <c>__dask_postpersist__</c>); used by <c>Persist</c> to start from computed parts.
    /// </summary>
    /// <param name="graph">The graph; it defines every key of <see cref="PartKeys"/>.</param>
    /// <returns>The collection.</returns>
    ITesseraCollection WithGraph(LayeredGraph graph);
}

/// <summary>A lazy collection whose computed value is a <typeparamref name="TResult"/>.</summary>
/// <typeparam name="TResult">The type of the computed collection (for example a list, an array block or a table).</typeparam>
[SuppressMessage("Naming", "CA1711", Justification = "A collection in Dask's sense: a bag, an array, a data frame.")]
public interface ITesseraCollection<out TResult> : ITesseraCollection
{
    /// <summary>Builds the collection's value from its computed parts (Dask's <c>__dask_postcompute__</c>).</summary>
    /// <param name="parts">The parts' values, in the order of <see cref="ITesseraCollection.PartKeys"/>.</param>
    /// <returns>The value.</returns>
    TResult Assemble(IReadOnlyList<object?> parts);
}
