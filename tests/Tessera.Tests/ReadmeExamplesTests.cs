using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests;

/// <summary>The README's C# snippets, kept compiling and checked against eager results.</summary>
public sealed class ReadmeExamplesTests
{
    private sealed record Model(int Degree, double Lambda, double ValidationError);

    private static Model Fit(int degree, double lambda) => new(degree, lambda, Math.Abs(degree - 3) + Math.Abs(Math.Log10(lambda) + 1));

    private static Model Best(IReadOnlyList<Model> models) => models.MinBy(m => m.ValidationError)!;

    [Fact]
    public void Quickstart_GridSearch_PicksTheSameModelAsALoop()
    {
        var fit = Delayed.Of<int, double, Model>(Fit);
        var models = new List<Delayed<Model>>();
        foreach (int degree in new[] { 1, 2, 3, 4 })
        {
            foreach (double lambda in new[] { 0.01, 0.1, 1.0 })
            {
                models.Add(fit(degree, lambda));
            }
        }

        Delayed<Model> best = Delayed.Of<IReadOnlyList<Model>, Model>(Best)(Delayed.List(models));
        Model expected = Best([.. from d in new[] { 1, 2, 3, 4 } from l in new[] { 0.01, 0.1, 1.0 } select Fit(d, l)]);
        Assert.Equal(expected, best.Compute());
    }

    [Fact]
    public async Task MoreOfTheApi_GivesTheEagerResults()
    {
        var inc = Delayed.Of<long, long>(x => x + 1, pure: true);
        Delayed<long> a = inc(1), b = inc(a);
        long c = (a + b * 2).Compute();
        (long x, long y) = Delayed.Compute(a, b);
        Delayed<int> n = Delayed.Value("tessera").Select(s => s.Length);
        var (lo, hi) = Delayed.Of<long, (long, long)>(v => (v - 1, v + 1))(b);
        Assert.Equal(2 + (3 * 2), c);
        Assert.Equal((2L, 3L), (x, y));
        Assert.Equal(7, n.Compute());
        Assert.Equal((2L, 4L), Delayed.Compute(lo, hi));
        Assert.Equal(3L, await b.ComputeAsync(TestContext.Current.CancellationToken));
        using (TesseraConfig.Set(("scheduler", "sync")))
        {
            Assert.Equal(3L, b.Compute());
        }
    }

    [Fact]
    public void RawGraph_ComputesLikeDasksSpec()
    {
        var add = TaskFunction.Create((long x, long y) => x + y, "add");
        var graph = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["y"] = Node.Literal(2L),
            ["z"] = Node.Call(add, Node.Ref("x"), Node.Ref("y")),
        };
        object?[] results = Schedulers.Threaded.Get(graph, ["z"]);
        Assert.Equal([3L], results);
    }
}
