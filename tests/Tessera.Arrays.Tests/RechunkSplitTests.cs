using CsCheck;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays.Tests;

/// <summary>Rechunks whose pieces are tasks of their own (for a cluster): the same values, and each task's inputs bounded by the block-size limit.</summary>
public class RechunkSplitTests
{
    [Fact]
    public void SplitPieces_AnyChunking_MatchesInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            NDArray<double> a = TestData.Doubles(r, shape);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, shape));
            int[][] target = TestData.Chunks(r, shape);
            using (TesseraConfig.Set(("array.rechunk.split-pieces", true), ("array.rechunk.block-size-limit", r.Next(8, 200) * 8)))
            {
                DArray<double> y = x.Rechunk(target);
                Assert.Equal(target, y.Chunks.Select(c => c.ToArray()));
                TestData.Same(a, y.Compute());
            }
        }, iter: 60);
    }

    [Fact]
    public void SplitPieces_EachTaskFetchesAtMostTheLimit_WhereMergesThatCutThemselvesFetchWholeBlocks()
    {
        // Transpose-like: every output block needs a piece of every input block.
        const long Limit = 4_000;
        NDArray<double> a = TestData.Doubles(new Random(5), [40, 40]);
        DArray<double> x = DArray.FromArray(a, new[] { 40, 4 });
        int[][] target = [[.. Enumerable.Repeat(4, 10)], [40]];

        // Largest input, output and allowed intermediate block: no task needs more than this.
        long bound = Math.Max(Limit, 40 * 4 * sizeof(double));
        using (TesseraConfig.Set(("array.rechunk.split-pieces", true), ("array.rechunk.block-size-limit", Limit)))
        {
            DArray<double> split = x.Rechunk(target);
            (long most, int pieces) = LargestTaskInput(split, x);
            Assert.InRange(most, 1, bound);
            Assert.True(pieces > 0, "no rechunk-split tasks");
            TestData.Same(a, split.Compute());
        }

        using (TesseraConfig.Set(("array.rechunk.split-pieces", false), ("array.rechunk.piece-bytes", 0L)))
        {
            DArray<double> inline = x.Rechunk(target);
            (long most, int pieces) = LargestTaskInput(inline, x);
            Assert.Equal(0, pieces);
            Assert.Equal(40 * 40 * sizeof(double), most); // each merge fetches all ten 40x4 input blocks
        }
    }

    [Fact]
    public void SplitPieces_Auto_FollowsTheDefaultScheduler()
    {
        using (TesseraConfig.Set(("scheduler", "threads")))
        {
            Assert.False(RechunkPlan.SplitPieces());
        }

        using (TesseraConfig.Set(("scheduler", "sync"), ("array.rechunk.split-pieces", "auto")))
        {
            Assert.False(RechunkPlan.SplitPieces());
        }

        using (TesseraConfig.Set(("array.rechunk.split-pieces", true)))
        {
            Assert.True(RechunkPlan.SplitPieces());
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData("yes", true)]
    [InlineData(" On ", true)]
    [InlineData(1, true)]
    [InlineData(false, false)]
    [InlineData("off", false)]
    [InlineData(0, false)]
    public void SplitPieces_ReadsABooleanSettingAsConfigDoes(object setting, bool expected)
    {
        using (TesseraConfig.Set(("array.rechunk.split-pieces", setting)))
        {
            Assert.Equal(expected, RechunkPlan.SplitPieces());
            Assert.Equal(expected, TesseraConfig.Get("array.rechunk.split-pieces", !expected));
        }
    }

    [Fact]
    public void SplitPieces_ABadSetting_NamesTheKeyAndValue()
    {
        using (TesseraConfig.Set(("array.rechunk.split-pieces", "sometimes")))
        {
            var e = Assert.Throws<FormatException>(() => RechunkPlan.SplitPieces());
            Assert.Contains("array.rechunk.split-pieces", e.Message, StringComparison.Ordinal);
            Assert.Contains("sometimes", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Runs every task of the rechunk's own layers and returns the most bytes any of them takes as
    /// input (a piece counts its own elements, which is what a compact piece sends), and how many
    /// piece tasks there were; every piece must be a compact copy.
    /// </summary>
    private static (long Most, int Pieces) LargestTaskInput(DArray<double> rechunked, DArray<double> input)
    {
        TaskGraph graph = rechunked.Graph.ToTaskGraph();
        Key[] keys = [.. graph.Keys];
        object?[] values = SyncScheduler.Instance.Get(graph, keys);
        Dictionary<Key, object?> byKey = keys.Zip(values).ToDictionary(p => p.First, p => p.Second);
        HashSet<string> inputLayers = [.. input.Graph.Layers.Select(l => l.Name)];
        long most = 0;
        int pieces = 0;
        var refs = new List<Key>();
        foreach (Layer layer in rechunked.Graph.Layers.Where(l => !inputLayers.Contains(l.Name)))
        {
            foreach (KeyValuePair<Key, Node> task in layer.Materialize())
            {
                refs.Clear();
                task.Value.CollectReferences(refs);
                most = Math.Max(most, refs.Distinct().Sum(k => ((NDArray<double>)byKey[k]!).Size * sizeof(double)));
                if (layer.Name.StartsWith("rechunk-split", StringComparison.Ordinal))
                {
                    var piece = (NDArray<double>)byKey[task.Key]!;
                    Assert.Equal(piece.Size, piece.Data.Length);
                    pieces++;
                }
            }
        }

        return (most, pieces);
    }
}
