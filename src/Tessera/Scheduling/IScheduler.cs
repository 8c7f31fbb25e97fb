using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>
/// Runs task graphs. Every scheduler follows one contract, checked by one test suite: it computes
/// the requested keys (and only what they need), runs each task after its dependencies, reports a
/// failing task as <see cref="TaskFailedException"/> with the task's key and the original exception
/// as inner exception, stops the remaining work, and honours cancellation.
/// </summary>
public interface IScheduler
{
    /// <summary>Gets the scheduler's name, as used in configuration (<c>sync</c>, <c>threads</c>, …).</summary>
    string Name { get; }

    /// <summary>Computes <paramref name="keys"/> and blocks until they are ready.</summary>
    /// <param name="graph">The task graph.</param>
    /// <param name="keys">The requested keys.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The results, in the order of <paramref name="keys"/>.</returns>
    /// <exception cref="KeyNotFoundException">A requested key is not in the graph.</exception>
    /// <exception cref="InvalidGraphException">The graph has a cycle or a reference to a missing key.</exception>
    /// <exception cref="TaskFailedException">A task threw.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    object?[] Get(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default);

    /// <summary>Computes <paramref name="keys"/> without blocking the caller.</summary>
    /// <param name="graph">The task graph.</param>
    /// <param name="keys">The requested keys.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The results, in the order of <paramref name="keys"/>.</returns>
    Task<object?[]> GetAsync(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default);
}
