using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

public sealed class TransferBudgetTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Fetches_StartWhileTheirBytesFit_AndTheRestWaitInOrder()
    {
        var budget = new TransferBudget(100);
        TransferBudget.Lease a = await budget.AcquireAsync(60, TestContext.Current.CancellationToken);
        TransferBudget.Lease b = await budget.AcquireAsync(40, TestContext.Current.CancellationToken);
        Task<TransferBudget.Lease> c = budget.AcquireAsync(30, TestContext.Current.CancellationToken).AsTask();
        Task<TransferBudget.Lease> d = budget.AcquireAsync(10, TestContext.Current.CancellationToken).AsTask();
        Assert.Equal(100, budget.InFlightBytes);
        Assert.False(c.IsCompleted);

        // d would fit after a goes, but c asked first and goes first.
        b.Dispose();
        using TransferBudget.Lease cLease = await c.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        using TransferBudget.Lease dLease = await d.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(100, budget.InFlightBytes);
        a.Dispose();
        a.Dispose();
        Assert.Equal(40, budget.InFlightBytes);
    }

    [Fact]
    public async Task AFetchLargerThanTheBudget_StartsAlone()
    {
        var budget = new TransferBudget(100);
        TransferBudget.Lease small = await budget.AcquireAsync(10, TestContext.Current.CancellationToken);
        Task<TransferBudget.Lease> large = budget.AcquireAsync(500, TestContext.Current.CancellationToken).AsTask();
        Assert.False(large.IsCompleted);
        small.Dispose();
        using TransferBudget.Lease lease = await large.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(500, budget.InFlightBytes);
    }

    [Fact]
    public async Task WhilePaused_NothingStarts_AndResumingStartsTheWaiting()
    {
        var budget = new TransferBudget(100);
        budget.SetPaused(true);
        Task<TransferBudget.Lease> fetch = budget.AcquireAsync(10, TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(fetch.IsCompleted);
        budget.SetPaused(false);
        using TransferBudget.Lease lease = await fetch.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(10, budget.InFlightBytes);
    }

    [Fact]
    public async Task ACancelledWait_LeavesTheQueue_AndTheNextStarts()
    {
        var budget = new TransferBudget(100);
        TransferBudget.Lease first = await budget.AcquireAsync(100, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        Task<TransferBudget.Lease> cancelled = budget.AcquireAsync(50, cancel.Token).AsTask();
        Task<TransferBudget.Lease> next = budget.AcquireAsync(50, TestContext.Current.CancellationToken).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(s_limit, TestContext.Current.CancellationToken));
        first.Dispose();
        using TransferBudget.Lease lease = await next.WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(50, budget.InFlightBytes);
    }
}
