using System.Collections.Concurrent;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Scheduling;

/// <summary>The contract every scheduler satisfies; derive once per scheduler.</summary>
public abstract class SchedulerContractTests
{
    private static readonly TaskFunction s_inc = TaskFunction.Create((long x) => x + 1, "inc");
    private static readonly TaskFunction s_add = TaskFunction.Create((long x, long y) => x + y, "add");
    private static readonly TaskFunction s_sum = TaskFunction.Create((IReadOnlyList<long> xs) => xs.Sum(), "sum");

    protected abstract IScheduler CreateScheduler();

    private static TaskGraph SpecGraph() => new()
    {
        ["x"] = Node.Literal(1L),
        ["y"] = Node.Literal(2L),
        ["z"] = Node.Call(s_add, Node.Ref("y"), Node.Ref("x")),
        ["w"] = Node.Call(s_sum, Node.List<long>(Node.Ref("x"), Node.Ref("y"), Node.Ref("z"))),
    };

    [Fact]
    public void Get_SpecGraph_ComputesEachRequestedKey()
    {
        IScheduler s = CreateScheduler();
        TaskGraph g = SpecGraph();
        Assert.Equal(1L, s.Get(g, ["x"])[0]);
        Assert.Equal(3L, s.Get(g, ["z"])[0]);
        Assert.Equal(6L, s.Get(g, ["w"])[0]);
        Assert.Equal([1L, 2L, 3L], s.Get(g, ["x", "y", "z"]));
    }

    [Fact]
    public void Get_SameKeyTwice_ReturnsItTwice()
    {
        Assert.Equal([3L, 3L], CreateScheduler().Get(SpecGraph(), ["z", "z"]));
    }

    [Fact]
    public async Task GetAsync_SpecGraph_MatchesGet()
    {
        object?[] r = await CreateScheduler().GetAsync(SpecGraph(), ["w", "z"], TestContext.Current.CancellationToken);
        Assert.Equal([6L, 3L], r);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(20000)]
    public void Get_TreeReduction_MatchesNaiveSum(int leaves)
    {
        (TaskGraph g, Key root) = TreeGraph(leaves, 10);
        long expected = 0;
        for (long i = 0; i < leaves; i++)
        {
            expected += i + 1;
        }

        Assert.Equal(expected, CreateScheduler().Get(g, [root])[0]);
    }

    [Fact]
    public void Get_LongChain_DoesNotOverflowTheStack()
    {
        var g = new TaskGraph { [new Key("c", 0)] = Node.Call(s_inc, Node.Literal(0L)) };
        const int N = 200_000;
        for (int i = 1; i < N; i++)
        {
            g[new Key("c", i)] = Node.Call(s_inc, Node.Ref(new Key("c", i - 1)));
        }

        Assert.Equal((long)N, CreateScheduler().Get(g, [new Key("c", N - 1)])[0]);
    }

