using System.Collections.Concurrent;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Scheduling;

public sealed class SyncSchedulerTests : LocalSchedulerContractTests
{
    protected override IScheduler CreateScheduler() => SyncScheduler.Instance;

    [Fact]
    public void Get_IndependentTasks_RunInStaticPriorityOrder()
    {
        var order = new List<long>();
        TaskFunction record = TaskFunction.Create((long i) => { order.Add(i); return i; }, "record");
        var g = new TaskGraph();
        var items = new List<Node>();
        for (int i = 0; i < 10; i++)
        {
            g[new Key("x", i)] = Node.Call(record, Node.Literal((long)i));
            items.Add(Node.Ref(new Key("x", i)));
        }

        g["y"] = Node.Call(TaskFunction.Create((IReadOnlyList<long> xs) => xs.Count, "count"), Node.List<long>([.. items]));
        SyncScheduler.Instance.Get(g, ["y"]);
        Dictionary<Key, int> priority = GraphOrder.Order(g);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => (long)i).OrderBy(i => priority[new Key("x", (int)i)])], order);
    }
}

public sealed class ThreadedSchedulerTests : LocalSchedulerContractTests
{
    protected override IScheduler CreateScheduler() => new ThreadedScheduler(4);

    [Fact]
    public void Get_UsesSeveralThreads()
    {
        var threads = new ConcurrentDictionary<int, bool>();
        using var barrier = new Barrier(2);
        TaskFunction meet = TaskFunction.Create((long i) =>
        {
            threads[Environment.CurrentManagedThreadId] = true;
            barrier.SignalAndWait(TimeSpan.FromSeconds(10));
            return i;
        }, "meet");
        var g = new TaskGraph
        {
            ["a"] = Node.Call(meet, Node.Literal(1L)),
            ["b"] = Node.Call(meet, Node.Literal(2L)),
        };
        Assert.Equal([1L, 2L], new ThreadedScheduler(2).Get(g, ["a", "b"]));
        Assert.Equal(2, threads.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_TasksOnPoolThreads_SeeTheConfigScopeAroundTheComputation(bool async)
    {
        // Two tasks meet at a barrier, so at least one runs on a pool thread, not the caller's.
        var seen = new ConcurrentDictionary<long, (int Thread, string Value)>();
        using var barrier = new Barrier(2);
        TaskFunction read = TaskFunction.Create((long i) =>
        {
            barrier.SignalAndWait(TimeSpan.FromSeconds(10));
            seen[i] = (Environment.CurrentManagedThreadId, TesseraConfig.Get("test.scheduler-scope", "unset"));
            return i;
        }, "read-config");
        var g = new TaskGraph
        {
            ["a"] = Node.Call(read, Node.Literal(1L)),
            ["b"] = Node.Call(read, Node.Literal(2L)),
        };
        var scheduler = new ThreadedScheduler(2);
        using (TesseraConfig.Set(("test.scheduler-scope", async ? "async" : "blocking")))
        {
            object?[] results = async
                ? await scheduler.GetAsync(g, ["a", "b"], TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)
                : scheduler.Get(g, ["a", "b"]);
            Assert.Equal([1L, 2L], results);
        }

        Assert.Equal(2, seen.Values.Select(s => s.Thread).Distinct().Count());
        Assert.All(seen.Values, s => Assert.Equal(async ? "async" : "blocking", s.Value));

        // Outside the scope, the same scheduler's threads see no override.
        seen.Clear();
        scheduler.Get(g, ["a", "b"]);
        Assert.All(seen.Values, s => Assert.Equal("unset", s.Value));
    }

    [Fact]
    public void Constructor_ZeroThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadedScheduler(0));
}
