using Tessera.Distributed.Runtime;

namespace Tessera.Distributed;

/// <summary>Options of a scheduler process.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Gets where the scheduler listens: <c>tcp://host:port</c> (port 0 picks a free one), or <c>memory://name</c> inside one process.</summary>
    public string Address { get; init; } = "tcp://127.0.0.1:8786";

    /// <summary>Gets how many root tasks per worker thread are sent before the rest wait on the scheduler (Dask's worker-saturation); infinity turns queuing off.</summary>
    public double WorkerSaturation { get; init; } = 1.1;

    /// <summary>
    /// Gets how long a worker may go without a heartbeat before the scheduler removes it and runs its
    /// tasks elsewhere (Dask's <c>worker-ttl</c>); default 5 minutes. A worker whose connection closes is
    /// removed at once, whatever this says.
    /// </summary>
    public TimeSpan WorkerTimeout { get; init; } = SchedulerServer.DefaultWorkerTimeout;

    /// <summary>
    /// Gets how many workers may die (crash, be killed, go silent) while a task is processing on them
    /// before that task fails with <see cref="KilledWorkerException"/> (Dask's <c>allowed-failures</c>);
    /// default 3, so the fourth death fails it. Workers that close in good order do not count.
    /// </summary>
    public int AllowedFailures { get; init; } = 3;

    /// <summary>
    /// Gets whether the scheduler moves tasks that a busy worker has not started to workers with idle
    /// threads (Dask's work stealing); default on. The busy worker confirms each move, so a task that
    /// started already is never taken away.
    /// </summary>
    public bool WorkStealing { get; init; } = true;

    /// <summary>
    /// Gets how long unfinished tasks may go with none finishing before the scheduler logs a warning
    /// with a dump of their state (stuck-task detection: long-running tasks, or a stuck cluster); default 5 minutes.
    /// </summary>
    public TimeSpan NoProgressWarning { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets what starts the scheduler's dashboard (the Tessera.Dashboard package's <c>DashboardServer.Factory</c>),
    /// or null (the default) for none.
    /// </summary>
    public SchedulerDashboardFactory? Dashboard { get; init; }
}

/// <summary>Options of a worker.</summary>
public sealed record WorkerOptions
{
    /// <summary>Gets the number of threads that run tasks; by default one per core.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Gets the worker's name; by default its address.</summary>
    public string? Name { get; init; }

    /// <summary>Gets where the worker listens for peers and clients; port 0 picks a free one.</summary>
    public string ListenAddress { get; init; } = "tcp://127.0.0.1:0";

    /// <summary>Gets the worker's memory limit, its thresholds (spill, pause, terminate) and where it spills; by default no limit.</summary>
    public WorkerMemoryOptions Memory { get; init; } = new();

    /// <summary>
    /// Gets the abstract resources the worker has (Dask's worker resources, e.g. <c>GPU</c> = 2): a task
    /// submitted with resource needs runs only on workers that have them, and holds them while it runs.
    /// </summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <summary>
    /// Reads resources written as <c>NAME=AMOUNT</c> entries separated by commas or spaces
    /// (<c>"GPU=2,MEM=10e9"</c>), as <c>tessera worker --resources</c> takes them.
    /// </summary>
    /// <param name="text">The resources.</param>
    /// <returns>Each resource's amount.</returns>
    /// <exception cref="FormatException">An entry is not <c>NAME=AMOUNT</c> with a finite amount of at least 0.</exception>
    public static IReadOnlyDictionary<string, double> ParseResources(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var resources = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string entry in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0
                || !double.TryParse(entry[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double amount)
                || !(amount >= 0) || double.IsInfinity(amount))
            {
                throw new FormatException($"Resource '{entry}' is not NAME=AMOUNT with a finite amount of at least 0, as in \"GPU=2,MEM=10e9\".");
            }

            resources[entry[..eq]] = amount;
        }

        return resources;
    }

    /// <summary>Gets how often the worker sends the scheduler a heartbeat with its metrics (running tasks, bytes held, memory); default 1 second.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = WorkerServer.DefaultHeartbeatInterval;

    /// <summary>Gets why the worker's previous process ended, when a <see cref="WorkerNanny"/> restarts it; the worker logs it to the scheduler.</summary>
    public string? RestartReason { get; init; }

    /// <summary>
    /// Gets whether a restart the scheduler asks of the worker itself ends the worker (its <see cref="WorkerHost.Completion"/>
    /// completes with <see cref="WorkerHost.RestartRequested"/> set) instead of starting a fresh one in this
    /// process; default false. A worker under a <see cref="WorkerNanny"/> sets it: its process exits, and the
    /// nanny starts a fresh process and tells the scheduler its new address.
    /// </summary>
    public bool RestartEndsWorker { get; init; }
}

