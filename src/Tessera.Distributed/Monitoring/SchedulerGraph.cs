using Tessera.Distributed.Scheduler;

namespace Tessera.Distributed;

/// <summary>
/// The scheduler's graph at one moment: every task it tracks with its state and dependencies, or, above
/// <see cref="SchedulerMonitor.GraphTaskLimit"/> tasks, only the summary by task prefix.
/// </summary>
/// <param name="Time">When it was copied.</param>
/// <param name="TaskCount">The number of tasks the scheduler tracks.</param>
/// <param name="Limit">The most tasks copied one by one.</param>
/// <param name="Tasks">The tasks, or null when there are more than <paramref name="Limit"/>.</param>
/// <param name="Prefixes">The tasks counted by state for each task prefix, in order of first appearance.</param>
/// <param name="PrefixEdges">How many dependencies run from tasks of one prefix to tasks of another (or the same).</param>
public sealed record SchedulerGraph(
    DateTimeOffset Time,
    int TaskCount,
    int Limit,
    IReadOnlyList<GraphTask>? Tasks,
    IReadOnlyList<TaskPrefixProgress> Prefixes,
    IReadOnlyList<PrefixEdge> PrefixEdges)
{
    /// <summary>Gets a value indicating whether only the summary by prefix was copied (the graph is larger than <see cref="Limit"/>).</summary>
    public bool IsSummary => Tasks is null;
}

/// <summary>A task of a <see cref="SchedulerGraph"/>.</summary>
/// <param name="Key">The task's key.</param>
/// <param name="Prefix">Its task prefix.</param>
/// <param name="State">Its state on the scheduler.</param>
/// <param name="Dependencies">The indexes, in <see cref="SchedulerGraph.Tasks"/>, of the tasks it depends on (those the scheduler still tracks).</param>
public sealed record GraphTask(string Key, string Prefix, TaskStateKind State, IReadOnlyList<int> Dependencies);

/// <summary>Dependencies from the tasks of one prefix to those of another.</summary>
/// <param name="From">The prefix of the tasks depended on.</param>
/// <param name="To">The prefix of the dependent tasks.</param>
/// <param name="Count">How many such dependencies there are.</param>
public sealed record PrefixEdge(string From, string To, int Count);

/// <summary>A scheduler's configuration and where it runs, as the dashboard's Info page shows it.</summary>
/// <param name="Address">Where clients and workers connect.</param>
/// <param name="StartTime">When it started.</param>
/// <param name="WorkerSaturation">Root tasks per worker thread sent before the rest wait on the scheduler.</param>
/// <param name="WorkerTimeout">How long a worker may go without a heartbeat.</param>
/// <param name="AllowedFailures">How many worker deaths a processing task survives.</param>
/// <param name="Version">Tessera's version.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="OperatingSystem">The operating system.</param>
/// <param name="MachineName">The machine's name.</param>
/// <param name="ProcessId">The scheduler's process id.</param>
/// <param name="ProcessorCount">The machine's logical processors.</param>
public sealed record SchedulerInfo(
    string Address,
    DateTimeOffset StartTime,
    double WorkerSaturation,
    TimeSpan WorkerTimeout,
    int AllowedFailures,
    string Version,
    string Runtime,
    string OperatingSystem,
    string MachineName,
    int ProcessId,
    int ProcessorCount);