    [Fact]
    public void Get_RunsOnlyWhatTheRequestedKeysNeed()
    {
        int calls = 0;
        TaskFunction counted = TaskFunction.Create((long x) => { Interlocked.Increment(ref calls); return x; }, "counted");
        var g = new TaskGraph
        {
            ["a"] = Node.Call(counted, Node.Literal(1L)),
            ["b"] = Node.Call(counted, Node.Ref("a")),
            ["unrelated"] = Node.Call(counted, Node.Literal(5L)),
        };

        Assert.Equal(1L, CreateScheduler().Get(g, ["b"])[0]);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Get_EveryTaskRunsAfterItsDependencies()
    {
        var finished = new ConcurrentDictionary<Key, bool>();
        (TaskGraph g, Key root) = TreeGraph(500, 3);
        var deps = g.GetAllDependencies();
        var violations = new ConcurrentBag<Key>();
        var probe = new ProbeCallback(
            start: k =>
            {
                foreach (Key d in deps[k])
                {
                    if (!finished.ContainsKey(d))
                    {
                        violations.Add(k);
                    }
                }
            },
            end: k => finished[k] = true);
        using (probe.Activate())
        {
            CreateScheduler().Get(g, [root]);
        }

        Assert.Empty(violations);
        Assert.Equal(g.Count, finished.Count);
    }

    [Fact]
    public void Get_FailingTask_RaisesTaskFailedExceptionWithKeyAndOriginalException()
    {
        TaskFunction boom = TaskFunction.Create((long x) => x / (x - x), "boom");
        var g = new TaskGraph
        {
            ["a"] = Node.Literal(1L),
            ["bad"] = Node.Call(boom, Node.Ref("a")),
            ["out"] = Node.Call(s_inc, Node.Ref("bad")),
        };

        TaskFailedException e = Assert.Throws<TaskFailedException>(() => CreateScheduler().Get(g, ["out"]));
        Assert.Equal(new Key("bad"), e.Key);
        Assert.IsType<DivideByZeroException>(e.InnerException);
        Assert.Contains("bad", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException!.StackTrace);
    }

    [Fact]
    public async Task GetAsync_FailingTask_RaisesTaskFailedException()
    {
        TaskFunction boom = TaskFunction.Create((long x) => x > 0 ? throw new InvalidOperationException("no") : x, "boom");
        var g = new TaskGraph { ["bad"] = Node.Call(boom, Node.Literal(1L)) };
        TaskFailedException e = await Assert.ThrowsAsync<TaskFailedException>(() => CreateScheduler().GetAsync(g, ["bad"], TestContext.Current.CancellationToken));
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void Get_FailingTask_StopsRemainingWork()
    {
        int ran = 0;
        TaskFunction work = TaskFunction.Create((long x) =>
        {
            if (x == 0)
            {
                throw new InvalidOperationException("first fails");
            }

            Interlocked.Increment(ref ran);
            Thread.Sleep(1);
            return x;
        }, "work");
        var g = new TaskGraph();
        var items = new List<Node>();
        for (int i = 0; i < 2000; i++)
        {
            g[new Key("w", i)] = Node.Call(work, Node.Literal((long)i));
            items.Add(Node.Ref(new Key("w", i)));
        }

        g["all"] = Node.Call(s_sum, Node.List<long>([.. items]));
        Assert.Throws<TaskFailedException>(() => CreateScheduler().Get(g, ["all"]));
        Assert.True(ran < 100, $"{ran} tasks ran after the failure");
    }

    [Fact]
    public void Get_Cycle_RaisesInvalidGraphExceptionNamingAKeyOnTheCycle()
    {
        var g = new TaskGraph
        {
            ["a"] = Node.Call(s_inc, Node.Ref("b")),
            ["b"] = Node.Call(s_inc, Node.Ref("c")),
            ["c"] = Node.Call(s_add, Node.Ref("a"), Node.Ref("d")),
            ["d"] = Node.Literal(1L),
        };

        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => CreateScheduler().Get(g, ["a"]));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.Key, new Key[] { "a", "b", "c" });
    }

