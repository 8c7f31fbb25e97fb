using Tessera.Collections;
using Tessera.Graphs;
using System.Runtime.CompilerServices;
using Tessera.Scheduling;

namespace Tessera.Tests.Collections;

public sealed class CollectionExtensionsTests
{
    /// <summary>A minimal collection: the squares of 0..n-1 in partitions, with a counter of how often its loader ran.</summary>
    private sealed class Squares(LayeredGraph graph, Key[] partKeys) : ITesseraCollection<long[]>
    {
        public LayeredGraph Graph { get; } = graph;

        public IReadOnlyList<Key> PartKeys { get; } = partKeys;

        public int OptimizeCalls { get; private set; }

        public static Squares Create(int n, int partitions, StrongBox<int> loads)
        {
            var load = TaskFunction.Create((long start, long end) =>
            {
                Interlocked.Increment(ref loads.Value);
                var part = new long[end - start];
                for (long i = start; i < end; i++)
                {
                    part[i - start] = i * i;
                }

                return part;
            }, "load");
            string name = "squares-" + Tokenizer.Tokenize(n, partitions);
            var tasks = new TaskGraph();
            var keys = new Key[partitions];
            for (int p = 0; p < partitions; p++)
            {
                keys[p] = new Key(name, p);
                tasks.Add(keys[p], Node.Call(load, Node.Literal((long)n * p / partitions), Node.Literal((long)n * (p + 1) / partitions)));
            }

            return new Squares(LayeredGraph.FromLayer(new MaterializedLayer(name, tasks)), keys);
        }

        public TaskGraph Optimize(TaskGraph graph, IReadOnlyList<Key> outputs)
        {
            OptimizeCalls++;
            return graph;
        }

        public ITesseraCollection WithGraph(LayeredGraph graph) => new Squares(graph, [.. PartKeys]);

        public long[] Assemble(IReadOnlyList<object?> parts) => [.. parts.SelectMany(p => (long[])p!)];
    }

    private static long[] Oracle(int n) => [.. Enumerable.Range(0, n).Select(i => (long)i * i)];

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Compute_AssemblesThePartsInOrder(string scheduler)
    {
        var squares = Squares.Create(100, 7, new StrongBox<int>());
        Assert.Equal(Oracle(100), squares.Compute(Schedulers.Resolve(scheduler)));
        Assert.Equal(1, squares.OptimizeCalls);
    }

    [Fact]
    public async Task ComputeAsync_GivesTheSameValueAsCompute()
    {
        var squares = Squares.Create(50, 3, new StrongBox<int>());
        Assert.Equal(Oracle(50), await squares.ComputeAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Persist_ComputesOnceAndKeepsTheKeys()
    {
        var loads = new StrongBox<int>();
        Squares squares = Squares.Create(40, 4, loads);
        Squares persisted = squares.Persist();
        Assert.Equal(4, loads.Value);
        Assert.Equal(squares.PartKeys, persisted.PartKeys);
        Assert.Equal(Oracle(40), persisted.Compute());
        Assert.Equal(Oracle(40), persisted.Compute());
        Assert.Equal(4, loads.Value);
    }

    [Fact]
    public void ToDelayed_OnePartMixesWithDelayedCode_AndRunsOnlyWhatItNeeds()
    {
        var loads = new StrongBox<int>();
        Squares squares = Squares.Create(30, 3, loads);
        Delayed<long[]>[] parts = squares.ToDelayed<long[]>();
        Assert.Equal(3, parts.Length);
        Delayed<long> total = parts[1].Select(p => p.Sum());
        Assert.Equal(Oracle(30)[10..20].Sum(), total.Compute());
        Assert.Equal(1, loads.Value);
        Assert.Equal(2, total.ToGraph().Count);
    }

    [Fact]
    public void FromGraph_KeyNotInGraph_NamesTheKey()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => Delayed.FromGraph<int>(new Key("missing", 3), new TaskGraph()));
        Assert.Contains("('missing', 3)", ex.Message, StringComparison.Ordinal);
    }
}
