using System.Diagnostics;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests;

[Collection(nameof(DataMovementTests))]
public sealed class LocalClusterTests
{
    private static long Square(long x) => x * x;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartAsync_ClientComputesDelayedAndFutures_LikeTheLocalScheduler(bool processes)
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: processes);
        Assert.Equal(2, cluster.WorkerCount);
        await using Client client = await Client.ConnectAsync(cluster);
        Assert.Same(client, Schedulers.Default);

        // A closure with captured state runs on the workers.
        long offset = 7;
        var f = Delayed.Of<long, long>(x => Square(x) + offset);
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        Delayed<long> total = sum(Delayed.List(Enumerable.Range(0, 200).Select(i => f(i))));
        Assert.Equal(total.Compute(Schedulers.Sync), total.Compute());

        using Future<long> a = client.Submit(Square, 12L);
        using Future<long> b = client.Submit<long, long, long>((x, y) => x - y, a, 4L);
        Assert.Equal(140L, await b);
    }

    [Fact]
    public async Task AResultThatCannotBeSerialized_FailsTheGather_NamingTheKey_InsteadOfHanging()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<object[]> bad = client.Submit<int, object[]>(static n => [n, new MemoryStream()], 1, key: "holds-a-stream");

        RemoteException e = await Assert.ThrowsAsync<RemoteException>(() => bad.ResultAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.Contains("holds-a-stream", e.Message, StringComparison.Ordinal);
        Assert.Contains("MemoryStream", e.Message, StringComparison.Ordinal);

        // The worker still serves.
        using Future<long> fine = client.Submit<long, long>(Square, 7L);
        Assert.Equal(49L, await fine.ResultAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartAsync_WorkerProcesses_AreSeparateProcesses()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<int>> pids = client.Map<int, int>(_ => Environment.ProcessId, Enumerable.Range(0, 40));
        int[] seen = await client.GatherAsync(pids);
        Assert.DoesNotContain(Environment.ProcessId, seen);
        Assert.Equal(2, seen.Distinct().Count());

        // client.Run reaches each worker process once.
        IReadOnlyDictionary<string, int> byWorker = await client.RunAsync(() => Environment.ProcessId);
        Assert.Equal(2, byWorker.Count);
        Assert.Equal(seen.Distinct().Order(), byWorker.Values.Order());
        foreach (Future<int> p in pids)
        {
            p.Dispose();
        }
    }

    private static string WorkerName(long ignored) => Runtime.TestFunctions.WorkerName(ignored);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Resources_TaskNeedingThem_RunsOnlyOnTheWorkerThatHasThem(bool processes)
    {
        // local-0 has none; local-1 is added with GPU=1 (on its command line, for a process).
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, processes: processes);
        await cluster.ScaleUpAsync(1, new Dictionary<string, double> { ["GPU"] = 1 });
        await using Client client = await Client.ConnectAsync(cluster);
        long[] items = [.. Enumerable.Range(0, 30).Select(i => (long)i)];
        IReadOnlyList<Future<string>> needGpu = client.Map(WorkerName, items, resources: new Dictionary<string, double> { ["GPU"] = 1 });
        IReadOnlyList<Future<string>> anywhere = client.Map(WorkerName, items.Select(i => i + 1000));
        Assert.All(await client.GatherAsync(needGpu).WaitAsync(TimeSpan.FromSeconds(60)), w => Assert.Equal("local-1", w));
        Assert.Subset(new HashSet<string> { "local-0", "local-1" }, new HashSet<string>(await client.GatherAsync(anywhere).WaitAsync(TimeSpan.FromSeconds(60))));
        foreach (Future<string> f in needGpu.Concat(anywhere))
        {
            f.Dispose();
        }
    }

    [Fact]
    public async Task Resources_GivenToTheCluster_EveryWorkerHasThem()
    {
        var options = new LocalClusterOptions { Workers = 2, Processes = false, Resources = new Dictionary<string, double> { ["MEM"] = 4 } };
        await using LocalCluster cluster = await LocalCluster.StartAsync(options);
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<string>> futures = client.Map(WorkerName, Enumerable.Range(0, 40).Select(i => (long)i), resources: new Dictionary<string, double> { ["MEM"] = 4 });
        string[] ranOn = await client.GatherAsync(futures).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(ranOn, w => Assert.Contains(w, new[] { "local-0", "local-1" }));

        // Workers added later get the cluster's resources too; a task needing more than any has waits.
        await cluster.ScaleUpAsync(1);
        using Future<string> tooMuch = client.Submit(WorkerName, 99L, resources: new Dictionary<string, double> { ["MEM"] = 5 });
        await Task.Delay(200);
        Assert.Equal(FutureStatus.Pending, tooMuch.Status);
        foreach (Future<string> f in futures)
        {
            f.Dispose();
        }
    }

    private static long Digits(long a, long b, long c, long d, long e, long f) => (((((a * 10 + b) * 10 + c) * 10 + d) * 10 + e) * 10) + f;

    // The example in docs/distributed.md (Client API), with its results checked.
    [Fact]
    public async Task DocsExample_SixArguments_MapOverFutures_Resources()
    {
        await using var cluster = await LocalCluster.StartAsync(workers: 1);
        await cluster.ScaleUpAsync(1, new Dictionary<string, double> { ["GPU"] = 1 });
        await using var client = await Client.ConnectAsync(cluster);

        using Future<long> three = client.Submit((long x, long y) => x + y, 1L, 2L);
        using Future<long> digits = client.Submit(Digits, 1L, 2L, three, 4L, 5L, 6L);
        IReadOnlyList<Future<long>> squares = client.Map((long x) => x * x, [1L, 2L, 3L]);
        IReadOnlyList<Future<long>> plusOne = client.Map((long x) => x + 1, squares);
        IReadOnlyList<Future<long>> onGpu = client.Map((long x) => x * 2, [1L, 2L], resources: new Dictionary<string, double> { ["GPU"] = 1 });
        long[] results = await client.GatherAsync(plusOne).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(new long[] { 2, 5, 10 }, results);
        Assert.Equal(123456L, await digits.ResultAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(new long[] { 2, 4 }, await client.GatherAsync(onGpu).WaitAsync(TimeSpan.FromSeconds(60)));
        foreach (Future<long> f in squares.Concat(plusOne).Concat(onGpu))
        {
            f.Dispose();
        }
    }

    [Theory]
    [InlineData("GPU=1", 1.0, "GPU=1")]
    [InlineData("", 1.0, "''")]
    [InlineData("GPU", -1.0, "-1")]
    [InlineData("GPU", double.PositiveInfinity, "GPU")]
    public async Task Resources_BadNameOrAmount_RefusedNamingIt(string name, double amount, string named)
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => LocalCluster.StartAsync(workers: 1, processes: false, resources: new Dictionary<string, double> { [name] = amount }));
        Assert.Contains("LocalCluster", e.Message, StringComparison.Ordinal);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal("resources", e.ParamName);
    }

    [Fact]
    public async Task AWorkerProcessWritingMegabytesToStandardError_DoesNotBlock_AndItsLinesReachTheLog()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1);
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<int> chatty = client.Submit(() =>
        {
            // 1.5 MB, far beyond what a pipe holds unread (64 KB).
            string line = new('x', 100);
            for (int i = 0; i < 15_000; i++)
            {
                Console.Error.WriteLine(line);
            }

            Console.Error.WriteLine("the chatty task is done");
            return 42;
        });

        Assert.Equal(42, await chatty.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        var watch = Stopwatch.StartNew();
        while (!cluster.Monitor.GetLogs().Any(l => l.Message == "the chatty task is done" && l.Source == "local-0 (standard error)"))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the worker's last standard error line never reached the scheduler's log");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task AWorkerProcessThatFailsToStart_FailsTheStart_WithItsLastErrorLines()
    {
        // The worker process refuses the threshold (LocalCluster passes it on unchecked) and exits.
        var memory = new WorkerMemoryOptions { Limit = 1_000_000_000, TargetFraction = 1.5 };
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, Memory = memory }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.Contains("exited with code", e.Message, StringComparison.Ordinal);
        Assert.Contains("must be a fraction of the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScaleAsync_AddsAndRemovesWorkers()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, processes: false);
        await cluster.ScaleAsync(3);
        Assert.Equal(3, cluster.WorkerCount);
        await cluster.ScaleAsync(1);
        Assert.Equal(1, cluster.WorkerCount);
    }

    private static int s_scaleBlocksComputed;

    private static long[] CountedBlock(int i)
    {
        Interlocked.Increment(ref s_scaleBlocksComputed);
        return [.. Enumerable.Range(0, 10_000).Select(x => (long)x + i)];
    }

    [Fact]
    public async Task ScaleAsync_Down_RetiresWorkers_MovingTheirResults_SoNothingIsRecomputed()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 3, threadsPerWorker: 1, processes: false);
        await using Client client = await Client.ConnectAsync(cluster);
        Volatile.Write(ref s_scaleBlocksComputed, 0);
        IReadOnlyList<Future<long[]>> blocks = client.Map<int, long[]>(CountedBlock, Enumerable.Range(0, 12));
        long[][] before = await client.GatherAsync(blocks, TestContext.Current.CancellationToken);
        Assert.True((await client.WhoHasAsync(blocks, TestContext.Current.CancellationToken)).Values.Select(h => Assert.Single(h)).Distinct().Count() > 1);

        await cluster.ScaleAsync(1, TestContext.Current.CancellationToken);

        Assert.Equal(1, cluster.WorkerCount);
        Assert.Equal(0, cluster.ReplacedWorkers);
        Assert.Equal(before, await client.GatherAsync(blocks, TestContext.Current.CancellationToken));
        Assert.Equal(12, Volatile.Read(ref s_scaleBlocksComputed));
    }

    [Fact]
    public async Task DisposeAsync_StopsWorkerProcesses()
    {
        LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, processes: true);
        await using (Client client = await Client.ConnectAsync(cluster))
        {
            using Future<int> pid = client.Submit(() => Environment.ProcessId);
            int workerPid = await pid;
            await cluster.DisposeAsync();
            var deadline = Stopwatch.StartNew();
            while (TestProcesses.IsRunning(workerPid))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the worker process is still running");
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task WorkerProcesses_AreTheOnesTheClusterKnows_ThroughAKillAndARestart_AndNoneOutlivesTheCluster()
    {
        LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, processes: true);
        string address = cluster.SchedulerAddress;
        await using (Client client = await Client.ConnectAsync(cluster))
        {
            await AssertWorkerProcessesAsync(client);
            cluster.KillWorkerProcessForTesting(0);
            var watch = Stopwatch.StartNew();
            while (cluster.ReplacedWorkers < 1 || cluster.Scheduler.WorkerCount < 2)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "the killed worker process was not replaced");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            await AssertWorkerProcessesAsync(client);
            await client.RestartAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Equal(1, cluster.ReplacedWorkers);
            await AssertWorkerProcessesAsync(client);
            await cluster.DisposeAsync();
        }

        // No process of this cluster's runs on: found by the scheduler's address on its command line.
        var deadline = Stopwatch.StartNew();
        while (WorkerProcessesOf(address).Length > 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"worker processes {string.Join(", ", WorkerProcessesOf(address))} outlived the cluster");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // Exactly the processes the cluster lists run with its address, and they are the ones running its tasks.
        async Task AssertWorkerProcessesAsync(Client client)
        {
            int[] running = [.. (await client.RunAsync(() => Environment.ProcessId, cancellationToken: TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)).Values.Order()];
            Assert.Equal(running, cluster.WorkerProcessIds.Order().ToArray());
            Assert.Equal(running, WorkerProcessesOf(address));
        }
    }

    // The example in docs/distributed.md (Nanny): the limits reach the worker processes' nannies. The first
    // kill is within them (the worker is replaced); the second is one replacement too many, so its nanny gives up.
    [Fact]
    public async Task DocsExample_NannyOptions_AKilledWorkerIsReplacedWithinTheLimits_AndNotBeyond()
    {
        var options = new LocalClusterOptions
        {
            Workers = 2,
            Nanny = new NannyOptions { MaxRestarts = 1, RestartWindow = TimeSpan.FromMinutes(5), StopTimeout = TimeSpan.FromSeconds(3) },
        };
        await using LocalCluster cluster = await LocalCluster.StartAsync(options, TestContext.Current.CancellationToken);
        await using Client client = await Client.ConnectAsync(cluster);
        cluster.KillWorkerProcessForTesting(1);
        using Future<long> square = client.Submit(Square, 11L);
        Assert.Equal(121L, await square.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        await WaitUntilAsync(() => cluster.ReplacedWorkers == 1 && cluster.Scheduler.WorkerCount == 2, "the killed worker process was not replaced");

        cluster.KillWorkerProcessForTesting(1);
        await WaitUntilAsync(
            () => cluster.WorkerCount == 1 && cluster.Scheduler.WorkerCount == 1 && cluster.Monitor.GetLogs().Any(l => l.Message.Contains("more than 1 replacements within 300 s; giving up", StringComparison.Ordinal)),
            "the nanny did not give up after a second replacement within the window");
        Assert.Equal(1, cluster.ReplacedWorkers);

        static async Task WaitUntilAsync(Func<bool> condition, string failure)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), failure);
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }
    }

    // The processes whose command line names the scheduler's address (Linux /proc), in order.
    private static int[] WorkerProcessesOf(string schedulerAddress)
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').Contains(schedulerAddress))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // It exited while read.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return [.. found.Order()];
    }

    [Fact]
    public async Task KilledWorkerProcess_ItsTasksRunElsewhereAndTheAnswerIsRight()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        var slow = Delayed.Of<long, long>(x =>
        {
            Thread.Sleep(10);
            return (x * 3) + Environment.ProcessId - Environment.ProcessId;
        });
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        Delayed<long> total = sum(Delayed.List(Enumerable.Range(0, 300).Select(i => slow(i))));

        Task<long> running = total.ComputeAsync(client, TestContext.Current.CancellationToken);
        await Task.Delay(400, TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted, "the graph finished before a worker could be killed");
        cluster.KillWorkerProcessForTesting(0);

        Assert.Equal(Enumerable.Range(0, 300).Sum(i => i * 3L), await running.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DisconnectingClient_DoesNotDisturbAnother()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, processes: false);
        Client first = await Client.ConnectAsync(cluster);
        await using Client second = await Client.ConnectAsync(cluster);
        Future<long> left = first.Submit(Square, 5L);
        Assert.Equal(25L, await left.ResultAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        using Future<long> kept = second.Submit(Square, 6L);
        Assert.Equal(36L, await kept.ResultAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(FutureStatus.Cancelled, left.Status);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_FailsNamingTheAddress()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Client.ConnectAsync("tcp://127.0.0.1:9"));
        Assert.Contains("127.0.0.1:9", e.Message, StringComparison.Ordinal);
    }
}
