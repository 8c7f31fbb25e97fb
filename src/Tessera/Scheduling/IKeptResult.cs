using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>
/// A handle to a result that a scheduler keeps where it was computed (a future of a cluster's client),
/// standing for that result in a graph as a literal under the result's key (see
/// <see cref="IPersistingScheduler"/>). Graph optimizations leave such entries in place: they are not
/// values to inline or fuse, but data that the scheduler already holds.
/// </summary>
public interface IKeptResult
{
    /// <summary>Gets the key under which the scheduler keeps the result.</summary>
    Key Key { get; }
}