    [Fact]
    public void Get_SelfReference_IsACycle()
    {
        var g = new TaskGraph { [new Key("a", 0)] = Node.Call(s_inc, Node.Ref(new Key("a", 0))) };
        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => CreateScheduler().Get(g, [new Key("a", 0)]));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_MissingDependency_FailsBeforeAnythingRuns()
    {
        int ran = 0;
        TaskFunction counted = TaskFunction.Create((long x) => { Interlocked.Increment(ref ran); return x; }, "counted");
        var g = new TaskGraph
        {
            ["a"] = Node.Call(counted, Node.Literal(1L)),
            ["b"] = Node.Call(s_add, Node.Ref("a"), Node.Ref("ghost")),
        };

        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => CreateScheduler().Get(g, ["b"]));
        Assert.Equal(new Key("ghost"), e.Key);
        Assert.Contains("ghost", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, ran);
    }

    [Fact]
    public void Get_MissingRequestedKey_RaisesKeyNotFoundNamingIt()
    {
        KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => CreateScheduler().Get(SpecGraph(), [new Key("nope", 3)]));
        Assert.Contains("('nope', 3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_CancelledToken_RaisesOperationCanceledAndLeavesNoWorkRunning()
    {
        using var cts = new CancellationTokenSource();
        int running = 0;
        TaskFunction slow = TaskFunction.Create((long x) =>
        {
            Interlocked.Increment(ref running);
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
            return x;
        }, "slow");
        var g = new TaskGraph();
        var items = new List<Node>();
        for (int i = 0; i < 5000; i++)
        {
            g[new Key("s", i)] = Node.Call(slow, Node.Literal((long)i));
            items.Add(Node.Ref(new Key("s", i)));
        }

        g["all"] = Node.Call(s_sum, Node.List<long>([.. items]));
        cts.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() => CreateScheduler().Get(g, ["all"], cts.Token));
        Assert.Equal(0, Volatile.Read(ref running));
    }

    [Fact]
    public void Get_Callbacks_SeeStartEveryTaskAndFinish()
    {
        (TaskGraph g, Key root) = TreeGraph(100, 10);
        int started = 0, ended = 0, finishes = 0;
        ComputeStartInfo? info = null;
        bool? failedFlag = null;
        var probe = new ProbeCallback(
            start: _ => Interlocked.Increment(ref started),
            end: _ => Interlocked.Increment(ref ended),
            onStart: i => info = i,
            onFinish: f => { finishes++; failedFlag = f; });
        using (probe.Activate())
        {
            CreateScheduler().Get(g, [root]);
        }

        Assert.Equal(g.Count, info!.TaskCount);
        Assert.Equal(g.Count, started);
        Assert.Equal(g.Count, ended);
        Assert.Equal(1, finishes);
        Assert.False(failedFlag);
    }

    [Fact]
    public void Get_FailingTask_StillCallsFinishWithFailed()
    {
        TaskFunction boom = TaskFunction.Create((long x) => x / 0L, "boom");
        var g = new TaskGraph { ["bad"] = Node.Call(boom, Node.Literal(1L)) };
        bool? failedFlag = null;
        var probe = new ProbeCallback(onFinish: f => failedFlag = f);
        using (probe.Activate())
        {
            Assert.Throws<TaskFailedException>(() => CreateScheduler().Get(g, ["bad"]));
        }

        Assert.True(failedFlag);
    }

    [Fact]
    public void Get_ReleasesIntermediateResultsOnceConsumed()
    {
        // Each leaf makes a large array; the reduction keeps only what ordering requires.
        TaskFunction make = TaskFunction.Create((long i) => new WeakBox(new byte[1 << 16]), "make");
        var alive = new ConcurrentBag<WeakReference>();
        TaskFunction size = TaskFunction.Create((WeakBox b) => { alive.Add(new WeakReference(b)); return (long)b.Data.Length; }, "size");
        var g = new TaskGraph();
        var sizes = new List<Node>();
        for (int i = 0; i < 64; i++)
        {
            g[new Key("make", i)] = Node.Call(make, Node.Literal((long)i));
            g[new Key("size", i)] = Node.Call(size, Node.Ref(new Key("make", i)));
            sizes.Add(Node.Ref(new Key("size", i)));
        }

        g["total"] = Node.Call(s_sum, Node.List<long>([.. sizes]));
        Assert.Equal(64L << 16, CreateScheduler().Get(g, ["total"])[0]);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(alive, w => Assert.False(w.IsAlive));
    }

    internal static (TaskGraph Graph, Key Root) TreeGraph(int leaves, int fanIn)
    {
        var g = new TaskGraph();
        for (int i = 0; i < leaves; i++)
        {
            g[new Key("x", 0, i)] = Node.Call(s_inc, Node.Literal((long)i));
        }

        int level = 0, width = leaves;
        while (width > 1)
        {
            int next = (width + fanIn - 1) / fanIn;
            for (int j = 0; j < next; j++)
            {
                var items = new List<Node>();
                for (int k = j * fanIn; k < Math.Min((j + 1) * fanIn, width); k++)
                {
                    items.Add(Node.Ref(new Key("x", level, k)));
                }

                g[new Key("x", level + 1, j)] = Node.Call(s_sum, Node.List<long>([.. items]));
            }

            level++;
            width = next;
        }

        return (g, new Key("x", level, 0));
    }

    private sealed record WeakBox(byte[] Data);

    private sealed class ProbeCallback(
        Action<Key>? start = null,
        Action<Key>? end = null,
        Action<ComputeStartInfo>? onStart = null,
        Action<bool>? onFinish = null) : SchedulerCallback
    {
        public override void OnStart(ComputeStartInfo info) => onStart?.Invoke(info);

        public override void OnTaskStart(Key key, int worker) => start?.Invoke(key);

        public override void OnTaskEnd(Key key, object? result, int worker) => end?.Invoke(key);

        public override void OnFinish(bool failed) => onFinish?.Invoke(failed);
    }
}

public sealed class SyncSchedulerTests : SchedulerContractTests
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

public sealed class ThreadedSchedulerTests : SchedulerContractTests
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

    [Fact]
    public void Constructor_ZeroThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadedScheduler(0));
}
