using System.Diagnostics;
using Tessera.Distributed.Tests.Hosts;

namespace Tessera.Distributed.Tests;

/// <summary>
/// <c>tessera worker</c> under its nanny: a worker process that dies is restarted and says why in the
/// scheduler's log; a worker that stops deliberately ends its nanny; a nanny that dies takes its worker along.
/// Its clients become the process's default scheduler while connected, so it runs alone.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class NannyTests : IAsyncLifetime
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);
    private readonly List<Process> _processes = [];
    private SchedulerHost _scheduler = null!;

    public async ValueTask InitializeAsync() =>
        _scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0", AllowedFailures = 1 }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (Process p in _processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        await _scheduler.DisposeAsync();
    }

    [Fact]
    public async Task AWorkerProcessKilledUnderItsNanny_IsRestarted_AndTheSchedulerLogsWhy()
    {
        await StartWorkerAsync();
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int first = await WorkerProcessIdAsync(client);

        Process.GetProcessById(first).Kill();
        await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process killed by signal 9 (SIGKILL)"));
        int second = await WorkerProcessIdAsync(client);
        Assert.NotEqual(first, second);
        Assert.Single(await client.GetWorkersAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AWorkerAboveItsMemoryTerminateThreshold_IsRestarted_AndTheTaskThatDidItFailsWithKilledWorker()
    {
        await StartWorkerAsync("--memory-limit", "300MB", "--memory-spill-fraction", "off", "--memory-pause-fraction", "off");
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        using Future<byte> hog = client.Submit(() =>
        {
            // Far above 95% of the limit, touched so that it counts, and held until the worker stops.
            var block = new byte[400_000_000];
            Array.Fill(block, (byte)1);
            Thread.Sleep(TimeSpan.FromSeconds(30));
            return block[^1];
        });

        KilledWorkerException e = await Assert.ThrowsAsync<KilledWorkerException>(() => hog.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));
        Assert.Equal(hog.Key, e.Key);
        await WaitUntilAsync(() => Logged("stopped itself above its memory terminate threshold"));
        using Future<int> after = client.Submit(() => 42);
        Assert.Equal(42, await after.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ANannyThatDies_TakesItsWorkerProcessAlong()
    {
        Process nanny = await StartWorkerAsync();
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        using Process worker = Process.GetProcessById(await WorkerProcessIdAsync(client));
        Assert.NotEqual(nanny.Id, worker.Id);

        nanny.Kill();
        await worker.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => _scheduler.WorkerCount == 0);
    }

    [Fact]
    public async Task AWorkerWhoseSchedulerStops_EndsItsNannyWithExitCode0()
    {
        Process nanny = await StartWorkerAsync();
        await _scheduler.DisposeAsync();
        await nanny.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(0, nanny.ExitCode);
    }

    [Fact]
    public async Task NWorkersUnderNannies_AreNProcesses_ThatShareTheCoresAsWithoutNannies()
    {
        Process nanny = TesseraCommand.Start(["worker", _scheduler.Address, "--nworkers", "2", "--name", "w", "--app-base", AppContext.BaseDirectory]);
        _processes.Add(nanny);
        await TesseraCommand.ReadLineStartingWithAsync(nanny, WorkerNanny.JoinedLinePrefix);
        await TesseraCommand.ReadLineStartingWithAsync(nanny, WorkerNanny.JoinedLinePrefix);
        await using Client client = await Client.ConnectAsync(_scheduler.Address);

        IReadOnlyDictionary<string, int> workers = await client.GetWorkersAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, workers.Count);
        Assert.All(workers.Values, threads => Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), threads));
        var pids = new HashSet<int>();
        foreach (string worker in workers.Keys)
        {
            using Future<int> pid = client.Submit(() => Environment.ProcessId, key: $"pid-{Guid.NewGuid():N}", workers: [worker]);
            pids.Add(await pid.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));
        }

        Assert.Equal(2, pids.Count);
        Assert.DoesNotContain(nanny.Id, pids);
    }

    [Fact]
    public async Task RestartAsync_OnACliCluster_RestartsEachWorkerProcessThroughItsNanny()
    {
        Process nanny = TesseraCommand.Start(["worker", _scheduler.Address, "--nworkers", "2", "--nthreads", "1", "--app-base", AppContext.BaseDirectory]);
        _processes.Add(nanny);
        await TesseraCommand.ReadLineStartingWithAsync(nanny, WorkerNanny.JoinedLinePrefix);
        await TesseraCommand.ReadLineStartingWithAsync(nanny, WorkerNanny.JoinedLinePrefix);
        await WaitUntilAsync(() => Count("Nanny of worker") == 2);
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int[] before = [.. (await client.RunAsync(() => Environment.ProcessId, cancellationToken: TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken)).Values];
        using Future<int> finished = client.Submit(() => 7);
        Assert.Equal(7, await finished.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));

        await client.RestartAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ClusterRestartedException>(() => finished.ResultAsync(TestContext.Current.CancellationToken));
        int[] after = [.. (await client.RunAsync(() => Environment.ProcessId, cancellationToken: TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken)).Values];
        Assert.Equal(2, after.Length);
        Assert.Empty(after.Intersect(before));
        Assert.DoesNotContain(nanny.Id, after);
        Assert.All(before, pid => Assert.False(TestProcesses.IsRunning(pid), $"the old worker process {pid} still runs"));
        await WaitUntilAsync(() => Count("restarted by its nanny: the previous process was killed at the scheduler's request: the cluster restarted") == 2);
        using Future<int> again = client.Submit(() => 8);
        Assert.Equal(8, await again.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AWorkerThatHangs_IsKilledByItsNannyAtTheSchedulersRequest_AndAFreshOneJoins()
    {
        await _scheduler.DisposeAsync();
        _scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0", WorkerTimeout = TimeSpan.FromSeconds(3) }, TestContext.Current.CancellationToken);
        await StartWorkerAsync();
        await WaitUntilAsync(() => Count("Nanny of worker") == 1);
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int hung = await WorkerProcessIdAsync(client);

        // SIGSTOP: the process is alive, its connections open, and it answers nothing.
        Assert.Equal(0, TestProcesses.Signal("-STOP", hung));

        try
        {
            await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process was killed at the scheduler's request: no heartbeat for 3 s"));
            await AssertReplacedAsync(client, hung);
        }
        finally
        {
            TestProcesses.KillIfRunning(hung);
        }
    }

    [Fact]
    public async Task ARestartBeforeTheNannyRegistered_EndsTheWorkerProcess_AndItsNannyStartsAFreshOneAndRegistersIt()
    {
        // The moment between a worker's join and its nanny's registration, held open: the scheduler
        // has no nanny to ask and tells the worker itself to restart.
        _scheduler.Server.HeldNanniesForTesting = 1;
        await StartWorkerAsync();
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int first = await WorkerProcessIdAsync(client);

        await client.RestartAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken);

        // A fresh process (not a fresh worker inside the old one), whose nanny registers its new address.
        await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process stopped itself to restart, at the scheduler's request (exit code 87)"));
        int second = await WorkerProcessIdAsync(client);
        Assert.NotEqual(first, second);
        Assert.False(TestProcesses.IsRunning(first), $"the old worker process {first} still runs");
        string address = Assert.Single(await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Key;
        await WaitUntilAsync(() => Logged($"Nanny of worker {address} registered"));

        // So the next restart goes through the nanny.
        await client.RestartAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process was killed at the scheduler's request: the cluster restarted"));
        Assert.NotEqual(second, await WorkerProcessIdAsync(client));
    }

    [Fact]
    public async Task AWorkerThatHangsWhenARestartComesBeforeItsNannyRegistered_IsKilledByItsNanny_AndAFreshOneJoins()
    {
        // The moment between a worker's join and its nanny's registration, held open, with the worker hung
        // in it (SIGSTOP): it cannot answer the scheduler's request to restart itself.
        _scheduler.Server.HeldNanniesForTesting = 1;
        await StartWorkerAsync();
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int hung = await WorkerProcessIdAsync(client);
        Assert.Equal(0, TestProcesses.Signal("-STOP", hung));
        try
        {
            Task restart = client.RestartAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            // The scheduler retired the worker for the restart; then the nanny's registration arrives.
            await WaitUntilAsync(() => _scheduler.WorkerCount == 0);
            _scheduler.Server.ReleaseHeldNanniesForTesting();

            await restart.WaitAsync(s_limit, TestContext.Current.CancellationToken);
            await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process was killed at the scheduler's request: the cluster restarted"));
            await AssertReplacedAsync(client, hung);
        }
        finally
        {
            TestProcesses.KillIfRunning(hung);
        }
    }

    [Fact]
    public async Task AWorkerThatHangsBeforeItsNannyRegistered_IsKilledByItsNannyOnceItRegisters_AndAFreshOneJoins()
    {
        await _scheduler.DisposeAsync();
        _scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0", WorkerTimeout = TimeSpan.FromSeconds(3) }, TestContext.Current.CancellationToken);
        _scheduler.Server.HeldNanniesForTesting = 1;
        await StartWorkerAsync();
        await using Client client = await Client.ConnectAsync(_scheduler.Address);
        int hung = await WorkerProcessIdAsync(client);
        Assert.Equal(0, TestProcesses.Signal("-STOP", hung));
        try
        {
            // The scheduler removes the silent worker, with no nanny to ask; then the nanny's registration arrives.
            await WaitUntilAsync(() => Logged("no heartbeat for 3 s") && _scheduler.WorkerCount == 0);
            _scheduler.Server.ReleaseHeldNanniesForTesting();

            await WaitUntilAsync(() => Logged("restarted by its nanny: the previous process was killed at the scheduler's request: no heartbeat for 3 s"));
            await AssertReplacedAsync(client, hung);
        }
        finally
        {
            TestProcesses.KillIfRunning(hung);
        }
    }

    [Theory]
    [InlineData(137, "killed by signal 9 (SIGKILL)")]
    [InlineData(134, "killed by signal 6 (SIGABRT)")]
    [InlineData(Tessera.Distributed.Runtime.WorkerServer.ExitCodeAboveMemoryLimit, "stopped itself above its memory terminate threshold (exit code 86)")]
    [InlineData(WorkerNanny.ExitCodeRestartRequested, "stopped itself to restart, at the scheduler's request (exit code 87)")]
    [InlineData(3, "exited with code 3")]
    public void ExitCodes_AreDescribedForTheLog(int exitCode, string expected) => Assert.Equal(expected, WorkerNanny.DescribeExit(exitCode));

    private async Task<Process> StartWorkerAsync(params string[] options)
    {
        Process nanny = TesseraCommand.Start(["worker", _scheduler.Address, "--nthreads", "1", "--app-base", AppContext.BaseDirectory, .. options]);
        _processes.Add(nanny);
        await TesseraCommand.ReadLineStartingWithAsync(nanny, WorkerNanny.JoinedLinePrefix);
        return nanny;
    }


    // The hung process is gone, and one fresh worker process serves the client instead.
    private static async Task AssertReplacedAsync(Client client, int hung)
    {
        Assert.False(TestProcesses.IsRunning(hung), $"the hung worker process {hung} still runs");
        Assert.NotEqual(hung, await WorkerProcessIdAsync(client));
        Assert.Single(await client.GetWorkersAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<int> WorkerProcessIdAsync(Client client)
    {
        using Future<int> pid = client.Submit(() => Environment.ProcessId, key: $"pid-{Guid.NewGuid():N}");
        return await pid.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
    }

    private int Count(string text) => _scheduler.Monitor.GetLogs().Count(l => l.Message.Contains(text, StringComparison.Ordinal));

    private bool Logged(string text) => _scheduler.Monitor.GetLogs().Any(l => l.Message.Contains(text, StringComparison.Ordinal));

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < s_limit, $"waited {s_limit.TotalSeconds} s; the scheduler's log:\n{string.Join('\n', _scheduler.Monitor.GetLogs().Select(l => $"{l.Source}: {l.Message}"))}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
