using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>The multi-stage rechunk plan: Dask's plans for known cases, the block limit, and values equal to the in-memory array.</summary>
public class RechunkPlanTests
{
    private static int[] Repeat(int value, int count) => [.. Enumerable.Repeat(value, count)];

    private static int StageCount<T>(DArray<T> x)
        where T : unmanaged => x.Graph.Layers.Count(l => l.Name.StartsWith("rechunk-merge", StringComparison.Ordinal));

    [Fact]
    public void Plan_MatchesDasksForTheBenchmarkCase()
    {
        // dask.array.rechunk.plan_rechunk (2022.12) for (20000, 200) -> (200, 20000), float64, 128 MiB.
        int[][] old = [[20000], Repeat(200, 100)];
        int[][] target = [Repeat(200, 100), [20000]];
        List<int[][]> plan = RechunkPlan.Plan(old, target, 8, 128L << 20, 4);
        Assert.Equal(3, plan.Count);
        Assert.Equal([[20000], [.. Repeat(833, 16), .. Repeat(834, 8)]], plan[0]);
        Assert.Equal([Repeat(5000, 4), [3333, 3333, 3333, 3333, 3334, 3334]], plan[1]);
        Assert.Same(target, plan[2]);
    }

    [Fact]
    public void Plan_MatchesDasksWhereTheLimitIsSmall()
    {
        // plan_rechunk(((6,)*20, (6,)*20), ((120,), (1,)*120), 8, block_size_limit=2000).
        List<int[][]> plan = RechunkPlan.Plan([Repeat(6, 20), Repeat(6, 20)], [[120], Repeat(1, 120)], 8, 2000, 4);
        Assert.Equal(2, plan.Count);
        Assert.Equal([Repeat(40, 3), Repeat(6, 20)], plan[0]);
    }

    [Fact]
    public void Plan_IsDirectForFewPiecesOrOneAxisOrThresholdOff()
    {
        int[][] target = [[5, 5], [10]];
        Assert.Single(RechunkPlan.Plan([[10], [5, 5]], target, 8, 1, 4));
        Assert.Single(RechunkPlan.Plan([Repeat(1, 100)], [Repeat(100, 1)], 8, 1, 4));
        Assert.Single(RechunkPlan.Plan([[20000], Repeat(200, 100)], [Repeat(200, 100), [20000]], 8, 128L << 20, 0));
    }

    [Fact]
    public void DivideToWidth_SplitsEachChunkIntoTheFewestNearEqualPiecesWithinTheWidth()
    {
        Assert.Equal([3, 3, 4, 3, 4], RechunkPlan.DivideToWidth([10, 7], 4));
        Gen.Select(Gen.Int[0, 60].Array[0, 8], Gen.Int[1, 20]).Sample((chunks, width) =>
        {
            int[] pieces = RechunkPlan.DivideToWidth(chunks, width);
            Assert.Equal(chunks.Sum(), pieces.Sum());
            int at = 0;
            foreach (int c in chunks)
            {
                // Chunk c's pieces follow in order: ceil(c / width) of them (one for an empty chunk), summing to c.
                int parts = Math.Max(1, (c + width - 1) / width);
                int[] own = pieces[at..(at + parts)];
                at += parts;
                Assert.Equal(c, own.Sum());
                Assert.All(own, p => Assert.InRange(p, Math.Min(c, 1), width));
                Assert.InRange(own.Max() - own.Min(), 0, 1);
            }

            Assert.Equal(pieces.Length, at);
        });
    }

    [Fact]
    public void MergeToCount_JoinsAdjacentRunsIntoAtMostCountBlocks_WithTheSmallestWidest()
    {
        Assert.Equal([5, 5, 5, 5], RechunkPlan.MergeToCount(Repeat(1, 20), 4));
        Assert.Equal([4, 3], RechunkPlan.MergeToCount([1, 3, 2, 1], 2));
        Assert.Equal([2, 2], RechunkPlan.MergeToCount([2, 2], 5));
        Gen.Select(Gen.Int[1, 30].Array[1, 12], Gen.Int[1, 14]).Sample((chunks, count) =>
        {
            int[] merged = RechunkPlan.MergeToCount(chunks, count);
            Assert.Equal(chunks.Sum(), merged.Sum());
            Assert.InRange(merged.Length, 1, Math.Max(count, 1));

            // Every block is a run of adjacent chunks: its end is one of the chunks' ends.
            HashSet<int> ends = [.. chunks.Select((_, i) => chunks.Take(i + 1).Sum())];
            Assert.All(merged.Select((_, i) => merged.Take(i + 1).Sum()), end => Assert.Contains(end, ends));

            // The widest block is the least any split into at most count runs can have (a naive search over all splits).
            Assert.Equal(LeastWidest(chunks, count), merged.Max());
        });
    }

