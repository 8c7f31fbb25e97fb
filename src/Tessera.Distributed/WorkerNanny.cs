using System.Diagnostics;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;

namespace Tessera.Distributed;

/// <summary>
/// A worker's nanny (Dask's <c>Nanny</c>): a supervisor that runs the worker in a child process and starts a
/// fresh one when the child dies unasked — a crash, kill -9, or the memory terminate threshold — passing the
/// reason on, so the new worker tells the scheduler why it was restarted. <c>tessera worker</c> runs one per
/// worker in a process of its own unless told <c>--no-nanny</c>; a <see cref="LocalCluster"/> runs one per
/// worker process inside the application.
/// </summary>
/// <remarks>
/// With a <see cref="SchedulerAddress"/>, the nanny registers with the scheduler once its worker joined, and
/// the scheduler may ask it to kill the worker's process and start a fresh one: a cluster restart
/// (<see cref="Client.RestartAsync"/>), or a worker that stopped sending heartbeats (it hangs).
/// A child that exits with code 0 stopped deliberately (the scheduler closed it, or went away), and the
/// nanny stops with it. The child reads its standard input and stops in good order when it closes, so a
/// nanny that is stopped, or dies, takes its worker with it. Its limits (<see cref="Options"/>): after
/// <see cref="NannyOptions.MaxFailedStarts"/> children in a row die before they join the scheduler, with a
/// back-off between them, or after <see cref="NannyOptions.MaxRestarts"/> replacements within a window, the
/// nanny gives up.
/// </remarks>
public sealed class WorkerNanny
{
    /// <summary>The line a worker prints once it has joined its scheduler, which tells the nanny the start succeeded.</summary>
    public const string JoinedLinePrefix = "Worker at ";

    /// <summary>
    /// The exit code of a worker process that stopped itself because the scheduler asked it to restart before
    /// the nanny registered (so the scheduler could not ask the nanny): the nanny starts a fresh process.
    /// </summary>
    public const int ExitCodeRestartRequested = 87;

    private readonly string _fileName;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Func<string, IReadOnlyList<string>> _restartArguments;
    private readonly ErrorTail _errors = new();
    private readonly Lock _gate = new();
    private Process? _child;
    private int _childId;
    private int _restarts;

    /// <summary>Initializes a nanny that runs <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    /// <param name="fileName">The worker program.</param>
    /// <param name="arguments">Its arguments for the first start.</param>
    /// <param name="restartArguments">Extra arguments for a restart, given why the last child ended.</param>
    public WorkerNanny(string fileName, IReadOnlyList<string> arguments, Func<string, IReadOnlyList<string>> restartArguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(restartArguments);
        _fileName = fileName;
        _arguments = arguments;
        _restartArguments = restartArguments;
    }

    /// <summary>Gets how many times the nanny has started a fresh child after one died or was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>
    /// Gets the address of the worker's scheduler, which the nanny registers with so that the scheduler can
    /// have it restart the worker's process; null (the default): the nanny only replaces a worker that dies.
    /// </summary>
    public string? SchedulerAddress { get; init; }

    /// <summary>Gets the nanny's limits: restarts, their back-off, and how long a stopped worker has to stop.</summary>
    public NannyOptions Options { get; init; } = new();

    /// <summary>Gets environment variables set for each child.</summary>
    internal IReadOnlyList<(string Variable, string Value)> ChildEnvironment { get; init; } = [];

    /// <summary>Gets where the children's standard output lines go; by default this process's standard output.</summary>
    internal Action<string> OutputLines { get; init; } = static line => Console.Out.WriteLine(line);

    /// <summary>Gets where the children's standard error lines, and the nanny's own notes, go; by default this process's standard error.</summary>
    internal Action<string> ErrorLines { get; init; } = static line => Console.Error.WriteLine(line);

    /// <summary>Gets what is called once a fresh child has started in place of one that died or hung (not for a restart of every worker).</summary>
    internal Action? Replaced { get; init; }

    /// <summary>Gets the process id of the current child (the last one started while none runs); 0 before the first.</summary>
    internal int ProcessId => Volatile.Read(ref _childId);

