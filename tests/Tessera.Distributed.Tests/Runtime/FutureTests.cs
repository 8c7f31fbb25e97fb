using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>Done callbacks and cancellation of single futures over an in-memory cluster.</summary>
public sealed class FutureTests : InMemoryClusterTests
{
    private static long Inc(long x) => x + 1;

    private static long Fail(long x) => throw new InvalidOperationException("failed " + x);

    private static Task<Future<long>> CallbackOf(Future<long> future)
    {
        var called = new TaskCompletionSource<Future<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        future.AddDoneCallback(f => called.TrySetResult(f));
        return called.Task;
    }

    [Fact]
    public async Task AddDoneCallback_RunsOnceThePendingFutureFinishes()
    {
        string gate = NewGate();
        try
        {
            using Future<long> f = Client.Submit(AfterGate, gate, 7L);
            Task<Future<long>> called = CallbackOf(f);
            await Task.Delay(20);
            Assert.False(called.IsCompleted);
            Open(gate);
            Assert.Same(f, await called.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(FutureStatus.Finished, f.Status);
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task AddDoneCallback_OnADoneOrFailedFuture_RunsAtOnce()
    {
        using Future<long> good = Client.Submit(Inc, 1L);
        using Future<long> bad = Client.Submit(Fail, 1L);
        await new[] { good, bad }.WaitAsync();
        Assert.Same(good, await CallbackOf(good).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Same(bad, await CallbackOf(bad).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(FutureStatus.Error, bad.Status);
    }

    [Fact]
    public async Task CancelAsync_PendingFuture_AwaitThrowsAndTheSchedulerForgetsIt()
    {
        string gate = NewGate();
        try
        {
            using Future<long> f = Client.Submit(AfterGate, gate, 3L);
            Task<Future<long>> called = CallbackOf(f);
            await f.CancelAsync();
            await Assert.ThrowsAsync<TaskCanceledException>(() => f.ResultAsync());
            await Assert.ThrowsAsync<TaskCanceledException>(() => Client.GatherAsync([f]));
            Assert.Equal(FutureStatus.Cancelled, f.Status);
            Assert.Same(f, await called.WaitAsync(TimeSpan.FromSeconds(10)));
            await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the cancelled task");
            Open(gate);
            await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping the late result");

            // The key can be computed again by a new future.
            using Future<long> again = Client.Submit(AfterGate, gate, 3L);
            Assert.Equal(f.Key, again.Key);
            Assert.Equal(3L, await again);
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task CancelAsync_FinishedFuture_AwaitThrowsAndOtherFuturesOfTheKeyToo()
    {
        using Future<long> f = Client.Submit(Inc, 41L);
        using Future<long> same = Client.Submit(Inc, 41L);
        Assert.Equal(42L, await f);
        await Client.CancelAsync([f]);
        await Assert.ThrowsAsync<TaskCanceledException>(() => f.ResultAsync());
        await Assert.ThrowsAsync<TaskCanceledException>(() => same.ResultAsync());
        Assert.Equal(FutureStatus.Cancelled, same.Status);
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the cancelled task");
    }

    [Fact]
    public async Task FutureNeverDisposed_ReleasesItsKeyWhenCollected_OnlyOnceNoOtherFutureHoldsIt()
    {
        using Future<long> kept = Client.Submit(Inc, 41L, key: "finalized");
        await SubmitAndDropAsync("finalized");
        await SubmitAndDropAsync("alone");

        // The dropped future of "alone" releases it; "finalized" stays, as the kept future still wants it.
        await WaitUntil(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return Cluster.Scheduler.TaskCount == 1;
            },
            "the scheduler forgetting the key of a collected future");
        Assert.Equal(42L, await kept.ResultAsync().WaitAsync(TimeSpan.FromSeconds(10)));

        kept.Dispose();
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the disposed future's key");
    }

    // Submits a task and drops its future undisposed; not inlined, so nothing in the caller keeps the future alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task SubmitAndDropAsync(string key)
    {
        Future<long> f = Client.Submit(Inc, 41L, key: key);
        Assert.Equal(42L, await f.ResultAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ResultAsync_DisposedFuture_Throws()
    {
        Future<long> f = Client.Submit(Inc, 1L);
        f.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => f.ResultAsync());
    }
}
