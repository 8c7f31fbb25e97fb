using System.Collections.Concurrent;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Scheduling;

/// <summary>
/// The contract of schedulers that run tasks in this process: on top of the common contract, tasks
/// can be observed through shared variables, and scheduler callbacks are called.
/// </summary>
public abstract class LocalSchedulerContractTests : SchedulerContractTests
{
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

    private sealed record WeakBox(byte[] Data);
}
