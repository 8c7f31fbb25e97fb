using System.Diagnostics;

namespace Tessera.Distributed;

/// <summary>
/// A scheduler and workers on this machine (Dask's <c>LocalCluster</c>): worker processes by
/// default, or workers inside this process with <c>processes: false</c>. The scheduler runs in this
/// process.
/// </summary>
/// <remarks>
/// <para>
/// The cluster watches its worker processes as Dask's nanny does: one that exits unasked (it crashed, was
/// killed, or stopped itself above its memory limit) is replaced by a new worker process, which joins the
/// scheduler like the first; the scheduler recomputes what the lost worker held.
/// </para>
/// Worker processes run the <c>tessera</c> program (the Tessera.Cli package, whose <c>Tessera.Cli.dll</c>
/// sits next to the application, or the path in <c>TESSERA_WORKER_PATH</c>) and load the
/// application's own assemblies from its directory, so closures defined in the application run there
/// without uploading code.
/// </remarks>
public sealed class LocalCluster : IAsyncDisposable
{
    private const int MaxFailedReplacements = 3;
    private readonly SchedulerHost _scheduler;
    private readonly List<WorkerHost> _inProcess = [];
    private readonly List<Process> _processes = [];
    private readonly Dictionary<Process, IReadOnlyDictionary<string, double>?> _processResources = [];

    // Whether each worker process joined: set by its "Worker at" line, or by the scale-up that started it
    // once the scheduler counted it (the line may come later than the count, or never, if it is killed).
    private readonly Dictionary<Process, TaskCompletionSource> _joined = [];

    // The last lines each worker process wrote to its standard error, for the error when it fails to start
    // (all of it is read as it comes, so that a chatty worker never blocks on a full pipe).
    private readonly Dictionary<Process, StandardErrorTail> _stderr = [];
    private readonly int _threadsPerWorker;
    private readonly WorkerMemoryOptions _memory;
    private readonly IReadOnlyDictionary<string, double>? _resources;
    private int _nextWorker;
    private int _replacedWorkers;
    private int _failedReplacements;
    private volatile bool _disposing;

