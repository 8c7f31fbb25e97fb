using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests.Graphs;

public sealed class LayeredGraphTests
{
    private static readonly TaskFunction s_inc = TaskFunction.Create((long x) => x + 1, "inc");

    private static MaterializedLayer Layer(string name, string? input, int blocks)
    {
        var g = new TaskGraph();
        for (int i = 0; i < blocks; i++)
        {
            g[new Key(name, i)] = input is null ? Node.Literal((long)i) : Node.Call(s_inc, Node.Ref(new Key(input, i)));
        }

        return new MaterializedLayer(name, g);
    }

    [Fact]
    public void ToTaskGraph_MaterializesEveryLayer_AndComputes()
    {
        LayeredGraph a = LayeredGraph.FromLayer(Layer("a", null, 4));
        LayeredGraph b = a.With(Layer("b", "a", 4), "a");
        LayeredGraph c = LayeredGraph.Merge(b, b.With(Layer("c", "b", 4), "b"));
        Assert.Equal(["a", "b", "c"], c.Layers.Select(l => l.Name));
        Assert.Equal(12, c.TaskCount);
        TaskGraph g = c.ToTaskGraph();
        Assert.Equal(12, g.Count);
        Assert.Equal([2L, 5L], SyncScheduler.Instance.Get(g, [new Key("c", 0), new Key("c", 3)]));
    }

    [Fact]
    public void CullLayers_KeepsOnlyWhatTheNamedLayersNeed()
    {
        LayeredGraph g = LayeredGraph.FromLayer(Layer("a", null, 2))
            .With(Layer("b", "a", 2), "a")
            .With(Layer("other", null, 2))
            .With(Layer("c", "b", 2), "b");
        LayeredGraph culled = g.CullLayers(["c"]);
        Assert.Equal(["a", "b", "c"], culled.Layers.Select(l => l.Name));
        Assert.Equal(["b"], culled.Dependencies["c"]);
        Assert.Throws<KeyNotFoundException>(() => g.CullLayers(["nope"]));
    }

    [Fact]
    public void With_DuplicateLayerName_Throws()
    {
        LayeredGraph g = LayeredGraph.FromLayer(Layer("a", null, 1));
        Assert.Throws<ArgumentException>(() => g.With(Layer("a", null, 1)));
    }

    [Fact]
    public void ToTaskGraph_KeyInTwoLayers_Throws()
    {
        var first = new TaskGraph { ["k"] = Node.Literal(1L) };
        var second = new TaskGraph { ["k"] = Node.Literal(2L) };
        LayeredGraph g = LayeredGraph.FromLayer(new MaterializedLayer("one", first)).With(new MaterializedLayer("two", second));
        ArgumentException e = Assert.Throws<ArgumentException>(g.ToTaskGraph);
        Assert.Contains("two", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskGraph_DependenciesAndDependents_AreInverse()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["y"] = Node.Call(s_inc, Node.Ref("x")),
            ["z"] = Node.Call(TaskFunction.Create((long a, long b) => a + b, "add"), Node.Ref("y"), Node.Ref("y")),
        };
        Dictionary<Key, IReadOnlyList<Key>> deps = g.GetAllDependencies();
        Dictionary<Key, List<Key>> dependents = g.GetAllDependents();
        Assert.Equal<Key>(["y"], deps["z"]);
        Assert.Empty(deps["x"]);
        foreach ((Key k, IReadOnlyList<Key> ds) in deps)
        {
            foreach (Key d in ds)
            {
                Assert.Contains(k, dependents[d]);
            }
        }

        Assert.Equal(deps.Values.Sum(d => d.Count), dependents.Values.Sum(d => d.Count));
    }
}
