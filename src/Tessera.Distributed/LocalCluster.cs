using System.Diagnostics;

namespace Tessera.Distributed;

/// <summary>
/// A scheduler and workers on this machine (Dask's <c>LocalCluster</c>): worker processes by
/// default, or workers inside this process with <c>processes: false</c>. The scheduler runs in this
/// process.
/// </summary>
/// <remarks>
/// Worker processes run the <c>tessera</c> program (the Tessera.Cli package, whose <c>Tessera.Cli.dll</c>
/// sits next to the application, or the path in <c>TESSERA_WORKER_PATH</c>) and load the
/// application's own assemblies from its directory, so closures defined in the application run there
/// without uploading code.
/// </remarks>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly SchedulerHost _scheduler;
    private readonly List<WorkerHost> _inProcess = [];
    private readonly List<Process> _processes = [];
    private readonly int _threadsPerWorker;
    private int _nextWorker;

    private LocalCluster(SchedulerHost scheduler, bool processes, int threadsPerWorker)
    {
        _scheduler = scheduler;
        Processes = processes;
        _threadsPerWorker = threadsPerWorker;
        if (processes)
        {
            // A restart replaces the worker processes (in-process workers restart themselves).
            scheduler.Server.WorkerRestarter = RestartWorkerProcessesAsync;
        }
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

    /// <summary>Gets the number of workers started and not stopped.</summary>
    public int WorkerCount => Processes ? _processes.Count : _inProcess.Count;

    /// <summary>Starts a scheduler and <paramref name="workers"/> workers, and waits until they have joined.</summary>
    /// <param name="workers">The number of workers.</param>
    /// <param name="threadsPerWorker">Threads per worker.</param>
    /// <param name="processes">Whether workers are processes (the default) or live in this process.</param>
    /// <param name="workerSaturation">Root tasks per worker thread before the rest wait on the scheduler (<see cref="SchedulerOptions.WorkerSaturation"/>, default 1.1); <see cref="double.PositiveInfinity"/> turns queuing off.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<LocalCluster> StartAsync(int workers = 2, int threadsPerWorker = 1, bool processes = true, double workerSaturation = 1.1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerWorker, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(workerSaturation, 0);
        string address = processes ? "tcp://127.0.0.1:0" : "memory://0";
        SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = address, WorkerSaturation = workerSaturation }, cancellationToken).ConfigureAwait(false);
        var cluster = new LocalCluster(scheduler, processes, threadsPerWorker);
        try
        {
            await cluster.ScaleUpAsync(workers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>Starts a scheduler (with a dashboard when the options name one) and the workers, and waits until they have joined.</summary>
    /// <param name="options">The cluster's workers, scheduling and dashboard.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        LocalCluster cluster = await StartAsync(options.Workers, options.ThreadsPerWorker, options.Processes, options.WorkerSaturation, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Adds <paramref name="count"/> workers and waits until they have joined.</summary>
    /// <param name="count">How many workers to add.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the workers are connected.</returns>
    public async Task ScaleUpAsync(int count, CancellationToken cancellationToken = default)
    {
        int target = _scheduler.WorkerCount + count;
        for (int i = 0; i < count; i++)
        {
            string name = $"local-{_nextWorker++}";
            if (Processes)
            {
                _processes.Add(StartWorkerProcess(name));
            }
            else
            {
                _inProcess.Add(await WorkerHost.StartAsync(SchedulerAddress, new WorkerOptions { Threads = _threadsPerWorker, Name = name }, cancellationToken).ConfigureAwait(false));
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (_scheduler.WorkerCount < target)
        {
            Process? exited = _processes.FirstOrDefault(p => p.HasExited);
            if (exited is not null)
            {
                throw new InvalidOperationException($"A worker process exited with code {exited.ExitCode} before joining scheduler {SchedulerAddress}: {exited.StandardError.ReadToEnd().Trim()}");
            }

            try
            {
                await Task.Delay(5, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
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
        for (int i = 0; i < count && WorkerCount > 0; i++)
        {
            if (Processes)
            {
                Process p = _processes[^1];
                _processes.RemoveAt(_processes.Count - 1);
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
    // waits for them to join.
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
            foreach (Process _ in old)
            {
                _processes.Add(StartWorkerProcess($"local-{_nextWorker++}"));
            }
        }
    }

    /// <summary>Kills a worker process abruptly (as a crash would), for fault tests.</summary>
    /// <param name="index">The worker's index among the running worker processes.</param>
    internal void KillWorkerProcessForTesting(int index)
    {
        Process p = _processes[index];
        _processes.RemoveAt(index);
        p.Kill(entireProcessTree: true);
        p.WaitForExit();
        p.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ScaleDownAsync(WorkerCount).ConfigureAwait(false);
        await _scheduler.DisposeAsync().ConfigureAwait(false);
    }

    private Process StartWorkerProcess(string name)
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
            "--name", name, "--app-base", AppContext.BaseDirectory,
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start a worker process ({program}).");
        process.OutputDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

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
}
