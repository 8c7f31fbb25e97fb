using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Scheduling;

/// <summary>The contract every scheduler satisfies; derive once per scheduler.</summary>
public abstract class SchedulerContractTests
{
    private protected static readonly TaskFunction s_inc = TaskFunction.Create((long x) => x + 1, "inc");
    private protected static readonly TaskFunction s_add = TaskFunction.Create((long x, long y) => x + y, "add");
    private protected static readonly TaskFunction s_sum = TaskFunction.Create((IReadOnlyList<long> xs) => xs.Sum(), "sum");

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
        Assert.Equal(typeof(DivideByZeroException).FullName, OriginalTypeName(e.InnerException));
        Assert.Contains("bad", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException!.StackTrace);
    }

    [Fact]
    public async Task GetAsync_FailingTask_RaisesTaskFailedException()
    {
        TaskFunction boom = TaskFunction.Create((long x) => x > 0 ? throw new InvalidOperationException("no") : x, "boom");
        var g = new TaskGraph { ["bad"] = Node.Call(boom, Node.Literal(1L)) };
        TaskFailedException e = await Assert.ThrowsAsync<TaskFailedException>(() => CreateScheduler().GetAsync(g, ["bad"], TestContext.Current.CancellationToken));
        Assert.Equal(typeof(InvalidOperationException).FullName, OriginalTypeName(e.InnerException));
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
    public void Get_MissingRequestedKey_RaisesKeyNotFoundNamingIt()
    {
        KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => CreateScheduler().Get(SpecGraph(), [new Key("nope", 3)]));
        Assert.Contains("('nope', 3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_MissingDependency_RaisesInvalidGraphExceptionNamingIt()
    {
        var g = new TaskGraph
        {
            ["a"] = Node.Call(s_inc, Node.Literal(1L)),
            ["b"] = Node.Call(s_add, Node.Ref("a"), Node.Ref("ghost")),
        };

        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => CreateScheduler().Get(g, ["b"]));
        Assert.Equal(new Key("ghost"), e.Key);
        Assert.Contains("ghost", e.Message, StringComparison.Ordinal);
    }

    // The type of the exception a task threw: schedulers in other processes carry it by name.
    private static string? OriginalTypeName(Exception? e) =>
        e is null ? null
        : e.GetType().GetProperty("RemoteTypeName")?.GetValue(e) as string ?? e.GetType().FullName;

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

    private protected sealed class ProbeCallback(
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
