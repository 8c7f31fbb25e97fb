using CsCheck;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Graphs;

public sealed class GraphOptimizationsTests
{
    private const int Iterations = 300;

    private static readonly TaskFunction s_inc = RandomDags.Inc;
    private static readonly TaskFunction s_add = RandomDags.Add;
    private static readonly TaskFunction s_sum = RandomDags.Sum;

    private static object?[] Get(TaskGraph graph, IReadOnlyList<Key> keys) => SyncScheduler.Instance.Get(graph, keys);

    private static CallNode Inc(Key k) => Node.Call(s_inc, Node.Ref(k));

    private static void AssertAlias(TaskGraph graph, Key key, Key target)
    {
        RefNode alias = Assert.IsType<RefNode>(graph[key]);
        Assert.Equal(target, alias.Key);
    }

    // ---- C03: cull ----
    private static TaskGraph CullGraph() => new()
    {
        ["x"] = Node.Literal(1L),
        ["y"] = Inc("x"),
        ["z"] = Inc("x"),
        ["out"] = Node.Call(s_add, Node.Ref("y"), Node.Literal(10L)),
    };

    [Fact]
    public void Cull_OneOutput_KeepsExactlyWhatItNeeds()
    {
        TaskGraph culled = GraphOptimizations.Cull(CullGraph(), ["out"]);
        Assert.Equal(new HashSet<Key> { "x", "y", "out" }, culled.Keys.ToHashSet());
        Dictionary<Key, IReadOnlyList<Key>> deps = culled.GetAllDependencies();
        Assert.Empty(deps["x"]);
        Assert.Equal([new Key("x")], deps["y"]);
        Assert.Equal([new Key("y")], deps["out"]);
    }

    [Fact]
    public void Cull_TwoOutputs_KeepsEverythingInInsertionOrder()
    {
        TaskGraph culled = GraphOptimizations.Cull(CullGraph(), ["out", "z"]);
        Assert.Equal([new Key("x"), "y", "z", "out"], culled.Keys);
    }

    [Fact]
    public void Cull_NestedKeyLists_BehaveLikeTheFlatList()
    {
        Key[][] nested = [["out"], ["z"]];
        TaskGraph fromNested = GraphOptimizations.Cull(CullGraph(), nested.SelectMany(ks => ks));
        TaskGraph fromFlat = GraphOptimizations.Cull(CullGraph(), ["out", "z"]);
        Assert.Equal(fromFlat.Keys, fromNested.Keys);
    }

