using System.Diagnostics;
using Tessera.Arrays;
using Tessera.Collections;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests;

/// <summary>
/// Fault tests on worker processes: workers killed (kill -9) in the middle of a graph, a task that crashes
/// every worker it runs on, and results spilled to disk under a small memory limit.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class ResilienceTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    private static long Leaf(long i, long round)
    {
        Thread.Sleep(1);
        return (i * 7) + round;
    }

    [Fact]
    public async Task KilledWorkerProcesses_AtRandomPointsOfATreeOf2000Tasks_GiveTheRightAnswerEachTime()
    {
        const int Rounds = 5, Leaves = 2000;
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 2, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        var leaf = Delayed.Of<long, long, long>(Leaf);
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        var random = new Random(7);
        int right = 0, killedWhileRunning = 0;
        for (int round = 0; round < Rounds; round++)
        {
            IReadOnlyList<Delayed<long>> level = [.. Enumerable.Range(0, Leaves).Select(i => leaf(i, round))];
            while (level.Count > 1)
            {
                level = [.. level.Chunk(10).Select(c => sum(Delayed.List(c)))];
            }

            Task<long> running = level[0].ComputeAsync(client, TestContext.Current.CancellationToken);
            await Task.Delay(random.Next(20, 600), TestContext.Current.CancellationToken);
            killedWhileRunning += running.IsCompleted ? 0 : 1;
            cluster.KillWorkerProcessForTesting(random.Next(cluster.WorkerCount));
            long expected = Enumerable.Range(0, Leaves).Sum(i => (i * 7L) + round);
            long got = await WithStateOnTimeout(cluster, client, running, $"Round {round}");

            if (got == expected)
            {
                right++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{right} of {Rounds} right answers; {killedWhileRunning} kills landed while the graph ran; {cluster.ReplacedWorkers} workers replaced.");
        Assert.Equal(Rounds, right);
        Assert.True(killedWhileRunning > 0, "no kill landed while a graph ran");
    }

    [Fact]
    public async Task KilledWorkerProcesses_At20RandomPointsOfA10kTaskArrayGraph_Give20RightAnswers()
    {
        const int Kills = 20;
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 2, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);

        // 10,000 blocks of 20 x 20: the random blocks, the fused x + x.T and its partial sums, and the tree.
        DArray<double> x = DArray.Random.Uniform([2000, 2000], chunks: new[] { 20, 20 }, seed: 5);
        DArray<double> graph = (x + x.T).Sum();
        double expected = graph.Compute(Schedulers.Sync).ToScalar();

        // Rounds with no kill set the pace (the faster of the second and third, once the workers are warm):
        // each kill lands at a random point within it. A round that finished before its kill shortens the pace,
        // so that a pace measured while the machine was busy does not let the later kills all land too late.
        Assert.Equal(expected, (await graph.ComputeAsync(client, TestContext.Current.CancellationToken)).ToScalar());
        TimeSpan pace = TimeSpan.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal(expected, (await graph.ComputeAsync(client, TestContext.Current.CancellationToken)).ToScalar());
            pace = watch.Elapsed < pace ? watch.Elapsed : pace;
        }

        var random = new Random(11);
        int right = 0, killedWhileRunning = 0;
        for (int round = 0; round < Kills; round++)
        {
            var roundWatch = Stopwatch.StartNew();
            Task<NDArray<double>> running = graph.ComputeAsync(client, TestContext.Current.CancellationToken);
            await Task.Delay(pace * (0.05 + (random.NextDouble() * 0.7)), TestContext.Current.CancellationToken);
            if (running.IsCompleted)
            {
                pace = roundWatch.Elapsed < pace ? roundWatch.Elapsed : pace;
            }
            else
            {
                killedWhileRunning++;
            }

            cluster.KillWorkerProcessForTesting(random.Next(cluster.WorkerCount));
            double got = (await WithStateOnTimeout(cluster, client, running, $"Round {round}")).ToScalar();
            right += got == expected ? 1 : 0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{right} of {Kills} right answers; {killedWhileRunning} kills landed while the graph ran (a round takes {pace.TotalMilliseconds:0} ms unharmed); {cluster.ReplacedWorkers} workers replaced.");
        Assert.Equal(Kills, right);
        Assert.True(killedWhileRunning >= Kills / 2, $"only {killedWhileRunning} of {Kills} kills landed while a graph ran");
    }

    [Fact]
    public async Task AnArrayFourTimesTheWorkersMemory_IsPersistedWithSpilling_AndReducesToTheLocalAnswer_WithinTheLimitPlus10Percent()
    {
        Assert.SkipUnless(File.Exists("/proc/self/status"), "peak RSS is read from /proc (Linux)");
        const long Limit = 200_000_000;
        string directory = Path.Combine(Path.GetTempPath(), "tessera-rss-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 1.6 GB in 8 MB blocks, persisted on two workers of 200 MB each: most of it must go to disk.
            var memory = new WorkerMemoryOptions { Limit = Limit, LocalDirectory = directory, TerminateFraction = null };
            await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true, memory: memory);
            await using Client client = await Client.ConnectAsync(cluster);
            DArray<double> x = DArray.Random.Uniform([20_000, 10_000], chunks: new[] { 1000, 1000 }, seed: 3);
            double expected = x.Sum().Compute(Schedulers.Sync).ToScalar();
            NDArray<double> expectedColumns = x.Mean(axis: 0).Compute(Schedulers.Sync);

            DArray<double> held = x.Persist(client, TestContext.Current.CancellationToken);
            await Task.WhenAll(held.Graph.ToTaskGraph().Values.Select(n => ((Future<object?>)((Tessera.Graphs.LiteralNode)n).Value!).Completion));
            List<long> afterPersist = await PeakRssAsync(client);
            Assert.Equal(expected, (await held.Sum().ComputeAsync(client, TestContext.Current.CancellationToken)).ToScalar(), 1e-6);
            NDArray<double> columns = await held.Mean(axis: 0).ComputeAsync(client, TestContext.Current.CancellationToken);
            for (int i = 0; i < 10_000; i++)
            {
                Assert.Equal(expectedColumns[i], columns[i], 1e-12);
            }

            List<long> peaks = await PeakRssAsync(client);

            // Issue 7's target: every worker's peak resident memory (the kernel's high-water mark) within the
            // limit + 10%. Measured at 150-200 MB (load 25-30): before the worker sized NDArray blocks, bounded
            // its fetches and forced collections of dead blocks, 230-680 MB.
            int spilled = Directory.EnumerateFiles(directory, "*.spill", SearchOption.AllDirectories).Count();
            TestContext.Current.TestOutputHelper?.WriteLine($"peak RSS per worker after the persist: {Megabytes(afterPersist)}; at the end: {Megabytes(peaks)} (limit {Limit / 1_000_000} MB); {spilled} blocks on disk");
            Assert.True(spilled >= 100, $"only {spilled} of 200 blocks are on disk");
            Assert.All(peaks, peak => Assert.True(peak <= Limit * 1.1, $"a worker's peak RSS was {Megabytes([peak])}, above the limit + 10% ({Limit * 1.1 / 1_000_000:0} MB); peaks: {Megabytes(peaks)}"));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    // A worker above its pause threshold starts no task and tells the scheduler, which sends new work to the
    // other worker; once the value that held the memory is released, the worker resumes and runs again.
    [Fact]
    public async Task AWorkerAboveItsPauseThreshold_StartsNoTask_AndTheSchedulerSendsNewWorkElsewhere_UntilItResumes()
    {
        // No spilling: only the pause threshold (200 MB of 400 MB) acts.
        var memory = new WorkerMemoryOptions { Limit = 400_000_000, TargetFraction = null, SpillFraction = null, PauseFraction = 0.5, TerminateFraction = null };
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true, memory: memory);
        await using Client client = await Client.ConnectAsync(cluster);
        string[] workers = [.. (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Keys];
        string full = workers[0], other = workers[1];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(s_limit);

        // 260 MB held on one worker, every page touched.
        Future<byte[]> big = client.Submit(() => Enumerable.Repeat((byte)1, 260_000_000).ToArray(), key: "big", workers: [full]);
        await big.Completion.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        await UntilAsync(() => PausedOnScheduler(full), deadline.Token);

        // A task pinned to the paused worker waits there; unpinned work all goes to the other worker.
        using Future<int> pinned = client.Submit(() => Environment.ProcessId, key: "pinned", workers: [full]);
        Future<long>[] work = [.. Enumerable.Range(0, 20).Select(i => client.Submit<long, long>(x => x * x, i))];
        long[] squares = await client.GatherAsync(work, deadline.Token);
        Assert.Equal([.. Enumerable.Range(0, 20).Select(i => (long)i * i)], squares);
        IReadOnlyDictionary<Tessera.Graphs.Key, IReadOnlyList<string>> whoHas = await client.WhoHasAsync(work, deadline.Token);
        Assert.All(whoHas.Values, holders => Assert.Equal([other], holders));
        Assert.False(pinned.Completion.IsCompleted, "a task started on a paused worker");

        // Released: the worker's memory drops, it resumes, runs the pinned task and gets new work again.
        big.Dispose();
        await pinned.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken);
        await UntilAsync(() => !PausedOnScheduler(full), deadline.Token);

        // The worker's log lines reach the scheduler's log with its heartbeats.
        await UntilAsync(() => cluster.Scheduler.Server.Log.Read(1000).Any(l => l.Message.StartsWith("Resumed: process memory", StringComparison.Ordinal)), deadline.Token);
        Assert.Contains(cluster.Scheduler.Server.Log.Read(1000), l => l.Message.StartsWith("Paused: process memory", StringComparison.Ordinal));
        foreach (Future<long> f in work)
        {
            f.Dispose();
        }

        Future<long>[] later = [.. Enumerable.Range(100, 20).Select(i => client.Submit<long, long>(x => x * x, i))];
        await client.GatherAsync(later, deadline.Token);
        Assert.Contains(full, (await client.WhoHasAsync(later, deadline.Token)).Values.SelectMany(h => h));

        bool PausedOnScheduler(string address) => cluster.Scheduler.Server.Query(s => s.Workers.TryGetValue(address, out Tessera.Distributed.Scheduler.WorkerState? w) && w.Paused);
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static string Megabytes(IEnumerable<long> bytes) => string.Join(", ", bytes.Select(b => $"{b / 1_000_000} MB"));

    private static async Task<List<long>> PeakRssAsync(Client client)
    {
        var peaks = new List<long>();
        foreach (string worker in (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Keys)
        {
            using Future<long> peak = client.Submit(PeakRss, key: $"peak-rss-{Guid.NewGuid():N}", workers: [worker]);
            peaks.Add(await peak.ResultAsync(TestContext.Current.CancellationToken));
        }

        return peaks;
    }

    // The kernel's high-water mark of the process's resident memory (VmHWM, in kB).
    private static long PeakRss() =>
        1024 * long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<T> WithStateOnTimeout<T>(LocalCluster cluster, Client client, Task<T> running, string what)
    {
        try
        {
            return await running.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            // A hang explains itself: the scheduler's unfinished tasks and workers, and the client's pending keys.
            string state = cluster.Scheduler.Server.Query(s => s.DescribeStateForTesting());
            Assert.Fail($"{what} did not finish within {s_limit.TotalSeconds} s after a kill.\n{state}\n{client.DescribeStateForTesting()}");
            throw;
        }
    }

    // The race behind the random kill test's hangs under load: a kill that lands on a replacement worker
    // while it starts (slow on a loaded machine) left the cluster a worker short for good, so a later kill
    // of the last worker left the graph with no worker at all.
    [Fact]
    public async Task AReplacementWorkerKilledBeforeItJoins_IsReplacedAgain_AndTheClusterComputes()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 1, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(s_limit);
        cluster.KillWorkerProcessForTesting(0);
        while (cluster.ReplacedWorkers < 1)
        {
            await Task.Delay(1, deadline.Token);
        }

        // The replacement process has just started: a .NET process takes far longer than this to join.
        cluster.KillWorkerProcessForTesting(0);
        using Future<long> square = client.Submit<long, long>(x => x * x, 12L);
        Assert.Equal(144L, await square.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken));
        Assert.Equal(2, cluster.ReplacedWorkers);
        Assert.Equal(1, cluster.WorkerCount);
    }

    // A hung worker (SIGSTOP: its connections stay open, it answers nothing) is noticed only by its
    // missing heartbeats; its tasks, and results only it held, are then computed by the other worker, and
    // the cluster kills the hung process so that a fresh one replaces it.
    [Fact]
    public async Task AWorkerProcessThatHangs_IsRemovedForMissingHeartbeats_AndReplaced_AndTheGraphGivesTheRightAnswer()
    {
        const int Leaves = 2000;
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1, WorkerTimeout = TimeSpan.FromSeconds(5) });
        await using Client client = await Client.ConnectAsync(cluster);
        var leaf = Delayed.Of<long, long, long>(Leaf);
        var sum = Delayed.Of<IReadOnlyList<long>, long>(xs => xs.Sum());
        IReadOnlyList<Delayed<long>> level = [.. Enumerable.Range(0, Leaves).Select(i => leaf(i, 99))];
        while (level.Count > 1)
        {
            level = [.. level.Chunk(10).Select(c => sum(Delayed.List(c)))];
        }

        Task<long> running = level[0].ComputeAsync(client, TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        int hung = cluster.WorkerProcessIdForTesting(0);
        Assert.Equal(0, TestProcesses.Signal("-STOP", hung));
        try
        {
            long got = await running.WaitAsync(s_limit, TestContext.Current.CancellationToken);
            Assert.Equal(Enumerable.Range(0, Leaves).Sum(i => (i * 7L) + 99), got);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(s_limit);
            while (cluster.ReplacedWorkers < 1 || cluster.Scheduler.WorkerCount < 2)
            {
                await Task.Delay(20, deadline.Token);
            }

            Assert.Equal(1, cluster.ReplacedWorkers);
            Assert.DoesNotContain(hung, Enumerable.Range(0, cluster.WorkerCount).Select(cluster.WorkerProcessIdForTesting));
        }
        finally
        {
            // Not needed when the cluster killed it (kill then fails: no such process).
            TestProcesses.Signal("-CONT", hung);
        }
    }

    [Fact]
    public async Task TaskThatCrashesItsWorker_FailsWithKilledWorker_AfterAllowedFailures_WhileOtherWorkGoesOn()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true, allowedFailures: 2);
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<int> poison = client.Submit<int, int>(x =>
        {
            Environment.FailFast($"poison task {x} crashes its worker");
            return x;
        }, 1, key: "poison");

        KilledWorkerException e = await Assert.ThrowsAsync<KilledWorkerException>(() => poison.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken));
        Assert.Equal("poison", e.Key.ToString());
        Assert.Contains("poison", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 workers that died", e.Message, StringComparison.Ordinal);
        Assert.Equal(FutureStatus.Error, poison.Status);

        // The crashed workers are replaced, and the cluster serves other work.
        using Future<long> fine = client.Submit<long, long>(x => x * x, 9L);
        Assert.Equal(81L, await fine.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(s_limit);
        while (cluster.ReplacedWorkers < 3 || cluster.Scheduler.WorkerCount < 2)
        {
            await Task.Delay(20, deadline.Token);
        }

        using Future<long> after = client.Submit<long, long>(x => x * x, 10L);
        Assert.Equal(100L, await after.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResultsBeyondTheMemoryTarget_SpillToDisk_AndReadBackEqual(bool processes)
    {
        const int Chunks = 40, Length = 250_000; // 2 MB each, 80 MB in all
        string directory = Path.Combine(Path.GetTempPath(), "tessera-spill-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 32 MB limit per worker: results spill above 0.6 of it (in-process workers measure no process memory).
            // Worker processes measure their process memory too, which is above 0.7 of the limit from the
            // start: they spill everything they can each time they look (pause and terminate are off here).
            var memory = new WorkerMemoryOptions { Limit = 32_000_000, LocalDirectory = directory, PauseFraction = null, TerminateFraction = null };
            await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: processes, memory: memory);
            await using Client client = await Client.ConnectAsync(cluster);
            Future<double[]>[] chunks = [.. Enumerable.Range(0, Chunks).Select(i => client.Submit<int, int, double[]>(Chunk, i, Length))];
            try
            {
                Future<double>[] sums = [.. chunks.Select(c => client.Submit<double[], double>(xs => xs.Sum(), c))];
                double[] got = await client.GatherAsync(sums, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
                Assert.Equal([.. Enumerable.Range(0, Chunks).Select(i => Chunk(i, Length).Sum())], got);
                foreach (Future<double> s in sums)
                {
                    s.Dispose();
                }

                // The chunks are still held, mostly on disk.
                int files = Directory.EnumerateFiles(directory, "*.spill", SearchOption.AllDirectories).Count();
                Assert.True(files > Chunks / 3, $"only {files} of {Chunks} chunks spilled");
                double[][] back = await client.GatherAsync(chunks, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
                for (int i = 0; i < Chunks; i++)
                {
                    Assert.Equal(Chunk(i, Length), back[i]);
                }
            }
            finally
            {
                foreach (Future<double[]> c in chunks)
                {
                    c.Dispose();
                }
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static double[] Chunk(int seed, int length)
    {
        var random = new Random(seed);
        var xs = new double[length];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = random.NextDouble();
        }

        return xs;
    }
}