/// <summary>A running scheduler (Dask's <c>dask scheduler</c>).</summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    private readonly SchedulerServer _server;
    private ISchedulerDashboard? _dashboard;

    private SchedulerHost(SchedulerServer server)
    {
        _server = server;
        Monitor = server.Monitor;
    }

    /// <summary>Gets read-only views of the scheduler's state (snapshots and the task stream), as the dashboard shows them.</summary>
    public SchedulerMonitor Monitor { get; }

    /// <summary>Gets the running dashboard, or null when none was started.</summary>
    public ISchedulerDashboard? Dashboard => _dashboard;

    /// <summary>Gets the dashboard's status page (<c>http://127.0.0.1:8787/status</c>), or null when no dashboard runs.</summary>
    public Uri? DashboardAddress => _dashboard is { } d ? new Uri(d.Address, "status") : null;

    /// <summary>Gets the address clients and workers connect to.</summary>
    public string Address => _server.Address;

    /// <summary>Gets the number of connected workers.</summary>
    public int WorkerCount => _server.WorkerCount;

    /// <summary>Gets the number of tasks the scheduler tracks.</summary>
    public int TaskCount => _server.TaskCount;

    internal SchedulerServer Server => _server;

    /// <summary>Starts a scheduler.</summary>
    /// <param name="options">Where it listens and how it schedules.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running scheduler.</returns>
    public static async Task<SchedulerHost> StartAsync(SchedulerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SchedulerOptions();
        SchedulerServer server = await SchedulerServer.StartAsync(Networks.For(options.Address, "scheduler"), options.Address, options.WorkerSaturation, options.WorkerTimeout, options.AllowedFailures, options.WorkStealing, cancellationToken).ConfigureAwait(false);
        server.NoProgressWarning = options.NoProgressWarning;
        var host = new SchedulerHost(server);
        if (options.Dashboard is { } dashboard)
        {
            try
            {
                await host.StartDashboardAsync(dashboard, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return host;
    }

    /// <summary>Starts a dashboard for this scheduler (when it was started without one); it stops with the scheduler.</summary>
    /// <param name="factory">What starts the dashboard (the Tessera.Dashboard package's <c>DashboardServer.Factory</c>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running dashboard.</returns>
    /// <exception cref="InvalidOperationException">A dashboard runs already.</exception>
    public async Task<ISchedulerDashboard> StartDashboardAsync(SchedulerDashboardFactory factory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (_dashboard is not null)
        {
            throw new InvalidOperationException($"The scheduler at {Address} has a dashboard already, at {_dashboard.Address}.");
        }

        ISchedulerDashboard dashboard = await factory(this, cancellationToken).ConfigureAwait(false);
        _dashboard = dashboard;
        return dashboard;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _dashboard, null) is { } dashboard)
        {
            await dashboard.DisposeAsync().ConfigureAwait(false);
        }

        await _server.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A running worker (Dask's <c>dask worker</c>).</summary>
/// <remarks>
/// When a client restarts the cluster (<see cref="Client.RestartAsync"/>), the host drops its worker
/// and starts a fresh one with the same options, which joins the same scheduler (with a new address
/// unless the listen address names a fixed port).
/// </remarks>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly string _schedulerAddress;
    private readonly WorkerOptions _options;
    private readonly Lock _gate = new();
    private readonly Task _supervisor;
    private WorkerServer _server;
    private bool _disposed;

    private WorkerHost(string schedulerAddress, WorkerOptions options, WorkerServer server)
    {
        _schedulerAddress = schedulerAddress;
        _options = options;
        _server = server;
        _supervisor = Task.Run(SuperviseAsync);
    }

    /// <summary>Gets the address peers and clients fetch data from.</summary>
    public string Address => Server.Address;

    /// <summary>Gets the number of threads that run tasks.</summary>
    public int Threads => Server.Threads;

    /// <summary>Gets a task that completes when the worker stops for good (closed, or its scheduler went away); a restart does not complete it, unless <see cref="WorkerOptions.RestartEndsWorker"/>.</summary>
    public Task Completion => _supervisor;

    /// <summary>Gets whether the worker ended because the scheduler asked it to restart (with <see cref="WorkerOptions.RestartEndsWorker"/>).</summary>
    public bool RestartRequested => _supervisor.IsCompleted && Server.RestartRequested;

    private WorkerServer Server
    {
        get
        {
            lock (_gate)
            {
                return _server;
            }
        }
    }

    /// <summary>Starts a worker and registers it with a scheduler.</summary>
    /// <param name="schedulerAddress">The scheduler's address.</param>
    /// <param name="options">The worker's options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running worker.</returns>
    public static async Task<WorkerHost> StartAsync(string schedulerAddress, WorkerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerAddress);
        options ??= new WorkerOptions();
        WorkerServer server = await StartServerAsync(schedulerAddress, options, cancellationToken).ConfigureAwait(false);
        if (options.RestartReason is { } reason)
        {
            server.LogToScheduler(SchedulerLogLevel.Warning, $"Worker {server.Name} restarted by its nanny: the previous process {reason}");
        }

        return new WorkerHost(schedulerAddress, options, server);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        WorkerServer server;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            server = _server;
        }

        await server.DisposeAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static Task<WorkerServer> StartServerAsync(string schedulerAddress, WorkerOptions options, CancellationToken cancellationToken)
    {
        string listen = schedulerAddress.StartsWith("memory://", StringComparison.Ordinal) ? "memory://0" : options.ListenAddress;
        return WorkerServer.StartAsync(
            Networks.For(schedulerAddress, "worker"),
            WireSerializer.ForSameApplication("worker"),
            schedulerAddress,
            listen,
            options.Threads,
            options.Name,
            options.Memory.Limit,
            options.HeartbeatInterval,
            options.Resources,
            options.Memory,
            cancellationToken);
    }

    // Starts a fresh worker each time the scheduler restarts the current one; ends when a worker stops
    // for any other reason, when the host is disposed, or when the scheduler cannot be reached.
    private async Task SuperviseAsync()
    {
        while (true)
        {
            WorkerServer current = Server;
            await current.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            lock (_gate)
            {
                if (_disposed || !current.RestartRequested || _options.RestartEndsWorker)
                {
                    return;
                }
            }

            await current.DisposeAsync().ConfigureAwait(false);
            WorkerServer next;
            try
            {
                next = await StartServerAsync(_schedulerAddress, _options, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TesseraException or IOException or InvalidOperationException)
            {
                return;
            }

            bool disposed;
            lock (_gate)
            {
                disposed = _disposed;
                if (!disposed)
                {
                    _server = next;
                }
            }

            if (disposed)
            {
                await next.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }
    }
}