    // The least widest block over all splits of chunks into at most count runs of adjacent chunks, by dynamic programming.
    private static int LeastWidest(int[] chunks, int count)
    {
        int n = chunks.Length;
        int[] prefix = [0, .. chunks.Select((_, i) => chunks.Take(i + 1).Sum())];
        var best = new int[n + 1]; // best[j]: the least widest for the first j chunks with the runs used so far
        Array.Fill(best, int.MaxValue);
        best[0] = 0;
        int answer = int.MaxValue;
        for (int runs = 1; runs <= Math.Min(count, n); runs++)
        {
            var next = new int[n + 1];
            Array.Fill(next, int.MaxValue);
            for (int j = 1; j <= n; j++)
            {
                for (int i = 0; i < j; i++)
                {
                    if (best[i] != int.MaxValue)
                    {
                        next[j] = Math.Min(next[j], Math.Max(best[i], prefix[j] - prefix[i]));
                    }
                }
            }

            best = next;
            answer = Math.Min(answer, best[n]);
        }

        return answer;
    }

    [Fact]
    public void PlannedRechunk_MatchesInMemoryAndRoundTrips()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 2, 3, 10);
            NDArray<double> a = TestData.Doubles(r, shape);
            int[][] old = [.. shape.Select(n => r.Next(3) == 0 ? TestData.Partition(r, n) : Repeat(1, n))];
            int[][] target = [.. shape.Select(n => r.Next(3) == 0 ? TestData.Partition(r, n) : [n])];
            if (r.Next(2) == 0)
            {
                (old, target) = (target, old);
            }

            long limit = 8L * r.Next(1, 64);
            double threshold = r.Next(1, 5);
            List<int[][]> plan = RechunkPlan.Plan(old, target, 8, limit, threshold);
            Assert.InRange(plan.Count, 1, RechunkPlan.MaxStages);
            Assert.Same(target, plan[^1]);
            double largest = Math.Max(limit / 8, Math.Max(old.Aggregate(1.0, (p, c) => p * c.Max()), target.Aggregate(1.0, (p, c) => p * c.Max())));
            foreach (int[][] stage in plan)
            {
                Assert.Equal(shape, stage.Select(c => c.Sum()));
                Assert.True(stage.Aggregate(1.0, (p, c) => p * c.Max()) <= largest, "an intermediate block is larger than the limit");
            }

            DArray<double> x = DArray.FromArray(a, old);
            using (TesseraConfig.Set(("array.rechunk.block-size-limit", limit), ("array.rechunk.threshold", threshold)))
            {
                DArray<double> re = x.Rechunk(target);
                bool same = old.Zip(target).All(p => p.First.SequenceEqual(p.Second));
                Assert.Equal(same ? 0 : plan.Count, StageCount(re));
                Assert.Equal(target.Select(c => c.ToList()), re.Chunks.Select(c => c.ToList()));
                TestData.Same(a, re.Compute());
                DArray<double> back = re.Rechunk(old);
                Assert.Equal(old.Select(c => c.ToList()), back.Chunks.Select(c => c.ToList()));
                TestData.Same(a, back.Compute());
                TestData.Same(a, back.Rechunk(-1).Compute());
            }
        }, iter: 60);
    }

    [Fact]
    public void PlannedRechunk_UsesIntermediateStagesWhereDaskWould()
    {
        NDArray<double> a = NDArray.Arange<double>(0, 24 * 24).Reshape(24, 24);
        DArray<double> x = DArray.FromArray(a, new[] { 24, 1 });
        using (TesseraConfig.Set(("array.rechunk.block-size-limit", "512B")))
        {
            DArray<double> re = x.Rechunk(new[] { 1, 24 });
            Assert.True(StageCount(re) > 1, "expected an intermediate stage");
            TestData.Same(a, re.Compute());
            TestData.Same(a.Sum(), re.Sum().Compute());
        }

        using (TesseraConfig.Set(("array.rechunk.threshold", 0)))
        {
            Assert.Equal(1, StageCount(x.Rechunk(new[] { 1, 24 })));
        }
    }

    [Fact]
    public void LargePieces_StayDirect()
    {
        // 2000² doubles, (2000, 20) -> (20, 2000): 10,000 pieces of 3.2 KB, under the 64 KiB default.
        DArray<double> x = DArray.Zeros<double>([2000, 2000], chunks: new[] { 2000, 20 });
        Assert.Equal(2, StageCount(x.Rechunk(new[] { 20, 2000 })));
        using (TesseraConfig.Set(("array.rechunk.piece-bytes", "3KB")))
        {
            Assert.Equal(1, StageCount(x.Rechunk(new[] { 20, 2000 })));
        }
    }
}
