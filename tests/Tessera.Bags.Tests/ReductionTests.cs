using CsCheck;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class ReductionTests
{
    private static readonly Gen<int> SplitEvery = Gen.Int[2, 4];

    [Fact]
    public void Count_Sum_MatchLinq() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
        {
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Assert.Equal(all.Length, b.Count().Compute(s));
            Assert.Equal(all.Sum(), b.Sum().Compute(s));
            Assert.Equal(all.Select(x => (long)x * x).Sum(), b.Select(x => (long)x * x).Sum().Compute(s));
        });

    [Fact]
    public void MinMax_MatchLinq() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
        {
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            if (all.Length == 0)
            {
                Assert.Contains("Min", TestBags.Inner<InvalidOperationException>(() => b.Min().Compute(s)).Message, StringComparison.Ordinal);
                Assert.Contains("Max", TestBags.Inner<InvalidOperationException>(() => b.Max().Compute(s)).Message, StringComparison.Ordinal);
                Assert.Null(b.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Min().Compute(s));
                return;
            }

            Assert.Equal(all.Min(), b.Min().Compute(s));
            Assert.Equal(all.Max(), b.Max().Compute(s));
            Assert.Equal(all.Select(x => $"w{x}").Max(StringComparer.Ordinal), b.Select(x => $"w{x}").Max().Compute(s), StringComparer.Ordinal);
        });

    [Fact]
    public void MeanVarStd_MatchTheDefinitions() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
        {
            double[] all = [.. TestBags.All(chunks).Select(x => x / 3.0)];
            Bag<double> b = TestBags.Of(chunks, persist).Select(x => x / 3.0);
            IScheduler s = TestBags.Scheduler(sync);
            if (all.Length == 0)
            {
                TestBags.Inner<InvalidOperationException>(() => b.Mean().Compute(s));
                TestBags.Inner<InvalidOperationException>(() => b.Var().Compute(s));
                return;
            }

            double mean = all.Average();
            double m2 = all.Sum(x => (x - mean) * (x - mean));
            Assert.Equal(mean, b.Mean().Compute(s), 1e-9);
            Assert.Equal(m2 / all.Length, b.Var().Compute(s), 1e-9);
            Assert.Equal(Math.Sqrt(m2 / all.Length), b.Std().Compute(s), 1e-9);
            double sample = b.Var(ddof: 1).Compute(s);
            Assert.Equal(all.Length > 1 ? m2 / (all.Length - 1) : double.NaN, sample, 1e-9);
            Assert.Equal(TestBags.All(chunks).Average(), TestBags.Of(chunks).Mean().Compute(s), 1e-9);
        });

    [Fact]
    public void AnyAll_MatchLinq() =>
        Gen.Select(TestBags.Ints, Gen.Int[-35, 35]).Sample((input, t) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Assert.Equal(all.Length > 0, b.Any().Compute(s));
            Assert.Equal(all.Any(x => x > t), b.Any(x => x > t).Compute(s));
            Assert.Equal(all.All(x => x > t), b.All(x => x > t).Compute(s));
        });

    [Fact]
    public void Fold_MatchesAggregate() =>
        Gen.Select(TestBags.Ints, SplitEvery).Sample((input, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            if (all.Length > 0)
            {
                Assert.Equal(all.Aggregate(Math.Max), b.Fold(Math.Max, splitEvery).Compute(s));
                Assert.Equal(all.Aggregate((a, x) => a + x), b.Aggregate((a, x) => a + x).Compute(s));
            }
            else
            {
                Assert.Contains("Fold", TestBags.Inner<InvalidOperationException>(() => b.Fold(Math.Max).Compute(s)).Message, StringComparison.Ordinal);
            }

            Assert.Equal(all.Aggregate(0L, (a, x) => a + x), b.Fold(0L, (a, x) => a + x, (a, c) => a + c, splitEvery).Compute(s));
            Assert.Equal(
                all.ToHashSet().Order(),
                b.Fold(() => new HashSet<int>(), (set, x) => { set.Add(x); return set; }, (x, y) => { x.UnionWith(y); return x; }, splitEvery).Compute(s).Order());
        });

    [Fact]
    public void Fold_InitialIsUsedOncePerPartition()
    {
        // Dask: b = [0..4] * 3 in 3 partitions; b.fold(add) == 30; b.fold(add, initial=10) == 60.
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 5)), partitionSize: 5);
        Assert.Equal(30, b.Fold((a, x) => a + x).Compute());
        Assert.Equal(60, b.Fold(10, (a, x) => a + x, (a, c) => a + c).Compute());
        Assert.Equal(60, b.Aggregate(10, (a, x) => a + x, (a, c) => a + c).Compute());
    }

    [Fact]
    public void Distinct_KeepsFirstOccurrenceOrder() =>
        Gen.Select(TestBags.Ints, SplitEvery).Sample((input, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Assert.Equal(all.Distinct(), b.Distinct(splitEvery).Compute(s));
            Assert.Equal(all.DistinctBy(x => x % 5), b.DistinctBy(x => x % 5, splitEvery).Compute(s));
            Assert.Equal(1, b.Distinct().PartitionCount);
        });

    [Fact]
    public void TopK_MatchesOrderByDescendingTake() =>
        Gen.Select(TestBags.Ints, Gen.Int[0, 8], SplitEvery).Sample((input, k, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Assert.Equal(all.OrderDescending().Take(k), b.TopK(k, splitEvery).Compute(s));
            // Ties (equal keys) keep input order, as a stable sort does.
            Assert.Equal(all.Select((x, i) => (x, i)).OrderByDescending(p => p.x / 4).Take(k), b.Select((x) => x).ToIndexed(all).TopK(k, p => p.x / 4, splitEvery).Compute(s));
        });

    [Fact]
    public void Frequencies_MatchesGroupByCount() =>
        Gen.Select(TestBags.Ints, SplitEvery).Sample((input, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist).Select(x => x % 7);
            IScheduler s = TestBags.Scheduler(sync);
            var expected = all.Select(x => x % 7).GroupBy(x => x).Select(g => KeyValuePair.Create(g.Key, g.LongCount())).ToArray();
            Assert.Equal(expected, b.Frequencies(splitEvery: splitEvery).Compute(s));
            Assert.Equal(expected.OrderByDescending(kv => kv.Value), b.Frequencies(sort: true, splitEvery).Compute(s));
        });

    [Fact]
    public void Frequencies_DaskCases()
    {
        Assert.Equal(
            [KeyValuePair.Create("b", 3L), KeyValuePair.Create("c", 2L), KeyValuePair.Create("a", 1L)],
            Bag.FromSequence(["a", "b", "b", "b", "c", "c"]).Frequencies(sort: true).Compute());
        Assert.Empty(Bag.Range(0, 20, 10).Where(x => x > 100).Frequencies().Compute());
        Assert.Contains("null", TestBags.Inner<InvalidOperationException>(() => Bag.FromSequence(new[] { "a", null! }).Frequencies().Compute()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FoldBy_MatchesGroupByAggregate() =>
        Gen.Select(TestBags.Ints, SplitEvery).Sample((input, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            var expected = all.GroupBy(x => x % 3 == 0).Select(g => KeyValuePair.Create(g.Key, g.Aggregate(0L, (a, x) => a + x))).ToArray();
            Assert.Equal(expected, b.FoldBy(x => x % 3 == 0, 0L, (a, x) => a + x, (a, c) => a + c, splitEvery).Compute(s));
            Assert.Equal(expected, b.FoldBy(x => x % 3 == 0, 0L, (a, x) => a + x, (a, c) => a + c, 0L, splitEvery).Compute(s));
            Assert.Equal(
                all.GroupBy(x => x % 4).Select(g => KeyValuePair.Create(g.Key, g.Count())),
                b.FoldBy(x => x % 4, () => new List<int>(), (l, x) => { l.Add(x); return l; }, (l, r) => { l.AddRange(r); return l; }, splitEvery)
                    .Compute(s).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Count)));
        });

    [Fact]
    public void FoldBy_DaskCase_EvenAndOdd()
    {
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 5)), partitionSize: 5);
        Assert.Equal(
            new Dictionary<bool, int> { [true] = 18, [false] = 12 },
            b.FoldBy(x => x % 2 == 0, 0, (a, x) => a + x, (a, c) => a + c).Compute().ToDictionary());
    }

    [Fact]
    public void Take_ReadsOnlyThePartitionsItNeeds()
    {
        int[] calls = new int[4];
        Bag<int> b = Bag.Range(0, 40, 4).Select(x => { Interlocked.Increment(ref calls[x / 10]); return x; });
        Assert.Equal(Enumerable.Range(0, 12), b.Take(12));
        Assert.Equal([10, 2, 0, 0], calls);
        Assert.Equal(Enumerable.Range(0, 40), b.Take(100));
        Assert.Empty(b.Take(0));
        TestBags.Ints.Sample((chunks, sync, persist) =>
            Assert.Equal(TestBags.All(chunks).Take(5), TestBags.Of(chunks, persist).Take(5, TestBags.Scheduler(sync))));
    }
}

internal static class IndexedBags
{
    /// <summary>Pairs each element with its index in the whole input (for checking tie order).</summary>
    public static Bag<(int x, int i)> ToIndexed(this Bag<int> bag, int[] all)
    {
        int[][] parts = [.. bag.ToDelayed().Select(d => d.Compute(Schedulers.Sync).ToArray())];
        var chunks = new (int, int)[parts.Length][];
        int at = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            chunks[p] = [.. parts[p].Select(x => (x, at++))];
        }

        Assert.Equal(all.Length, at);
        return TestBags.Of(chunks);
    }
}
