namespace Tessera.Distributed.Tests;

/// <summary>
/// Work stealing on worker processes: skewed work (every task needs a large input that one worker holds,
/// and the tasks' durations are not known when they are placed, so all of them go to that worker) is
/// shared with the idle worker when stealing is on, and stays on one worker when it is off.
/// </summary>
[Collection(nameof(DataMovementTests))]
public sealed class StealingTests
{
    private const int Tasks = 16;
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    // 4 M doubles: 32 MB, which the scheduler expects to take 32 ms to move; each task runs 150 ms.
    private static double[] Big(int n)
    {
        var xs = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = i % 1000;
        }

        return xs;
    }

    private static long[] Work(double[] big, int i)
    {
        Thread.Sleep(150);
        return [Environment.ProcessId, i + (long)big[i * 1000 + 7]];
    }

    private static long Step(double[] big, int i)
    {
        Thread.Sleep(100);
        return i + (long)big[i * 1000 + 7];
    }

    // Rounds of skewed work, each with an input of its own (its tasks are placed with it, then stolen), and
    // the previous round released while the next one runs: what once stopped the dashboard_overhead
    // benchmark with stealing on (every task in memory, the gather still waiting), with steals in every round.
    [Fact]
    public async Task RoundsOfSkewedWork_WithStealsAndReleasesBetween_AllComplete_WithTheRightAnswers()
    {
        // 24 tasks expected to take 1 ms each stay with their 32 MB input (32 ms to move); each runs 100 ms.
        const int Rounds = 4, PerRound = 24, Length = 4_000_000;
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1 });
        await using Client client = await Client.ConnectAsync(cluster);
        double[] local = Big(Length);
        long[] expected = [.. Enumerable.Range(0, PerRound).Select(i => i + (long)local[i * 1000 + 7])];
        var previous = new List<IDisposable>();
        int stolenBefore = 0;
        for (int round = 0; round < Rounds; round++)
        {
            Future<double[]> big = client.Submit<int, double[]>(Big, Length, key: $"big{round}-{Guid.NewGuid():N}");
            await big.ResultAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
            Future<long>[] work = [.. Enumerable.Range(0, PerRound).Select(i => client.Submit<double[], int, long>(Step, big, i, key: $"step{round}-{Guid.NewGuid():N}"))];
            previous.ForEach(f => f.Dispose());
            previous = [big, .. work];

            long[] got = await client.GatherAsync(work, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
            Assert.Equal(expected, got);
            int stolen = cluster.Scheduler.Server.Query(s => s.StolenTasks);
            TestContext.Current.TestOutputHelper?.WriteLine($"round {round}: {stolen - stolenBefore} of {PerRound} tasks stolen");
            Assert.True(stolen > stolenBefore, $"no task was stolen in round {round}, so it says nothing of stealing");
            stolenBefore = stolen;
        }

        previous.ForEach(f => f.Dispose());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SkewedWork_IsSharedWithTheIdleWorker_OnlyWhenStealingIsOn(bool workStealing)
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1, WorkStealing = workStealing });
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<double[]> big = client.Submit<int, double[]>(Big, 4_000_000);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(s_limit);
        while (big.Status != FutureStatus.Finished)
        {
            // Placed once its size is known (the client need not fetch it).
            await Task.Delay(5, deadline.Token);
        }

        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        Future<long[]>[] work = [.. Enumerable.Range(0, Tasks).Select(i => client.Submit<double[], int, long[]>(Work, big, i))];
        try
        {
            long[][] got = await client.GatherAsync(work, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
            double[] local = Big(4_000_000);
            Assert.Equal([.. Enumerable.Range(0, Tasks).Select(i => i + (long)local[i * 1000 + 7])], got.Select(r => r[1]));
            int processes = got.Select(r => r[0]).Distinct().Count();
            int stolen = cluster.Scheduler.Server.Query(s => s.StolenTasks);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"stealing {(workStealing ? "on" : "off")}: {Tasks} tasks of 150 ms took {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds:0.00} s in {processes} worker processes ({string.Join(' ', got.Select(r => r[0]))}); {stolen} stolen.");
            Assert.Equal(workStealing ? 2 : 1, processes);
            Assert.True(workStealing ? stolen > 0 : stolen == 0, $"{stolen} tasks stolen");
        }
        finally
        {
            foreach (Future<long[]> f in work)
            {
                f.Dispose();
            }
        }
    }
}
