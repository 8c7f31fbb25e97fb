using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>AsCompleted and Wait over futures of an in-memory cluster; gates decide which task finishes when.</summary>
public sealed class FuturesTests : InMemoryClusterTests
{
    private static long Inc(long x) => x + 1;

    private static long Fail(long x) => throw new InvalidOperationException("failed " + x);

    [Fact]
    public async Task AsCompleted_YieldsFuturesInTheOrderTheyFinish()
    {
        string gateA = NewGate(), gateB = NewGate();
        try
        {
            using Future<long> a = Client.Submit(AfterGate, gateA, 1L);
            using Future<long> b = Client.Submit(AfterGate, gateB, 2L);
            using Future<long> c = Client.Submit(Inc, 2L);
            var order = new List<Future<long>>();
            await foreach (Future<long> f in new[] { a, b, c }.AsCompleted())
            {
                order.Add(f);
                if (f == c)
                {
                    Open(gateB);
                }
                else if (f == b)
                {
                    Open(gateA);
                }
            }

            Assert.Equal([c, b, a], order);
            Assert.All(order, f => Assert.Equal(FutureStatus.Finished, f.Status));
        }
        finally
        {
            Open(gateA);
            Open(gateB);
        }
    }

    [Fact]
    public async Task AsCompletedWithResults_PairsEveryFutureWithItsResult()
    {
        long[] inputs = [.. Enumerable.Range(0, 100).Select(i => (long)i)];
        IReadOnlyList<Future<long>> futures = Client.Map(Inc, inputs);
        var seen = new Dictionary<Future<long>, long>();
        await foreach ((Future<long> f, long result) in futures.AsCompletedWithResults())
        {
            seen.Add(f, result);
        }

        Assert.Equal(inputs.Select(Inc), futures.Select(f => seen[f]));
        DisposeAll(futures);
    }

    [Fact]
    public async Task AsCompletedWithResults_AFailedFuture_ThrowsWhereItIsReached()
    {
        using Future<long> bad = Client.Submit(Fail, 3L);
        TaskFailedException e = await Assert.ThrowsAsync<TaskFailedException>(async () =>
        {
            await foreach ((Future<long> _, long _) in new[] { bad }.AsCompletedWithResults())
            {
            }
        });
        Assert.Equal("failed 3", e.InnerException!.Message);
    }

    [Fact]
    public async Task WaitAsync_AllCompleted_EveryFutureIsDoneIncludingFailedOnes()
    {
        IReadOnlyList<Future<long>> good = Client.Map(Inc, Enumerable.Range(0, 40).Select(i => (long)i));
        using Future<long> bad = Client.Submit(Fail, 1L);
        Future<long>[] all = [.. good, bad];
        (IReadOnlySet<Future<long>> done, IReadOnlySet<Future<long>> notDone) = await all.WaitAsync();
        Assert.Equal(all.Length, done.Count);
        Assert.Empty(notDone);
        Assert.Equal(FutureStatus.Error, bad.Status);
        Assert.All(good, f => Assert.Equal(FutureStatus.Finished, f.Status));
        DisposeAll(good);
    }

    [Fact]
    public async Task WaitAsync_FirstCompleted_ReturnsTheDoneAndTheBlockedOnes()
    {
        string gate = NewGate();
        try
        {
            using Future<long> blocked = Client.Submit(AfterGate, gate, 1L);
            using Future<long> quick = Client.Submit(Inc, 5L);
            WaitResult<long> first = await new[] { blocked, quick }.WaitAsync(WaitMode.FirstCompleted);
            Assert.Equal([quick], first.Done);
            Assert.Equal([blocked], first.NotDone);
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task WaitAsync_Timeout_ThrowsUntilTheFutureIsDone()
    {
        string gate = NewGate();
        try
        {
            using Future<long> blocked = Client.Submit(AfterGate, gate, 1L);
            TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => new[] { blocked }.WaitAsync(timeout: TimeSpan.FromMilliseconds(50)));
            Assert.Contains("1 of 1", e.Message, StringComparison.Ordinal);
            Open(gate);
            WaitResult<long> all = new[] { blocked }.Wait(timeout: TimeSpan.FromSeconds(10));
            Assert.Equal([blocked], all.Done);
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task WaitAsync_NoFutures_ReturnsEmptySets()
    {
        WaitResult<long> r = await Array.Empty<Future<long>>().WaitAsync(WaitMode.FirstCompleted);
        Assert.Empty(r.Done);
        Assert.Empty(r.NotDone);
    }
}
