namespace Tessera.Distributed;

/// <summary>Options of a <see cref="LocalCluster"/>.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>Gets the number of workers; default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Gets the threads per worker; default 1.</summary>
    public int ThreadsPerWorker { get; init; } = 1;

    /// <summary>Gets whether workers are processes (the default) or live in this process.</summary>
    public bool Processes { get; init; } = true;

    /// <summary>Gets the root tasks per worker thread before the rest wait on the scheduler (<see cref="SchedulerOptions.WorkerSaturation"/>).</summary>
    public double WorkerSaturation { get; init; } = 1.1;

    /// <summary>
    /// Gets what starts the scheduler's dashboard (the Tessera.Dashboard package's <c>DashboardServer.Factory</c>),
    /// or null (the default) for none; <see cref="LocalCluster.DashboardAddress"/> tells where it runs.
    /// </summary>
    public SchedulerDashboardFactory? Dashboard { get; init; }

    /// <summary>Gets the workers' memory limit and thresholds, or null for none (see <see cref="WorkerMemoryOptions"/>).</summary>
    public WorkerMemoryOptions? Memory { get; init; }

    /// <summary>
    /// Gets the abstract resources each worker has (e.g. <c>GPU</c> = 1), as <c>tessera worker --resources</c>
    /// gives them, or null (the default) for none; tasks submitted with resource needs run only on workers
    /// that have them.
    /// </summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <summary>Gets how many worker deaths a task may be part of before it fails with <see cref="KilledWorkerException"/>.</summary>
    public int AllowedFailures { get; init; } = 3;

    /// <summary>Gets whether the scheduler moves unstarted tasks from busy workers to idle ones (<see cref="SchedulerOptions.WorkStealing"/>); default on.</summary>
    public bool WorkStealing { get; init; } = true;

    /// <summary>
    /// Gets the limits each worker process's nanny supervises it with (<see cref="NannyOptions"/>: restarts,
    /// their back-off, and how long a retired worker has to stop before it is killed).
    /// </summary>
    public NannyOptions Nanny { get; init; } = new();

    /// <summary>Gets how long a worker may go without a heartbeat before the scheduler removes it (<see cref="SchedulerOptions.WorkerTimeout"/>); default 5 minutes.</summary>
    public TimeSpan WorkerTimeout { get; init; } = Runtime.SchedulerServer.DefaultWorkerTimeout;
}
