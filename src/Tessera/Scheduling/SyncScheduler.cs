using System.Collections.Immutable;
using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>
/// Runs every task on the calling thread, one after the other, in static priority order. Made for
/// debugging: a task's exception keeps its real stack trace (as the inner exception), and a
/// debugger stops in the task's own frame.
/// </summary>
public sealed class SyncScheduler : IScheduler
{
    private SyncScheduler()
    {
    }

    /// <summary>Gets the synchronous scheduler.</summary>
    public static SyncScheduler Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "sync";

    /// <inheritdoc/>
    public object?[] Get(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        ExecutionPlan plan = ExecutionPlan.Build(graph, keys);
        return new Run(plan, SchedulerCallback.Active).Execute(cancellationToken);
    }

    /// <inheritdoc/>
    public Task<object?[]> GetAsync(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key> keys, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(Get(graph, keys, cancellationToken));
        }
        catch (OperationCanceledException e) when (e.CancellationToken == cancellationToken)
        {
            return Task.FromCanceled<object?[]>(cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<object?[]>(e);
        }
    }

    private sealed class Run(ExecutionPlan plan, ImmutableArray<SchedulerCallback> callbacks) : LocalRun(plan, callbacks)
    {
        public object?[] Execute(CancellationToken cancellationToken)
        {
            NotifyStart("sync", 1);
            bool failed = true;
            try
            {
                foreach (int task in Plan.ByPriority)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        Execute(task, 0);
                    }
                    catch (Exception e) when (!IsOwnCancellation(e, cancellationToken))
                    {
                        throw new TaskFailedException(Plan.Keys[task], e);
                    }

                    ReleaseInputs(task);
                }

                failed = false;
                return CollectOutputs();
            }
            finally
            {
                NotifyFinish(failed);
            }
        }
    }
}
