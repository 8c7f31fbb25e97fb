using CsCheck;
using Tessera.Graphs;

namespace Tessera.Tests.Graphs;

public sealed class GraphOrderTests
{
    private const int Iterations = 300;

    private static readonly TaskFunction s_f1 = TaskFunction.Create((long x) => x, "f");
    private static readonly TaskFunction s_f2 = TaskFunction.Create((long x, long y) => x + y, "f");

    private static CallNode F(params Node[] args) => args.Length == 1 ? Node.Call(s_f1, args[0]) : Node.Call(s_f2, args[0], args[1]);

    private static RefNode R(Key k) => Node.Ref(k);

    private static LiteralNode L(long v) => Node.Literal(v);

    // Every key gets one of 0..n-1, and every key comes after all of its dependencies.
    private static void AssertValidOrder(TaskGraph graph, Dictionary<Key, int> order)
    {
        Assert.Equal(graph.Count, order.Count);
        Assert.Equal(Enumerable.Range(0, graph.Count), order.Values.Order());
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            foreach (Key d in kv.Value.GetReferences())
            {
                Assert.True(order[d] < order[kv.Key], $"{kv.Key} ({order[kv.Key]}) runs before its dependency {d} ({order[d]})");
            }
        }
    }

    // ---- Properties ----
    [Fact]
    public void Order_RandomGraphs_IsABijectionAndATopologicalOrder()
    {
        RandomDags.Dag(40).Sample(dag => AssertValidOrder(dag.Graph, GraphOrder.Order(dag.Graph)), iter: Iterations);
    }

    [Fact]
    public void Order_LargeRandomGraphs_IsABijectionAndATopologicalOrder()
    {
        // Long dependency paths (past the walk's initial stack of 1024) and wide fan-ins.
        RandomDags.Dag(3000).Sample(dag => AssertValidOrder(dag.Graph, GraphOrder.Order(dag.Graph)), iter: 10);
    }

    [Fact]
    public void Order_RandomGraphs_DoesNotDependOnKeyNames()
    {
        Gen<(RandomDag, int[])> gen = RandomDags.Dag(40).SelectMany(dag => Gen.Int[0, 1_000_000].Array[dag.Graph.Count].Select(names => (dag, names)));
        gen.Sample((dag, names) =>
        {
            // Random other names (kept distinct), same structure, same insertion order.
            var rename = new Dictionary<Key, Key>();
            int i = 0;
            foreach (Key k in dag.Graph.Keys)
            {
                int n = names[i];
                rename[k] = n % 3 == 0 ? new Key($"r{n}-{i}") : new Key($"q{n % 97}", i, n);
                i++;
            }

            var renamed = new TaskGraph(dag.Graph.Count);
            foreach (KeyValuePair<Key, Node> kv in dag.Graph)
            {
                renamed.Add(rename[kv.Key], kv.Value.ReplaceReferences(r => Node.Ref(rename[r.Key])));
            }

            Dictionary<Key, int> original = GraphOrder.Order(dag.Graph);
            Dictionary<Key, int> other = GraphOrder.Order(renamed);
            foreach (Key k in dag.Graph.Keys)
            {
                Assert.Equal(original[k], other[rename[k]]);
            }
        }, iter: Iterations);
    }

    // ---- O01: keep groups together ----
    [Fact]
    public void Order_O01_KeepsGroupsTogether()
    {
        var g = new TaskGraph();
        for (int i = 0; i < 4; i++)
        {
            g[new Key("a", i)] = F(L(i));
        }

        g[new Key("b", 0)] = F(R(new Key("a", 0)), R(new Key("a", 1)));
        g[new Key("b", 1)] = F(R(new Key("a", 2)), R(new Key("a", 3)));
        Dictionary<Key, int> o = GraphOrder.Order(g);
        AssertValidOrder(g, o);
        Assert.Equal(1, Math.Abs(o[new Key("a", 0)] - o[new Key("a", 1)]));
        Assert.Equal(1, Math.Abs(o[new Key("a", 2)] - o[new Key("a", 3)]));
    }

    [Fact]
    public void Order_O01_KeepsGroupsTogether_InterleavedVariant()
    {
        var g = new TaskGraph();
        for (int i = 0; i < 4; i++)
        {
            g[new Key("a", i)] = F(L(i));
        }

        g[new Key("b", 0)] = F(R(new Key("a", 0)), R(new Key("a", 2)));
        g[new Key("b", 1)] = F(R(new Key("a", 1)), R(new Key("a", 3)));
        Dictionary<Key, int> o = GraphOrder.Order(g);
        AssertValidOrder(g, o);
        Assert.Equal(1, Math.Abs(o[new Key("a", 0)] - o[new Key("a", 2)]));
        Assert.Equal(1, Math.Abs(o[new Key("a", 1)] - o[new Key("a", 3)]));
    }

    // ---- O03: run the base of a reduction early ----
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Order_O03_BaseOfReductionRunsEarly(bool dataRoot)
    {
        var g = new TaskGraph
        {
            ["c"] = dataRoot ? L(1) : F(L(1)),
            [new Key("a", 0)] = F(R(new Key("b", 0))),
        };
        for (int i = 1; i <= 3; i++)
        {
            g[new Key("a", i)] = F(R(new Key("a", i - 1)), R(new Key("b", i)));
        }

        for (int i = 0; i <= 3; i++)
        {
            g[new Key("b", i)] = F(R("c"), L(1));
        }

        Dictionary<Key, int> o = GraphOrder.Order(g);
        AssertValidOrder(g, o);
        Assert.True(o[new Key("b", 0)] <= 1, $"(b, 0) has {o[new Key("b", 0)]}");
        Assert.True(o[new Key("b", 1)] <= 3, $"(b, 1) has {o[new Key("b", 1)]}");
    }

    // ---- x + x.T: a block shared by two criss-crossed users is released right after the second ----
    [Fact]
    public void Order_SharedBlocksOfXPlusXT_AreReleasedAfterBothUsersRun()
    {
        const int N = 12;
        var g = new TaskGraph();
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                g[new Key("x", i, j)] = F(L((i * N) + j));
                g[new Key("add", i, j)] = F(R(new Key("x", i, j)), R(new Key("x", j, i)));
                g[new Key("sum", i, j)] = (i, j) == (0, 0)
                    ? F(R(new Key("add", 0, 0)))
                    : F(R(j > 0 ? new Key("sum", i, j - 1) : new Key("sum", i - 1, N - 1)), R(new Key("add", i, j)));
            }
        }

        Dictionary<Key, int> o = GraphOrder.Order(g);
        AssertValidOrder(g, o);

        // Run in priority order; an x block is held from its run until its last user has run.
        var users = g.Keys.Where(k => k.Name == "x").ToDictionary(k => k, k => g.Count(kv => kv.Value.GetReferences().Contains(k)));
        int held = 0, peak = 0;
        foreach (Key k in o.OrderBy(kv => kv.Value).Select(kv => kv.Key))
        {
            held += k.Name == "x" ? 1 : 0;
            foreach (Key x in g[k].GetReferences().Distinct().Where(r => r.Name == "x"))
            {
                held -= --users[x] == 0 ? 1 : 0;
            }

            peak = Math.Max(peak, held);
        }

        // Row by row without pairing, row 0 alone would leave the N - 1 blocks x(j, 0) held.
        Assert.True(peak <= 2, $"{peak} of {N * N} blocks held at once");
    }

    // ---- Replaces Dask's O05: ties break by argument position, not by key string ----
    [Fact]
    public void Order_EqualDependencies_RunInArgumentOrder()
    {
        var g = new TaskGraph();
        var items = new List<Node>();
        for (int i = 0; i < 10; i++)
        {
            g[new Key("x", i)] = Node.Call(RandomDags.Inc, L(i));
            items.Add(R(new Key("x", i)));
        }

        g["y"] = Node.Call(RandomDags.Sum, Node.List<long>([.. items]));
        Dictionary<Key, int> o = GraphOrder.Order(g);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i, o[new Key("x", i)]);
        }

        Assert.Equal(10, o["y"]);
    }

    [Fact]
    public void Order_EqualDependencies_FollowArgumentOrderNotKeyOrder()
    {
        var g = new TaskGraph();
        var items = new List<Node>();
        for (int i = 9; i >= 0; i--)
        {
            g[new Key("x", i)] = Node.Call(RandomDags.Inc, L(i));
        }

        for (int i = 0; i < 10; i++)
        {
            items.Add(R(new Key("x", 9 - i)));
        }

        g["y"] = Node.Call(RandomDags.Sum, Node.List<long>([.. items]));
        Dictionary<Key, int> o = GraphOrder.Order(g);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i, o[new Key("x", 9 - i)]);
        }
    }

    // ---- C13: cycles ----
    public static TheoryData<string> Cycles => ["self", "self-block", "three", "three-with-data"];

    private static TaskGraph Cycle(string name) => name switch
    {
        "self" => new TaskGraph { ["a"] = F(R("a")) },
        "self-block" => new TaskGraph { [new Key("a", 0)] = F(R(new Key("a", 0))) },
        "three" => new TaskGraph { ["a"] = F(R("b")), ["b"] = F(R("c")), ["c"] = F(R("a")) },
        _ => new TaskGraph { ["a"] = F(R("b")), ["b"] = F(R("c")), ["c"] = F(R("a"), R("d")), ["d"] = L(1) },
    };

    [Theory]
    [MemberData(nameof(Cycles))]
    public void Order_C13_CycleRaisesInvalidGraph(string name)
    {
        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => GraphOrder.Order(Cycle(name)));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cycles))]
    public void Get_C13_CycleRaisesInvalidGraph(string name)
    {
        TaskGraph g = Cycle(name);
        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => Tessera.Scheduling.SyncScheduler.Instance.Get(g, [g.Keys.First()]));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_C13_EmptyGraph_IsEmpty()
    {
        Assert.Empty(GraphOrder.Order(new TaskGraph()));
    }
}