    /// <summary>
    /// Gets how the nanny's first child ended, with its last error lines, when it died before it joined the
    /// scheduler (the worker could not start); null otherwise.
    /// </summary>
    internal string? FailedToStart { get; private set; }

    /// <summary>Describes how a worker process ended, from its exit code.</summary>
    /// <param name="exitCode">The exit code (on Unix, 128 + the signal for a process a signal killed).</param>
    /// <returns>A short phrase, e.g. "killed by signal 9 (SIGKILL)".</returns>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        WorkerServer.ExitCodeAboveMemoryLimit => $"stopped itself above its memory terminate threshold (exit code {exitCode})",
        ExitCodeRestartRequested => $"stopped itself to restart, at the scheduler's request (exit code {exitCode})",
        > 128 and < 160 when !OperatingSystem.IsWindows() => $"killed by signal {exitCode - 128}{SignalName(exitCode - 128)}",
        _ => $"exited with code {exitCode}",
    };

    /// <summary>Runs the worker until it stops deliberately, the nanny gives up, or <paramref name="cancellationToken"/> stops both.</summary>
    /// <param name="cancellationToken">Stops the worker (in good order: its standard input closes) and the nanny.</param>
    /// <returns>0 when the worker stopped deliberately or was stopped; 1 when the nanny gave up.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value of <see cref="Options"/> is out of range.</exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        Options.Check("WorkerNanny");
        string? reason = null;
        bool replacing = false;
        int failedStarts = 0;
        var replaced = new Queue<long>();
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<string> arguments = reason is null ? _arguments : [.. _arguments, .. _restartArguments(reason)];
            ChildEnd end = await RunChildAsync(arguments, restart: reason is not null, replacing, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested || (end.ExitCode == 0 && end.Request is null))
            {
                return 0;
            }

            string how = end.Request?.Reason ?? DescribeExit(end.ExitCode);
            if (reason is null && !end.Joined)
            {
                FailedToStart = $"{how} before it joined; its last error lines:\n{_errors}";
            }

            failedStarts = end.Joined ? 0 : failedStarts + 1;
            reason = how + (end.LastError is null ? "" : $"; its last error line: {end.LastError}");
            if (failedStarts >= Options.MaxFailedStarts)
            {
                ErrorLines($"Nanny: the worker died {failedStarts} times in a row before joining its scheduler (the last {reason}); giving up.");
                return 1;
            }

            // A restart of every worker (asked of the nanny, or of the worker before the nanny registered)
            // replaces no worker that died or hung.
            replacing = !(end.Request?.ClusterRestart ?? end.ExitCode == ExitCodeRestartRequested);
            if (replacing && Options.MaxRestarts is int most && TooManyRestarts(replaced, most))
            {
                ErrorLines($"Nanny: the worker process {reason}: more than {most} replacements within {Options.RestartWindow.TotalSeconds:0.###} s; giving up.");
                return 1;
            }

            ErrorLines($"Nanny: the worker process {reason}; starting a fresh one.");
            if (failedStarts > 0 && Options.RestartBackoff > TimeSpan.Zero)
            {
                // 1, 2, 4, … times the back-off for deaths in a row before joining.
                TimeSpan backoff = Options.RestartBackoff * Math.Pow(2, Math.Min(failedStarts - 1, 16));
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        return 0;
    }

    // Records a replacement now, and tells whether more than `most` fall within the restart window.
    private bool TooManyRestarts(Queue<long> replaced, int most)
    {
        long now = Stopwatch.GetTimestamp();
        replaced.Enqueue(now);
        while (Stopwatch.GetElapsedTime(replaced.Peek(), now) > Options.RestartWindow)
        {
            replaced.Dequeue();
        }

        return replaced.Count > most;
    }

    /// <summary>Kills the current child, as a crash would (the nanny starts a fresh one unless it is stopping).</summary>
    internal void KillProcess()
    {
        lock (_gate)
        {
            try
            {
                _child?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited already.
            }
        }
    }

    // Runs one child, passing its output on, until it exits; a cancellation closes its input (a request to
    // stop in good order) and, if it has not stopped within StopTimeout, kills it. Once the child joined, the
    // nanny registers with the scheduler, which may ask it to kill the child (the request comes back in the end).
    private async Task<ChildEnd> RunChildAsync(IReadOnlyList<string> arguments, bool restart, bool replacing, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_fileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string variable, string value) in ChildEnvironment)
        {
            start.Environment[variable] = value;
        }

        _errors.Clear();
        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"The nanny could not start the worker program {_fileName}.");
        lock (_gate)
        {
            _child = child;
            _childId = child.Id;
        }

        if (restart)
        {
            Interlocked.Increment(ref _restarts);
            if (replacing)
            {
                Replaced?.Invoke();
            }
        }

        bool joined = false;
        var control = new ChildControl(KillProcess);
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                if (line.StartsWith(JoinedLinePrefix, StringComparison.Ordinal))
                {
                    Volatile.Write(ref joined, true);
                    if (SchedulerAddress is { } scheduler)
                    {
                        // "Worker at ADDRESS with N thread(s)".
                        string address = line[JoinedLinePrefix.Length..].Split(' ', 2)[0];
                        control.Listen(scheduler, address);
                    }
                }

                OutputLines(line);
            }
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                _errors.Add(e.Data);
                ErrorLines(e.Data);
            }
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.StandardInput.Close();
            try
            {
                await child.WaitForExitAsync(CancellationToken.None).WaitAsync(Options.StopTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                KillProcess();
            }
        }

        // The last output lines are in once the process has exited and its streams have ended.
        await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await control.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _child = null;
        }

        return new ChildEnd(child.ExitCode, Volatile.Read(ref joined), _errors.Last, control.Request);
    }

    /// <summary>How a child ended: its exit code, whether it had joined, its last error line, and the scheduler's request that killed it.</summary>
    private readonly record struct ChildEnd(int ExitCode, bool Joined, string? LastError, RestartWorkerProcess? Request);

    // The nanny's connection to the scheduler while one child runs: it says which worker the nanny runs,
    // and kills the child when the scheduler asks (RestartWorkerProcess). A scheduler that cannot be
    // reached only costs the nanny this control; it goes on replacing a child that dies.
    private sealed class ChildControl(Action killChild) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _listening = Task.CompletedTask;
        private RestartWorkerProcess? _request;

        public RestartWorkerProcess? Request => Volatile.Read(ref _request);

        public void Listen(string schedulerAddress, string workerAddress) => _listening = Task.Run(() => ListenAsync(schedulerAddress, workerAddress));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task ListenAsync(string schedulerAddress, string workerAddress)
        {
            try
            {
                await using IMessageChannel channel = await Networks.For(schedulerAddress, "nanny").ConnectAsync(schedulerAddress, _stop.Token).ConfigureAwait(false);
                await channel.SendAsync(new RegisterNanny(workerAddress), _stop.Token).ConfigureAwait(false);
                while (true)
                {
                    switch (await channel.ReceiveAsync(_stop.Token).ConfigureAwait(false))
                    {
                        case RestartWorkerProcess restart:
                            Volatile.Write(ref _request, restart);
                            killChild();
                            return;
                        case Close:
                            return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or CommClosedException or IOException or InvalidOperationException)
            {
                // Stopped with its child, the scheduler went away, or the child exited already.
            }
        }
    }

    // The last lines a child wrote to its standard error.
    private sealed class ErrorTail
    {
        private const int Lines = 20;
        private readonly Queue<string> _lines = new(Lines);
        private string? _last;

        public void Add(string line)
        {
            lock (_lines)
            {
                if (_lines.Count == Lines)
                {
                    _lines.Dequeue();
                }

                _lines.Enqueue(line);
                _last = line;
            }
        }

        // The last line, or null when none.
        public string? Last
        {
            get
            {
                lock (_lines)
                {
                    return _last;
                }
            }
        }

        public void Clear()
        {
            lock (_lines)
            {
                _lines.Clear();
                _last = null;
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

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
