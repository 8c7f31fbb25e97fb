using Tessera.Graphs;

namespace Tessera.Diagnostics;

/// <summary>One task's run, as a <see cref="Profiler"/> recorded it (Dask's <c>TaskData</c>).</summary>
/// <param name="Key">The task's key.</param>
/// <param name="Start">When the task started, from the start of the first profiled computation.</param>
/// <param name="End">When the task ended, on the same clock as <paramref name="Start"/>.</param>
/// <param name="Worker">The index of the scheduler's worker that ran it, from 0.</param>
/// <param name="ThreadId">The managed thread id of the thread that ran it.</param>
public readonly record struct TaskRecord(Key Key, TimeSpan Start, TimeSpan End, int Worker, int ThreadId)
{
    /// <summary>Gets how long the task ran.</summary>
    public TimeSpan Duration => End - Start;
}

/// <summary>The tasks of one key prefix (<see cref="Key.Prefix"/>, such as <c>fit</c>) in a profile.</summary>
/// <param name="Prefix">The key prefix.</param>
/// <param name="Count">How many tasks ran.</param>
/// <param name="Total">Their summed run time.</param>
/// <param name="Mean">Their mean run time.</param>
/// <param name="Max">The longest run time.</param>
public sealed record PrefixSummary(string Prefix, int Count, TimeSpan Total, TimeSpan Mean, TimeSpan Max);
