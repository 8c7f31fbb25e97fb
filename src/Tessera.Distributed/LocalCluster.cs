namespace Tessera.Distributed;

/// <summary>
/// A scheduler and workers on this machine (Dask's <c>LocalCluster</c>): worker processes by
/// default, or workers inside this process with <c>processes: false</c>. The scheduler runs in this
/// process.
/// </summary>
/// <remarks>
/// <para>
/// Each worker process runs under a <see cref="WorkerNanny"/> in this process, the supervisor that
/// <c>tessera worker</c> runs: one that exits unasked (it crashed, was killed, or stopped itself above its
/// memory limit) is replaced by a fresh process, which joins the scheduler like the first; the scheduler
/// recomputes what the lost worker held. Through its nanny the scheduler restarts the worker processes
/// (<see cref="Client.RestartAsync"/>) and kills one that hangs (no heartbeat within
/// <see cref="LocalClusterOptions.WorkerTimeout"/>). A worker process stops when its nanny closes its
/// standard input, so the workers end with the application even when it is killed.
/// </para>
/// Worker processes run the <c>tessera</c> program (the Tessera.Cli package, whose <c>Tessera.Cli.dll</c>
/// sits next to the application, or the path in <c>TESSERA_WORKER_PATH</c>) and load the
/// application's own assemblies from its directory, so closures defined in the application run there
/// without uploading code.
/// </remarks>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly SchedulerHost _scheduler;
    private readonly List<WorkerHost> _inProcess = [];

    // The worker processes, each under its nanny; one leaves the list when it is stopped, or when its nanny ends.
    private readonly List<SupervisedWorker> _processes = [];

    // Retired workers stopping in good order (their nannies kill them after the stop timeout), and the
    // disposal of retired in-process workers: the cluster's disposal waits for them. Guarded by _processes.
    private readonly List<SupervisedWorker> _retiring = [];
    private readonly List<Task> _retiredHosts = [];
    private readonly int _threadsPerWorker;
    private readonly WorkerMemoryOptions _memory;
    private readonly IReadOnlyDictionary<string, double>? _resources;
    private readonly NannyOptions _nanny;
    private int _nextWorker;
    private int _replacedWorkers;

    private LocalCluster(SchedulerHost scheduler, bool processes, int threadsPerWorker, WorkerMemoryOptions memory, IReadOnlyDictionary<string, double>? resources, NannyOptions nanny)
    {
        _nanny = nanny;
        _scheduler = scheduler;
        Processes = processes;
        _threadsPerWorker = threadsPerWorker;
        _memory = memory;
        _resources = resources;
        scheduler.Server.WorkerRetired = StopRetiredWorker;
    }

    /// <summary>Gets the scheduler's address.</summary>
    public string SchedulerAddress => _scheduler.Address;

    /// <summary>Gets the dashboard's status page (<c>http://127.0.0.1:8787/status</c>), or null when the cluster has no dashboard.</summary>
    public Uri? DashboardAddress => _scheduler.DashboardAddress;

    /// <summary>Gets read-only views of the scheduler's state (snapshots and the task stream), as the dashboard shows them.</summary>
    public SchedulerMonitor Monitor => _scheduler.Monitor;

    /// <summary>Gets whether workers are separate processes.</summary>
    public bool Processes { get; }

    /// <summary>Gets the scheduler (for benchmarks and tests: its task count shows when the cluster has settled).</summary>
    internal SchedulerHost Scheduler => _scheduler;

    /// <summary>Gets how many worker processes died or hung and were replaced by their nannies (a cluster restart is not counted).</summary>
    public int ReplacedWorkers => Volatile.Read(ref _replacedWorkers);

    /// <summary>Gets the number of workers started and not stopped.</summary>
    public int WorkerCount
    {
        get
        {
            lock (_processes)
            {
                return Processes ? _processes.Count : _inProcess.Count;
            }
        }
    }

    /// <summary>Starts a scheduler and <paramref name="workers"/> workers, and waits until they have joined.</summary>
    /// <param name="workers">The number of workers.</param>
    /// <param name="threadsPerWorker">Threads per worker.</param>
    /// <param name="processes">Whether workers are processes (the default) or live in this process.</param>
    /// <param name="workerSaturation">Root tasks per worker thread before the rest wait on the scheduler (<see cref="SchedulerOptions.WorkerSaturation"/>, default 1.1); <see cref="double.PositiveInfinity"/> turns queuing off.</param>
    /// <param name="memory">Each worker's memory limit, thresholds and spill directory (<see cref="WorkerMemoryOptions"/>); by default no limit.</param>
    /// <param name="allowedFailures">How many workers may die while a task runs on them before it fails with <see cref="KilledWorkerException"/> (<see cref="SchedulerOptions.AllowedFailures"/>, default 3).</param>
    /// <param name="resources">The abstract resources each worker has (e.g. <c>GPU</c> = 1; Dask's <c>LocalCluster(resources=…)</c>, <c>tessera worker --resources</c>): tasks submitted with resource needs run only on workers that have them. <see cref="ScaleUpAsync(int, IReadOnlyDictionary{string, double}?, CancellationToken)"/> adds workers with other resources.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="ArgumentException">A resource name is empty or holds '=', ',' or white space, or an amount is negative or not finite.</exception>
    public static Task<LocalCluster> StartAsync(int workers = 2, int threadsPerWorker = 1, bool processes = true, double workerSaturation = 1.1, WorkerMemoryOptions? memory = null, int allowedFailures = 3, IReadOnlyDictionary<string, double>? resources = null, CancellationToken cancellationToken = default) =>
        StartCoreAsync(new LocalClusterOptions { Workers = workers, ThreadsPerWorker = threadsPerWorker, Processes = processes, WorkerSaturation = workerSaturation, Memory = memory, AllowedFailures = allowedFailures, Resources = resources }, cancellationToken);

    /// <summary>Starts a scheduler (with a dashboard when the options name one) and the workers, and waits until they have joined.</summary>
    /// <param name="options">The cluster's workers, scheduling and dashboard.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        LocalCluster cluster = await StartCoreAsync(options, cancellationToken).ConfigureAwait(false);
        if (options.Dashboard is { } dashboard)
        {
            try
            {
                await cluster._scheduler.StartDashboardAsync(dashboard, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return cluster;
    }

    private static async Task<LocalCluster> StartCoreAsync(LocalClusterOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Workers, "workers");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ThreadsPerWorker, 1, "threadsPerWorker");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.WorkerSaturation, 0, "workerSaturation");
        ArgumentOutOfRangeException.ThrowIfNegative(options.AllowedFailures, "allowedFailures");
        IReadOnlyDictionary<string, double>? resources = CheckResources(options.Resources, "resources");
        ArgumentNullException.ThrowIfNull(options.Nanny, "nanny");
        options.Nanny.Check("LocalCluster");
        string address = options.Processes ? "tcp://127.0.0.1:0" : "memory://0";
        SchedulerHost scheduler = await SchedulerHost.StartAsync(
            new SchedulerOptions { Address = address, WorkerSaturation = options.WorkerSaturation, AllowedFailures = options.AllowedFailures, WorkStealing = options.WorkStealing, WorkerTimeout = options.WorkerTimeout },
            cancellationToken).ConfigureAwait(false);
        var cluster = new LocalCluster(scheduler, options.Processes, options.ThreadsPerWorker, options.Memory ?? new WorkerMemoryOptions(), resources, options.Nanny);
        try
        {
            await cluster.ScaleUpAsync(options.Workers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>Adds <paramref name="count"/> workers, with the cluster's resources, and waits until they have joined.</summary>
    /// <param name="count">How many workers to add.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the workers are connected.</returns>
    public Task ScaleUpAsync(int count, CancellationToken cancellationToken = default) => ScaleUpAsync(count, _resources, cancellationToken);

    /// <summary>Adds <paramref name="count"/> workers that have <paramref name="resources"/>, and waits until they have joined.</summary>
    /// <param name="count">How many workers to add.</param>
    /// <param name="resources">The abstract resources each new worker has (e.g. <c>GPU</c> = 1), or null for none; a replacement of one of them (after a crash or a restart) has the same.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the workers are connected.</returns>
    /// <exception cref="ArgumentException">A resource name is empty or holds '=', ',' or white space, or an amount is negative or not finite.</exception>
    public async Task ScaleUpAsync(int count, IReadOnlyDictionary<string, double>? resources, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        resources = CheckResources(resources, nameof(resources));
        int target = _scheduler.WorkerCount + count;
        var started = new List<SupervisedWorker>(count);
        for (int i = 0; i < count; i++)
        {
            string name = $"local-{_nextWorker++}";
            if (Processes)
            {
                started.Add(StartWorkerProcess(name, resources));
            }
            else
            {
                _inProcess.Add(await WorkerHost.StartAsync(SchedulerAddress, new WorkerOptions { Threads = _threadsPerWorker, Name = name, Memory = _memory, Resources = resources }, cancellationToken).ConfigureAwait(false));
            }
        }

        try
        {
            await WaitForWorkersAsync(target, started, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Timed out, cancelled, or one could not start: none of the new ones stays behind.
            lock (_processes)
            {
                _processes.RemoveAll(started.Contains);
            }

            await Task.WhenAll(started.Select(w => w.StopAsync(kill: true))).ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitForWorkersAsync(int target, List<SupervisedWorker> started, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            // Woken as soon as the scheduler counts a new worker; the nannies are checked between.
            Task changed = _scheduler.Server.WorkersChanged;
            if (_scheduler.WorkerCount >= target)
            {
                return;
            }

            // A worker process that died before it joined could not start (its nanny would try again).
            if (started.Find(w => w.Nanny.FailedToStart is not null || w.Run.IsCompleted) is { } failed)
            {
                throw new InvalidOperationException($"Worker {failed.Name} of scheduler {SchedulerAddress} could not start: its process {failed.Nanny.FailedToStart ?? "stopped before it joined"}");
            }

            await changed.WaitAsync(TimeSpan.FromMilliseconds(20), timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Only {_scheduler.WorkerCount} of {target} workers joined scheduler {SchedulerAddress} within 60 s.");
            }
        }
    }

    /// <summary>Stops <paramref name="count"/> workers (the most recently started first).</summary>
    /// <param name="count">How many workers to stop.</param>
    /// <returns>A task that completes when they have stopped.</returns>
    public async Task ScaleDownAsync(int count)
    {
        if (Processes)
        {
            SupervisedWorker[] stopped;
            lock (_processes)
            {
                stopped = [.. _processes[Math.Max(0, _processes.Count - count)..]];
                _processes.RemoveRange(_processes.Count - stopped.Length, stopped.Length);
            }

            await Task.WhenAll(stopped.Select(w => w.StopAsync(kill: true))).ConfigureAwait(false);
            return;
        }

        for (int i = 0; i < count && _inProcess.Count > 0; i++)
        {
            WorkerHost w = _inProcess[^1];
            _inProcess.RemoveAt(_inProcess.Count - 1);
            await w.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds or removes workers until there are <paramref name="workers"/> (Dask's <c>scale</c>). Workers are
    /// removed by retiring them (<see cref="Client.RetireWorkersAsync(int, CancellationToken)"/>): the scheduler
    /// picks idle workers first, then those holding the fewest bytes, and copies the results only they hold to
    /// the others before they stop. When no other worker can take those (scaling to none), the workers stop
    /// anyway, and a lost result is recomputed when it is needed.
    /// </summary>
    /// <param name="workers">The wanted number of workers.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the cluster has that many workers.</returns>
    public async Task ScaleAsync(int workers, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        if (workers > WorkerCount)
        {
            await ScaleUpAsync(workers - WorkerCount, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (workers == WorkerCount)
        {
            return;
        }

        if (workers > 0)
        {
            Client client = await Client.ConnectAsync(Runtime.Networks.For(SchedulerAddress, "cluster"), Runtime.WireSerializer.ForSameApplication("cluster"), SchedulerAddress, setAsDefault: false, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                try
                {
                    await client.RetireWorkersAsync(WorkerCount - workers, cancellationToken).ConfigureAwait(false);
                }
                catch (RemoteException)
                {
                    // Refused (results no other worker can take): stopped below.
                }
            }
        }

        await ScaleDownAsync(WorkerCount - workers).ConfigureAwait(false);
    }

    /// <summary>Gets the process ids of the running worker processes (for benchmarks that sum the cluster's memory).</summary>
    internal IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_processes)
            {
                return [.. _processes.Select(w => w.Nanny.ProcessId)];
            }
        }
    }

    /// <summary>Gets the process id of a worker process, for fault tests that signal it.</summary>
    /// <param name="index">The worker's index among the running worker processes.</param>
    internal int WorkerProcessIdForTesting(int index)
    {
        lock (_processes)
        {
            return _processes[index].Nanny.ProcessId;
        }
    }

    /// <summary>Kills a worker process abruptly (kill -9, as a crash would), for fault tests; the cluster replaces it.</summary>
    /// <param name="index">The worker's index among the running worker processes.</param>
    internal void KillWorkerProcessForTesting(int index)
    {
        SupervisedWorker w;
        lock (_processes)
        {
            w = _processes[index];
        }

        w.Nanny.KillProcess();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ScaleDownAsync(WorkerCount).ConfigureAwait(false);

        // Retired workers still stopping in good order are killed now: none outlives the cluster.
        Task[] retiring;
        lock (_processes)
        {
            retiring = [.. _retiring.Select(w => w.StopAsync(kill: true)), .. _retiredHosts];
            _retiring.Clear();
            _retiredHosts.Clear();
        }

        await Task.WhenAll(retiring).ConfigureAwait(false);
        await _scheduler.DisposeAsync().ConfigureAwait(false);
    }

    // Runtime settings for worker processes, which are young when they get work: tier-0 code is promoted
    // to optimized code as soon as it has been called 30 times, without the 100 ms wait for start-up
    // compilation to settle, and without the instrumented tier of dynamic PGO, which compiles every hot
    // method once more. A 4 MiB first-generation budget: a worker whose blocks are
    // recycled allocates only messages and small results between collections, which otherwise pile up
    // to the default budget (measured: 10-17 MB per worker process over a run of x + x.T).
    private static readonly (string Variable, string Value)[] s_workerRuntimeSettings =
    [
        ("DOTNET_TC_CallCountingDelayMs", "0"),
        ("DOTNET_TieredPGO", "0"),
        ("DOTNET_GCgen0size", "0x400000"),
    ];

    // Checked where the cluster is asked, and copied: worker processes get them on their command line.
    private static Dictionary<string, double>? CheckResources(IReadOnlyDictionary<string, double>? resources, string paramName)
    {
        if (resources is null)
        {
            return null;
        }

        foreach ((string name, double amount) in resources)
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => c is '=' or ',' || char.IsWhiteSpace(c)))
            {
                throw new ArgumentException($"LocalCluster: resource name '{name}' must be non-empty, without '=', ',' or white space.", paramName);
            }

            if (!(amount >= 0) || double.IsInfinity(amount))
            {
                throw new ArgumentException($"LocalCluster: resource '{name}' has amount {amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be a finite number of at least 0.", paramName);
            }
        }

        return new Dictionary<string, double>(resources, StringComparer.Ordinal);
    }

    // Starts a worker process under a nanny of its own (the worker's --nanny-child mode: it stops when the
    // nanny closes its standard input), which replaces it when it dies, and restarts or kills it when the
    // scheduler asks; the worker leaves the cluster's list when its nanny ends.
    private SupervisedWorker StartWorkerProcess(string name, IReadOnlyDictionary<string, double>? resources)
    {
        string program = Environment.GetEnvironmentVariable("TESSERA_WORKER_PATH") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll");
        if (!File.Exists(program))
        {
            throw new FileNotFoundException(
                $"LocalCluster with worker processes needs the tessera worker program (Tessera.Cli.dll) at {program}; reference the Tessera.Cli package, set TESSERA_WORKER_PATH, or start with processes: false.",
                program);
        }

        List<string> arguments =
        [
            program, "worker", SchedulerAddress, "--nthreads", _threadsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--name", name, "--app-base", AppContext.BaseDirectory, "--nanny-child",
        ];
        if (_memory.Limit > 0)
        {
            arguments.AddRange(
            [
                "--memory-limit", _memory.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--memory-target-fraction", Fraction(_memory.TargetFraction), "--memory-spill-fraction", Fraction(_memory.SpillFraction),
                "--memory-pause-fraction", Fraction(_memory.PauseFraction), "--memory-terminate-fraction", Fraction(_memory.TerminateFraction),
            ]);
        }

        if (_memory.LocalDirectory is { } directory)
        {
            arguments.AddRange(["--local-directory", directory]);
        }

        if (resources is { Count: > 0 })
        {
            arguments.AddRange(["--resources", string.Join(',', resources.Select(r => $"{r.Key}={r.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"))]);
        }

        var nanny = new WorkerNanny("dotnet", arguments, reason => ["--restart-reason", reason])
        {
            SchedulerAddress = SchedulerAddress,

            // The user's own setting, inherited from this process, wins.
            ChildEnvironment = [.. s_workerRuntimeSettings.Where(s => Environment.GetEnvironmentVariable(s.Variable) is null)],
            OutputLines = static _ => { },
            ErrorLines = line => _scheduler.Server.Log.Add(SchedulerLogLevel.Warning, line, $"{name} (standard error)"),
            Replaced = () => Interlocked.Increment(ref _replacedWorkers),
            Options = _nanny,
        };
        var worker = new SupervisedWorker(name, nanny);
        lock (_processes)
        {
            _processes.Add(worker);
        }

        _ = ForgetWhenItEndsAsync(worker);
        return worker;

        static string Fraction(double? f) => f?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "off";
    }

    // A nanny ends when its worker stops deliberately (retired, or the scheduler went away), or when it gives up.
    private async Task ForgetWhenItEndsAsync(SupervisedWorker worker)
    {
        await worker.Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_processes)
        {
            _processes.Remove(worker);
            _retiring.Remove(worker);
        }

        worker.Dispose();
    }

    // A worker the scheduler retired (Client.RetireWorkersAsync) closes itself: it leaves the cluster
    // without a replacement, and its process is killed if it has not exited within the stop timeout.
    private void StopRetiredWorker(string address, string? name)
    {
        lock (_processes)
        {
            if (!Processes)
            {
                int i = _inProcess.FindIndex(w => w.Address == address);
                if (i >= 0)
                {
                    WorkerHost host = _inProcess[i];
                    _inProcess.RemoveAt(i);
                    _retiredHosts.RemoveAll(t => t.IsCompleted);
                    _retiredHosts.Add(host.DisposeAsync().AsTask());
                }

                return;
            }

            SupervisedWorker? retired = _processes.Find(w => w.Name == name);
            if (retired is not null)
            {
                _processes.Remove(retired);
                _retiring.Add(retired);
                _ = retired.StopAsync(kill: false);
            }
        }
    }

    // A worker process under its nanny, which this process runs.
    private sealed class SupervisedWorker : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public SupervisedWorker(string name, WorkerNanny nanny)
        {
            Name = name;
            Nanny = nanny;
            Run = Task.Run(() => nanny.RunAsync(_stop.Token));
        }

        public string Name { get; }

        public WorkerNanny Nanny { get; }

        /// <summary>Gets the nanny's run, which ends when its worker stops deliberately, when the nanny gives up, or when it is stopped.</summary>
        public Task Run { get; }

        // Stops the nanny and its worker process: in good order (the worker's input closes, and the nanny
        // kills it after its stop timeout), or killed at once.
        public async Task StopAsync(bool kill)
        {
            try
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The nanny has ended already.
            }

            if (kill)
            {
                Nanny.KillProcess();
            }

            await Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        public void Dispose() => _stop.Dispose();
    }
}