    [Fact]
    public void Cull_UnknownKey_RaisesKeyNotFound()
    {
        KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => GraphOptimizations.Cull(CullGraph(), ["out", new Key("nope", 2)]));
        Assert.Contains("('nope', 2)", e.Message, StringComparison.Ordinal);
    }

    // ---- C07: alias resolution (part of InlineConstants) ----
    [Fact]
    public void InlineConstants_C07_SingleUseAliasChainCollapsesToTheLiteral()
    {
        var g = new TaskGraph { ["x"] = Node.Literal(1L), ["y"] = Node.Ref("x"), ["z"] = Node.Ref("y") };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["z"]);
        Assert.Equal([new Key("z")], r.Keys);
        Assert.Equal(1L, Assert.IsAssignableFrom<LiteralNode>(r["z"]).Value);
    }

    [Fact]
    public void InlineConstants_C07_SingleUseAliasChainOverATaskCollapses()
    {
        var x = Node.Call(s_inc, Node.Literal(1L));
        var g = new TaskGraph { ["x"] = x, ["y"] = Node.Ref("x"), ["z"] = Node.Ref("y") };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["z"]);
        Assert.Equal([new Key("z")], r.Keys);
        Assert.Same(x, r["z"]);
        Assert.Equal([2L], Get(r, ["z"]));
    }

    [Fact]
    public void InlineConstants_C07_RequestedTargetIsNotCollapsed()
    {
        var x = Node.Call(s_inc, Node.Literal(1L));
        var g = new TaskGraph { ["x"] = x, ["y"] = Node.Ref("x"), ["z"] = Node.Ref("y") };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["z", "y"]);
        Assert.Equal([new Key("y"), "z"], r.Keys);
        Assert.Same(x, r["y"]);
        AssertAlias(r, "z", "y");
        Assert.Equal([2L, 2L], Get(r, ["z", "y"]));
    }

    [Fact]
    public void InlineConstants_C07_SharedTargetIsNotCollapsed()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Call(s_inc, Node.Literal(1L)),
            ["y"] = Node.Ref("x"),
            ["w"] = Inc("x"),
            ["z"] = Node.Ref("y"),
        };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["z", "w"]);

        // y is single-use, so z takes it over; x has two dependents, so the chain stops there.
        Assert.Equal([new Key("x"), "w", "z"], r.Keys);
        AssertAlias(r, "z", "x");
        Assert.Equal([2L, 3L], Get(r, ["z", "w"]));
    }

    [Fact]
    public void InlineConstants_C07_AbsentTargetIsNotCollapsed()
    {
        var g = new TaskGraph { ["y"] = Node.Ref("ghost"), ["z"] = Node.Ref("y") };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["z"]);
        Assert.Equal([new Key("z")], r.Keys);
        AssertAlias(r, "z", "ghost");
    }

    [Fact]
    public void InlineConstants_AliasCycle_StaysACycle()
    {
        var g = new TaskGraph { ["a"] = Node.Ref("b"), ["b"] = Node.Ref("a") };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["a"]);
        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => Get(r, ["a"]));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
    }

    // ---- Constant inlining ----
    [Fact]
    public void InlineConstants_SpecGraph_SubstitutesUnrequestedLiterals()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["y"] = Node.Literal(2L),
            ["z"] = Node.Call(s_add, Node.Ref("y"), Node.Ref("x")),
            ["w"] = Node.Call(s_sum, Node.List<long>(Node.Ref("x"), Node.Ref("y"), Node.Ref("z"))),
        };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["w"]);
        Assert.Equal([new Key("z"), "w"], r.Keys);
        Assert.Equal([new Key("z")], r.GetDependencies("w"));
        Assert.Empty(r.GetDependencies("z"));
        Assert.Equal([6L], Get(r, ["w"]));
    }

    [Fact]
    public void InlineConstants_RequestedLiteral_StaysAndIsStillReferenced()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["y"] = Inc("x"),
        };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["y", "x"]);
        Assert.Same(g, r);
    }

    [Fact]
    public void InlineConstants_AliasOfASharedLiteral_BecomesTheLiteral()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(5L),
            ["y"] = Node.Ref("x"),
            ["w"] = Node.Call(s_add, Node.Ref("x"), Node.Ref("y")),
        };
        TaskGraph r = GraphOptimizations.InlineConstants(g, ["w", "y"]);
        Assert.Equal([new Key("y"), "w"], r.Keys);
        Assert.Equal(5L, Assert.IsAssignableFrom<LiteralNode>(r["y"]).Value);
        Assert.Equal([new Key("y")], r.GetDependencies("w"));
        Assert.Equal([10L, 5L], Get(r, ["w", "y"]));
    }

    [Fact]
    public void InlineConstants_NothingToDo_ReturnsTheSameGraph()
    {
        (TaskGraph g, Key root) = Scheduling.SchedulerContractTests.TreeGraph(100, 4);
        Assert.Same(g, GraphOptimizations.InlineConstants(g, [root]));
    }

    [Fact]
    public void InlineConstants_NothingToDo_AllocatesNothing()
    {
        (TaskGraph g, Key root) = Scheduling.SchedulerContractTests.TreeGraph(10_000, 8);
        Key[] outputs = [root];
        GraphOptimizations.InlineConstants(g, outputs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        TaskGraph r = GraphOptimizations.InlineConstants(g, outputs);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(g, r);
        Assert.True(allocated < 1024, $"{allocated} bytes allocated");
    }

    // ---- C05: linear fusion ----
    [Fact]
    public void FuseLinear_C05_ChainOfTasks_BecomesOneTaskAndAnAlias()
    {
        var g = new TaskGraph
        {
            ["foo"] = Node.Call(s_inc, Node.Literal(1L)),
            ["second"] = Inc("foo"),
            ["third"] = Inc("second"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["third"]);
        Assert.Equal(2, r.Count);
        Assert.IsType<CallNode>(r["foo-second-third"]);
        AssertAlias(r, "third", "foo-second-third");
        Assert.Equal([4L], Get(r, ["third"]));
    }

    [Fact]
    public void FuseLinear_C05_ChainFromData_FusesTheDataToo()
    {
        TaskGraph r = GraphOptimizations.FuseLinear(DataChain(), ["fourth"]);
        Assert.Equal(2, r.Count);
        Assert.IsType<CallNode>(r["foo-second-third-fourth"]);
        AssertAlias(r, "fourth", "foo-second-third-fourth");
        Assert.False(r.ContainsKey("foo"));
        Assert.Equal([4L], Get(r, ["fourth"]));
    }

    [Fact]
    public void FuseLinear_C05_BranchStopsTheChain()
    {
        TaskGraph g = DataChain();
        g["branch"] = Inc("third");
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["fourth"]);
        Assert.Equal(4, r.Count);
        Assert.IsType<CallNode>(r["foo-second-third"]);
        AssertAlias(r, "third", "foo-second-third");
        Assert.IsType<CallNode>(r["fourth"]);
        Assert.IsType<CallNode>(r["branch"]);
        Assert.Equal([4L], Get(r, ["fourth"]));
    }

    [Fact]
    public void FuseLinear_C05_TwoBranches_OnlyTheBottomPairFuses()
    {
        TaskGraph g = DataChain();
        g["branch"] = Inc("third");
        g["branch2"] = Inc("second");
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["fourth"]);
        Assert.Equal(6, r.Count);
        Assert.IsType<CallNode>(r["foo-second"]);
        AssertAlias(r, "second", "foo-second");
        foreach (Key k in new Key[] { "third", "fourth", "branch", "branch2" })
        {
            Assert.Same(g[k], r[k]);
        }

        Assert.Equal(new HashSet<Key> { "foo-second", "second", "third", "fourth", "branch", "branch2" }, r.Keys.ToHashSet());
        Assert.Equal([4L], Get(r, ["fourth"]));
    }

    [Fact]
    public void FuseLinear_C05_IntermediateWithTwoDependencies_EndsTheChain()
    {
        var g = new TaskGraph
        {
            ["foo"] = Node.Literal(1L),
            ["second"] = Inc("foo"),
            ["third"] = Inc("second"),
            ["other"] = Node.Call(s_inc, Node.Literal(1L)),
            ["fourth"] = Node.Call(s_add, Node.Ref("third"), Node.Ref("other")),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["fourth"]);
        Assert.True(r.ContainsKey("foo-second-third"));
        Assert.Same(g["fourth"], r["fourth"]);
        Assert.Equal([5L], Get(r, ["fourth"]));
    }

    [Fact]
    public void FuseLinear_C05_TwoChainsFeedingAThird()
    {
        var g = new TaskGraph
        {
            ["left_one"] = Node.Literal(1L),
            ["left_two"] = Inc("left_one"),
            ["right_one"] = Node.Literal(10L),
            ["right_two"] = Inc("right_one"),
            ["middle"] = Node.Call(s_add, Node.Ref("right_two"), Node.Ref("left_two")),
            ["third"] = Inc("middle"),
            ["fourth"] = Inc("third"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["fourth"]);
        Assert.IsType<CallNode>(r["left_one-left_two"]);
        Assert.IsType<CallNode>(r["right_one-right_two"]);
        Assert.IsType<CallNode>(r["third-fourth"]);
        AssertAlias(r, "left_two", "left_one-left_two");
        AssertAlias(r, "right_two", "right_one-right_two");
        AssertAlias(r, "fourth", "third-fourth");
        Assert.Same(g["middle"], r["middle"]);
        Assert.Equal([15L], Get(r, ["fourth"]));
    }

    [Fact]
    public void FuseLinear_C05_RequestedKeyIsNeverSwallowed()
    {
        var g = new TaskGraph
        {
            ["first"] = Node.Literal(1L),
            ["second"] = Inc("first"),
            ["third"] = Inc("second"),
            ["fourth"] = Inc("third"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["fourth", "second"]);
        Assert.IsType<CallNode>(r["first-second"]);
        Assert.IsType<CallNode>(r["third-fourth"]);
        AssertAlias(r, "second", "first-second");
        AssertAlias(r, "fourth", "third-fourth");
        Assert.Equal(4, r.Count);
        Assert.Equal([4L, 2L], Get(r, ["fourth", "second"]));
    }

    // ---- Fusion: Tessera specifics ----
    [Fact]
    public void FuseLinear_BlockKeys_KeepTheLastKeysIndex()
    {
        var g = new TaskGraph
        {
            [new Key("x", 0, 1)] = Node.Literal(1L),
            [new Key("inc-1f2e3d4c5b6a", 0, 1)] = Inc(new Key("x", 0, 1)),
            [new Key("y", 0, 1)] = Inc(new Key("inc-1f2e3d4c5b6a", 0, 1)),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, [new Key("y", 0, 1)]);
        Assert.IsType<CallNode>(r[new Key("x-inc-y", 0, 1)]);
        AssertAlias(r, new Key("y", 0, 1), new Key("x-inc-y", 0, 1));
    }

    [Fact]
    public void FuseLinear_RepeatedPrefixes_AppearOnce()
    {
        var g = new TaskGraph
        {
            ["inc-aaa1"] = Node.Call(s_inc, Node.Literal(1L)),
            ["inc-bbb2"] = Inc("inc-aaa1"),
            ["out"] = Inc("inc-bbb2"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["out"]);
        Assert.IsType<CallNode>(r["inc-out"]);
        AssertAlias(r, "out", "inc-out");
    }

    [Fact]
    public void FuseLinear_NameTaken_AppendsATokenThatKeepsThePrefix()
    {
        var g = new TaskGraph
        {
            ["foo"] = Node.Literal(1L),
            ["second"] = Inc("foo"),
            ["foo-second"] = Node.Literal(100L),
            ["out"] = Node.Call(s_add, Node.Ref("second"), Node.Ref("foo-second")),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["out"]);
        Key fused = Assert.IsType<RefNode>(r["second"]).Key;
        Assert.NotEqual(new Key("foo-second"), fused);
        Assert.StartsWith("foo-second-", fused.Name, StringComparison.Ordinal);
        Assert.Equal("foo-second", fused.Prefix);
        Assert.Same(g["foo-second"], r["foo-second"]);
        Assert.Equal([102L], Get(r, ["out"]));
    }

    [Fact]
    public void FuseLinear_FusedNameEqualToTheLastKey_UsesItWithoutAlias()
    {
        var g = new TaskGraph
        {
            ["load-1"] = Node.Literal(1L),
            ["load"] = Inc("load-1"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["load"]);
        Assert.Equal([new Key("load")], r.Keys);
        Assert.IsType<CallNode>(r["load"]);
        Assert.Equal([2L], Get(r, ["load"]));
    }

    [Fact]
    public void FuseLinear_UnrequestedUnusedTop_LeavesNoAlias()
    {
        var g = new TaskGraph
        {
            ["a"] = Node.Literal(1L),
            ["b"] = Inc("a"),
            ["c"] = Node.Call(s_inc, Node.Literal(7L)),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["c"]);
        Assert.Equal([new Key("a-b"), "c"], r.Keys);
    }

    [Fact]
    public void FuseLinear_DoubleReferenceToATask_DoesNotFuseSoTheTaskRunsOnce()
    {
        int calls = 0;
        TaskFunction counted = TaskFunction.Create((long x) => { Interlocked.Increment(ref calls); return x + 1; }, "counted");
        var g = new TaskGraph
        {
            ["x"] = Node.Call(counted, Node.Literal(1L)),
            ["y"] = Node.Call(s_add, Node.Ref("x"), Node.Ref("x")),
            ["z"] = Inc("y"),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["z"]);
        Assert.Same(g["x"], r["x"]);
        Assert.IsType<CallNode>(r["y-z"]);
        AssertAlias(r, "z", "y-z");
        Assert.Equal([5L], Get(r, ["z"]));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void FuseLinear_DoubleReferenceToData_Fuses()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(3L),
            ["y"] = Node.Call(s_add, Node.Ref("x"), Node.Ref("x")),
        };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["y"]);
        Assert.Equal(2, r.Count);
        AssertAlias(r, "y", "x-y");
        Assert.Equal([6L], Get(r, ["y"]));
    }

    [Fact]
    public void FuseLinear_NothingToFuse_ReturnsTheSameGraph()
    {
        (TaskGraph g, Key root) = Scheduling.SchedulerContractTests.TreeGraph(100, 4);
        Assert.Same(g, GraphOptimizations.FuseLinear(g, [root]));
    }

    [Fact]
    public void FuseLinear_LongChain_IsSplitIntoBoundedTasksAndStillComputes()
    {
        const int N = 20_000;
        var g = new TaskGraph { [new Key("c", 0)] = Node.Literal(0L) };
        for (int i = 1; i < N; i++)
        {
            g[new Key("c", i)] = Inc(new Key("c", i - 1));
        }

        TaskGraph r = GraphOptimizations.FuseLinear(g, [new Key("c", N - 1)]);
        Assert.True(r.Count < N / 10, $"{r.Count} entries left");
        Assert.All(r.Values, n => Assert.True(LinearFusion.NodeDepth(n) <= LinearFusion.MaxFusedDepth));
        Assert.Equal([(long)(N - 1)], Get(r, [new Key("c", N - 1)]));
    }

    [Fact]
    public void FuseLinear_Cycle_StaysACycle()
    {
        var g = new TaskGraph { ["a"] = Inc("b"), ["b"] = Inc("a") };
        TaskGraph r = GraphOptimizations.FuseLinear(g, ["a"]);
        InvalidGraphException e = Assert.Throws<InvalidGraphException>(() => Get(r, ["a"]));
        Assert.Contains("Cycle detected", e.Message, StringComparison.Ordinal);
    }

    // ---- Properties over random graphs ----
    [Fact]
    public void Cull_RandomGraphs_KeepsExactlyTheReachableKeysAndTheResults()
    {
        RandomDags.Dag().Sample(dag =>
        {
            TaskGraph culled = GraphOptimizations.Cull(dag.Graph, dag.Outputs);
            Assert.Equal(RandomDags.Reachable(dag.Graph, dag.Outputs), culled.Keys.ToHashSet());
            Assert.Equal(dag.Graph.Keys.Where(culled.ContainsKey), culled.Keys);
            Assert.Equal(Get(dag.Graph, dag.Outputs), Get(culled, dag.Outputs));
        }, iter: Iterations);
    }

    [Fact]
    public void InlineConstants_RandomGraphs_KeepResultsAndLeaveNoUnrequestedLiteral()
    {
        RandomDags.Dag().Sample(dag =>
        {
            TaskGraph r = GraphOptimizations.InlineConstants(dag.Graph, dag.Outputs);
            Assert.Equal(Get(dag.Graph, dag.Outputs), Get(r, dag.Outputs));
            Assert.DoesNotContain(r, kv => kv.Value is LiteralNode && !dag.Outputs.Contains(kv.Key));
            Assert.True(r.Count <= dag.Graph.Count);
            Assert.Same(r, GraphOptimizations.InlineConstants(r, dag.Outputs));
        }, iter: Iterations);
    }

    [Fact]
    public void FuseLinear_RandomGraphs_KeepResults()
    {
        RandomDags.Dag().Sample(dag =>
        {
            TaskGraph r = GraphOptimizations.FuseLinear(dag.Graph, dag.Outputs);
            Assert.Equal(Get(dag.Graph, dag.Outputs), Get(r, dag.Outputs));
            Assert.True(r.Count <= dag.Graph.Count);
            Assert.All(dag.Outputs, k => Assert.True(r.ContainsKey(k)));
        }, iter: Iterations);
    }

    [Fact]
    public void FuseLinear_RandomGraphs_RunsEveryTaskOnce()
    {
        RandomDags.Dag().Sample(dag =>
        {
            int plain = CountCalls(dag.Graph, dag.Outputs);
            TaskGraph fused = GraphOptimizations.FuseLinear(dag.Graph, dag.Outputs);
            Assert.Equal(plain, CountCalls(fused, dag.Outputs));
        }, iter: Iterations);
    }

    [Fact]
    public void Optimizations_RandomGraphs_ComposedInEitherOrder_KeepResults()
    {
        RandomDags.Dag().Sample(dag =>
        {
            object?[] expected = Get(dag.Graph, dag.Outputs);
            TaskGraph culled = GraphOptimizations.Cull(dag.Graph, dag.Outputs);
            TaskGraph a = GraphOptimizations.FuseLinear(GraphOptimizations.InlineConstants(culled, dag.Outputs), dag.Outputs);
            TaskGraph b = GraphOptimizations.InlineConstants(GraphOptimizations.FuseLinear(culled, dag.Outputs), dag.Outputs);
            TaskGraph c = GraphOptimizations.Cull(GraphOptimizations.FuseLinear(GraphOptimizations.InlineConstants(dag.Graph, dag.Outputs), dag.Outputs), dag.Outputs);
            Assert.Equal(expected, Get(a, dag.Outputs));
            Assert.Equal(expected, Get(b, dag.Outputs));
            Assert.Equal(expected, Get(c, dag.Outputs));
        }, iter: Iterations);
    }

    // How many function calls computing the outputs makes, counted by wrapping every function.
    private static int CountCalls(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        int calls = 0;
        TaskFunction inc = TaskFunction.Create((long x) => { calls++; return x + 1; }, "inc");
        TaskFunction add = TaskFunction.Create((long x, long y) => { calls++; return x + y; }, "add");
        TaskFunction sum = TaskFunction.Create((IReadOnlyList<long> xs) => { calls++; return xs.Sum(); }, "sum");
        Node Wrap(Node n) => n switch
        {
            CallNode c => Node.Call(
                ReferenceEquals(c.Function, s_inc) ? inc : ReferenceEquals(c.Function, s_add) ? add : sum,
                [.. c.Arguments.ToArray().Select(Wrap)]),
            ListNode<long> l => Node.List<long>([.. l.Items.Select(Wrap)]),
            _ => n,
        };

        var wrapped = new TaskGraph(graph.Select(kv => KeyValuePair.Create(kv.Key, Wrap(kv.Value))));
        Get(wrapped, outputs);
        return calls;
    }

    private static TaskGraph DataChain() => new()
    {
        ["foo"] = Node.Literal(1L),
        ["second"] = Inc("foo"),
        ["third"] = Inc("second"),
        ["fourth"] = Inc("third"),
    };
}
