using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>
/// A scheduler that keeps computed results where they were computed — a cluster's workers — instead of
/// handing them to the caller (Dask's <c>persist</c> with a distributed client). <c>Persist</c> on a
/// collection uses it when the scheduler has it, so a persisted collection's data stays on the cluster.
/// </summary>
public interface IPersistingScheduler : IScheduler
{
    /// <summary>
    /// Starts computing <paramref name="keys"/> and returns at once with one handle per key, which stands
    /// for the result: a graph given to this scheduler may hold a handle as a literal under its own key,
    /// and the task then starts from the kept result. The results are kept while the handles live.
    /// </summary>
    /// <param name="graph">The task graph.</param>
    /// <param name="keys">The keys to compute and keep.</param>
    /// <returns>The handles, in the order of <paramref name="keys"/>.</returns>
    /// <exception cref="InvalidGraphException">The graph has a cycle or a reference to a missing key.</exception>
    IReadOnlyList<object> Persist(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys);
}