    private LocalCluster(SchedulerHost scheduler, bool processes, int threadsPerWorker, WorkerMemoryOptions memory, IReadOnlyDictionary<string, double>? resources)
    {
        _scheduler = scheduler;
        Processes = processes;
        _threadsPerWorker = threadsPerWorker;
        _memory = memory;
        _resources = resources;
        if (processes)
        {
            // A restart replaces the worker processes (in-process workers restart themselves).
            scheduler.Server.WorkerRestarter = RestartWorkerProcessesAsync;
            scheduler.Server.SilentWorkerRemoved = KillHungWorkerProcess;
        }

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

    /// <summary>Gets how many worker processes exited unasked and were replaced (the nanny's restarts).</summary>
    public int ReplacedWorkers => Volatile.Read(ref _replacedWorkers);

    /// <summary>Gets the number of workers started and not stopped.</summary>
    public int WorkerCount => Processes ? _processes.Count : _inProcess.Count;

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
        string address = options.Processes ? "tcp://127.0.0.1:0" : "memory://0";
        SchedulerHost scheduler = await SchedulerHost.StartAsync(
            new SchedulerOptions { Address = address, WorkerSaturation = options.WorkerSaturation, AllowedFailures = options.AllowedFailures, WorkStealing = options.WorkStealing, WorkerTimeout = options.WorkerTimeout },
            cancellationToken).ConfigureAwait(false);
        var cluster = new LocalCluster(scheduler, options.Processes, options.ThreadsPerWorker, options.Memory ?? new WorkerMemoryOptions(), resources);
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
        var started = new List<Process>(count);
        for (int i = 0; i < count; i++)
        {
            string name = $"local-{_nextWorker++}";
            if (Processes)
            {
                lock (_processes)
                {
                    started.Add(StartWorkerProcess(name, resources));
                    _processes.Add(started[^1]);
                }
            }
            else
            {
                _inProcess.Add(await WorkerHost.StartAsync(SchedulerAddress, new WorkerOptions { Threads = _threadsPerWorker, Name = name, Memory = _memory, Resources = resources }, cancellationToken).ConfigureAwait(false));
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        bool allJoined = false;
        try
        {
            while (true)
            {
                // Woken as soon as the scheduler counts a new worker; the processes are checked between.
                Task changed = _scheduler.Server.WorkersChanged;
                if (_scheduler.WorkerCount >= target)
                {
                    break;
                }

                Process? exited;
                lock (_processes)
                {
                    exited = _processes.FirstOrDefault(p => p.HasExited);
                }

                if (exited is not null)
                {
                    // Its last lines are in once its streams have ended.
                    await exited.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    string lastErrors;
                    lock (_processes)
                    {
                        lastErrors = LastErrorLines(exited);
                    }

                    throw new InvalidOperationException($"A worker process exited with code {exited.ExitCode} before joining scheduler {SchedulerAddress}; its last error lines:\n{lastErrors}");
                }

                await changed.WaitAsync(TimeSpan.FromMilliseconds(20), timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"Only {_scheduler.WorkerCount} of {target} workers joined scheduler {SchedulerAddress} within 60 s.");
                }
            }

            allJoined = true;
        }
        finally
        {
            // The scheduler counted them all: each is one of the cluster's, replaced if it dies from now on,
            // even when it is killed before it printed that it joined.
            lock (_processes)
            {
                foreach (Process p in started)
                {
                    if (_joined.TryGetValue(p, out TaskCompletionSource? joined))
                    {
                        // One whose own line settled it already stays settled.
                        _ = allJoined ? joined.TrySetResult() : joined.TrySetCanceled(CancellationToken.None);
                    }
                }
            }
        }
    }

    /// <summary>Stops <paramref name="count"/> workers (the most recently started first).</summary>
    /// <param name="count">How many workers to stop.</param>
    /// <returns>A task that completes when they have stopped.</returns>
    public async Task ScaleDownAsync(int count)
    {
        for (int i = 0; i < count && WorkerCount > 0; i++)
        {
            if (Processes)
            {
                Process p;
                lock (_processes)
                {
                    p = _processes[^1];
                    _processes.RemoveAt(_processes.Count - 1);
                    ForgetResources(p);
                }

                await StopAsync(p).ConfigureAwait(false);
            }
            else
            {
                WorkerHost w = _inProcess[^1];
                _inProcess.RemoveAt(_inProcess.Count - 1);
                await w.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds or stops workers until there are <paramref name="workers"/>.</summary>
    /// <param name="workers">The wanted number of workers.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the cluster has that many workers.</returns>
    public Task ScaleAsync(int workers, CancellationToken cancellationToken = default) =>
        workers > WorkerCount ? ScaleUpAsync(workers - WorkerCount, cancellationToken) : ScaleDownAsync(WorkerCount - workers);

    // Client.RestartAsync: the worker processes are killed and as many new ones started; the scheduler
    // waits for them to join. No scale-up settles whether the new ones joined, so each is started as a
    // replacement: one that dies before it joins is replaced in turn, and the restart still completes.
    private async Task RestartWorkerProcessesAsync()
    {
        Process[] old;
        lock (_processes)
        {
            old = [.. _processes];
            _processes.Clear();
        }

        await Task.WhenAll(old.Select(StopAsync)).ConfigureAwait(false);
        lock (_processes)
        {
            foreach (Process p in old)
            {
                _processes.Add(StartWorkerProcess($"local-{_nextWorker++}", ForgetResources(p), replacement: true));
            }
        }
    }

    /// <summary>Gets the process ids of the running worker processes (for benchmarks that sum the cluster's memory).</summary>
    internal IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_processes)
            {
                return [.. _processes.Select(p => p.Id)];
            }
        }
    }

    /// <summary>Gets the process id of a worker process, for fault tests that signal it.</summary>
    /// <param name="index">The worker's index among the running worker processes.</param>
    internal int WorkerProcessIdForTesting(int index)
    {
        lock (_processes)
        {
            return _processes[index].Id;
        }
    }

    /// <summary>Kills a worker process abruptly (kill -9, as a crash would), for fault tests; the cluster replaces it.</summary>
    /// <param name="index">The worker's index among the running worker processes.</param>
    internal void KillWorkerProcessForTesting(int index)
    {
        Process p;
        lock (_processes)
        {
            p = _processes[index];
        }

        try
        {
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited already.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await ScaleDownAsync(WorkerCount).ConfigureAwait(false);
        await _scheduler.DisposeAsync().ConfigureAwait(false);
    }

    // Runtime settings for worker processes, which are young when they get work: tier-0 code is promoted
    // to optimized code as soon as it has been called 30 times, without the 100 ms wait for start-up
    // compilation to settle, and without the instrumented tier of dynamic PGO, which compiles every hot
    // method once more; socket completions run on the thread that polls the sockets instead of being
    // handed to the thread pool (one thread hop less per received message; a worker's receive loops
    // only queue work for its task threads).
    private static readonly (string Variable, string Value)[] s_workerRuntimeSettings =
    [
        ("DOTNET_TC_CallCountingDelayMs", "0"),
        ("DOTNET_TieredPGO", "0"),
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

    // The resources a worker process was started with, forgotten as it goes (called under the lock).
    private IReadOnlyDictionary<string, double>? ForgetResources(Process process) =>
        _processResources.Remove(process, out IReadOnlyDictionary<string, double>? resources) ? resources : null;

    // Called under the _processes lock.
    // A replacement (started by the nanny, not by a scale-up that waits for it) is itself replaced when it
    // dies before it joined, so a crash or kill while a replacement starts does not shrink the cluster.
    private Process StartWorkerProcess(string name, IReadOnlyDictionary<string, double>? resources, bool replacement = false)
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

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            program, "worker", SchedulerAddress, "--nthreads", _threadsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--name", name, "--app-base", AppContext.BaseDirectory, "--no-nanny",
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (_memory.Limit > 0)
        {
            foreach (string arg in new[]
            {
                "--memory-limit", _memory.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--memory-target-fraction", Fraction(_memory.TargetFraction), "--memory-spill-fraction", Fraction(_memory.SpillFraction),
                "--memory-pause-fraction", Fraction(_memory.PauseFraction), "--memory-terminate-fraction", Fraction(_memory.TerminateFraction),
            })
            {
                start.ArgumentList.Add(arg);
            }
        }

        if (_memory.LocalDirectory is { } directory)
        {
            start.ArgumentList.Add("--local-directory");
            start.ArgumentList.Add(directory);
        }

        if (resources is { Count: > 0 })
        {
            start.ArgumentList.Add("--resources");
            start.ArgumentList.Add(string.Join(',', resources.Select(r => $"{r.Key}={r.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")));
        }

        foreach ((string variable, string value) in s_workerRuntimeSettings)
        {
            // The user's own setting, inherited from this process, wins.
            if (Environment.GetEnvironmentVariable(variable) is null)
            {
                start.Environment[variable] = value;
            }
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start a worker process ({program}).");
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_processes)
        {
            _joined[process] = joined;
        }

        process.OutputDataReceived += (_, e) =>
        {
            // `tessera worker` prints "Worker at ADDRESS …" once it has joined the scheduler.
            if (e.Data?.StartsWith("Worker at ", StringComparison.Ordinal) == true)
            {
                joined.TrySetResult();
            }
        };
        var stderr = new StandardErrorTail();
        _stderr[process] = stderr;
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                stderr.Add(e.Data);
                _scheduler.Server.Log.Add(SchedulerLogLevel.Warning, e.Data, $"{name} (standard error)");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processResources[process] = resources;
        _ = ReplaceWhenItExitsAsync(process, joined.Task, replacement);
        return process;

        static string Fraction(double? f) => f?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "off";
    }

    // The nanny's part: a worker process that exits while it is still one of the cluster's (not stopped
    // by a scale-down, a restart or disposal) is replaced by a fresh one. A process started by a scale-up
    // that never joined is left for ScaleUpAsync to report (which settles whether it joined). A replacement that dies before it joins is
    // replaced again (it was killed or crashed while starting), but after MaxFailedReplacements such
    // deaths in a row the nanny gives up, so a worker that cannot start is not started again and again.
    private async Task ReplaceWhenItExitsAsync(Process process, Task joined, bool replacement)
    {
        await process.WaitForExitAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!replacement)
        {
            await joined.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        lock (_processes)
        {
            _joined.Remove(process);
            string lastErrors = LastErrorLines(process);
            _stderr.Remove(process);
            if (_disposing || (!joined.IsCompletedSuccessfully && !replacement) || !_processes.Remove(process))
            {
                return;
            }

            IReadOnlyDictionary<string, double>? resources = ForgetResources(process);
            _failedReplacements = joined.IsCompleted ? 0 : _failedReplacements + 1;
            if (_failedReplacements > MaxFailedReplacements)
            {
                Console.Error.WriteLine($"Worker replacements died {_failedReplacements} times in a row before joining scheduler {SchedulerAddress} (the last with exit code {process.ExitCode}); not replacing it again. Its last error lines:\n{lastErrors}");
            }
            else
            {
                _processes.Add(StartWorkerProcess($"local-{_nextWorker++}", resources, replacement: true));
                Interlocked.Increment(ref _replacedWorkers);
            }
        }

        process.Dispose();
    }

    // A worker process that the scheduler removed for missing heartbeats hangs: it is killed, and so
    // replaced like a crashed one.
    private void KillHungWorkerProcess(string name)
    {
        Process? hung;
        lock (_processes)
        {
            hung = _processes.FirstOrDefault(p => WorkerName(p) == name);
        }

        try
        {
            hung?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited already.
        }
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
                    _ = host.DisposeAsync().AsTask();
                }

                return;
            }

            Process? retired = _processes.Find(p => WorkerName(p) == name);
            if (retired is not null)
            {
                _processes.Remove(retired);
                ForgetResources(retired);
                _ = Task.Run(async () =>
                {
                    await retired.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    await StopAsync(retired).ConfigureAwait(false);
                });
            }
        }
    }

    // Called under the _processes lock.
    private string LastErrorLines(Process process) => _stderr.TryGetValue(process, out StandardErrorTail? tail) ? tail.ToString() : "";

    private static string? WorkerName(Process process) => process.StartInfo.ArgumentList.SkipWhile(a => a != "--name").Skip(1).FirstOrDefault();

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    // The last lines a worker process wrote to its standard error.
    private sealed class StandardErrorTail
    {
        private const int Lines = 20;
        private readonly Queue<string> _lines = new(Lines);

        public void Add(string line)
        {
            lock (_lines)
            {
                if (_lines.Count == Lines)
                {
                    _lines.Dequeue();
                }

                _lines.Enqueue(line);
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return _lines.Count == 0 ? "(none)" : string.Join('\n', _lines);
            }
        }
    }
}
