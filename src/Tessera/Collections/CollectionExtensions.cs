using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Collections;

/// <summary>Computing, persisting and converting any <see cref="ITesseraCollection"/>.</summary>
public static class CollectionExtensions
{
    /// <summary>Computes the collection and blocks until its value is ready.</summary>
    /// <typeparam name="TResult">The collection's value type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="scheduler">The scheduler; by default the configured one (a connected client, when there is one).</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    public static TResult Compute<TResult>(this ITesseraCollection<TResult> collection, IScheduler? scheduler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        (TaskGraph graph, IReadOnlyList<Key> keys) = Prepare(collection);
        return collection.Assemble((scheduler ?? Schedulers.Default).Get(graph, keys, cancellationToken));
    }

    /// <summary>Computes the collection without blocking the caller.</summary>
    /// <typeparam name="TResult">The collection's value type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    public static Task<TResult> ComputeAsync<TResult>(this ITesseraCollection<TResult> collection, CancellationToken cancellationToken = default) =>
        ComputeAsync(collection, scheduler: null, cancellationToken);

    /// <summary>Computes the collection on <paramref name="scheduler"/> without blocking the caller.</summary>
    /// <typeparam name="TResult">The collection's value type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    public static async Task<TResult> ComputeAsync<TResult>(this ITesseraCollection<TResult> collection, IScheduler? scheduler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        (TaskGraph graph, IReadOnlyList<Key> keys) = Prepare(collection);
        object?[] parts = await (scheduler ?? Schedulers.Default).GetAsync(graph, keys, cancellationToken).ConfigureAwait(false);
        return collection.Assemble(parts);
    }

    /// <summary>
    /// Computes the parts now and returns the same collection over their values, so later
    /// operations start from the computed parts instead of recomputing them. On a scheduler that keeps
    /// results where they are computed (<see cref="IPersistingScheduler"/>, a cluster's client) the parts
    /// stay on the cluster and the call returns while they compute, as Dask's <c>persist</c> does there;
    /// the persisted collection then computes on that scheduler only.
    /// </summary>
    /// <typeparam name="TCollection">The collection type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The persisted collection.</returns>
    public static TCollection Persist<TCollection>(this TCollection collection, IScheduler? scheduler = null, CancellationToken cancellationToken = default)
        where TCollection : ITesseraCollection
    {
        ArgumentNullException.ThrowIfNull(collection);
        (TaskGraph graph, IReadOnlyList<Key> keys) = Prepare(collection);
        if (keys.Count == 0)
        {
            return collection;
        }

        // A cluster keeps the parts on its workers; the graph then holds their handles, not their values.
        IScheduler target = scheduler ?? Schedulers.Default;
        object?[] parts = target is IPersistingScheduler keeping ? [.. keeping.Persist(graph, keys)] : target.Get(graph, keys, cancellationToken);
        var persisted = new TaskGraph(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            persisted.TryAdd(keys[i], Node.Literal(parts[i]));
        }

        string name = "persist-" + Tokenizer.Tokenize(keys[0], keys.Count);
        return (TCollection)collection.WithGraph(LayeredGraph.FromLayer(new MaterializedLayer(name, persisted)));
    }

    /// <summary>
    /// Returns one lazy value per part (Dask's <c>to_delayed</c>), for mixing collections with
    /// custom <see cref="Delayed"/> code.
    /// </summary>
    /// <typeparam name="TPart">The type of one part's value (for example <c>IReadOnlyList&lt;T&gt;</c> for a bag partition).</typeparam>
    /// <param name="collection">The collection.</param>
    /// <returns>The lazy parts, in the order of <see cref="ITesseraCollection.PartKeys"/>.</returns>
    public static Delayed<TPart>[] ToDelayed<TPart>(this ITesseraCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        TaskGraph graph = collection.Graph.ToTaskGraph();
        var result = new Delayed<TPart>[collection.PartKeys.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Delayed.FromGraph<TPart>(collection.PartKeys[i], graph);
        }

        return result;
    }

    /// <summary>Materializes and optimizes the collection's graph for computing its parts.</summary>
    /// <param name="collection">The collection.</param>
    /// <returns>The graph to run and the keys to request.</returns>
    public static (TaskGraph Graph, IReadOnlyList<Key> Keys) Prepare(ITesseraCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        IReadOnlyList<Key> keys = collection.PartKeys;
        if (keys.Count == 0)
        {
            return (new TaskGraph(), keys);
        }

        TaskGraph graph = GraphOptimizations.Cull(collection.Graph.ToTaskGraph(), keys);
        graph = collection.Optimize(graph, keys);
        return (GraphOptimizer.Optimize(graph, keys), keys);
    }
}
