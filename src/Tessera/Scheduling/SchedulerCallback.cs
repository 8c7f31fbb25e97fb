using System.Collections.Immutable;
using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>What a scheduler tells callbacks when a computation starts.</summary>
/// <param name="SchedulerName">The scheduler's name (<c>sync</c>, <c>threads</c>, …).</param>
/// <param name="Workers">How many threads run tasks.</param>
/// <param name="Keys">The key of every task that will run, after culling.</param>
/// <param name="Outputs">The requested keys.</param>
public sealed record ComputeStartInfo(string SchedulerName, int Workers, IReadOnlyList<Key> Keys, IReadOnlyList<Key> Outputs)
{
    /// <summary>Gets the number of tasks that will run.</summary>
    public int TaskCount => Keys.Count;
}

/// <summary>
/// Hooks that schedulers call around a computation and around every task: the base of progress
/// bars and profilers (Dask's <c>Callback</c> with start, pretask, posttask and finish).
/// </summary>
/// <remarks>
/// <para>Override what you need. Task hooks run on the worker threads, concurrently: keep them cheap
/// and thread-safe. <see cref="OnFinish"/> is always called, also when a task fails or the
/// computation is cancelled.</para>
/// <para>A callback takes effect for the computations started in the current async flow between
/// <see cref="Activate"/> and the disposal of the scope it returns:
/// <c>using (profiler.Activate()) { x.Compute(); }</c>.</para>
/// </remarks>
public abstract class SchedulerCallback
{
    private static readonly AsyncLocal<ImmutableArray<SchedulerCallback>> s_active = new();

    /// <summary>Gets the callbacks active in the current async flow.</summary>
    public static ImmutableArray<SchedulerCallback> Active => s_active.Value.IsDefault ? [] : s_active.Value;

    /// <summary>Called once when a computation starts, before any task runs.</summary>
    /// <param name="info">What will run.</param>
    public virtual void OnStart(ComputeStartInfo info)
    {
    }

    /// <summary>Called on the worker thread before a task runs.</summary>
    /// <param name="key">The task's key.</param>
    /// <param name="worker">The index of the worker thread, from 0.</param>
    public virtual void OnTaskStart(Key key, int worker)
    {
    }

    /// <summary>Called on the worker thread after a task ran successfully.</summary>
    /// <param name="key">The task's key.</param>
    /// <param name="result">The task's result.</param>
    /// <param name="worker">The index of the worker thread, from 0.</param>
    public virtual void OnTaskEnd(Key key, object? result, int worker)
    {
    }

    /// <summary>Called once when a computation ends, whether it succeeded or not.</summary>
    /// <param name="failed"><see langword="true"/> when a task failed or the computation was cancelled.</param>
    public virtual void OnFinish(bool failed)
    {
    }

    /// <summary>Makes this callback active for the computations of the current async flow until the returned scope is disposed.</summary>
    /// <returns>The scope; disposing it restores the callbacks that were active before.</returns>
    public IDisposable Activate()
    {
        ImmutableArray<SchedulerCallback> previous = Active;
        s_active.Value = previous.Contains(this) ? previous : previous.Add(this);
        return new Scope(previous);
    }

    private sealed class Scope(ImmutableArray<SchedulerCallback> previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_active.Value = previous;
            }
        }
    }
}
