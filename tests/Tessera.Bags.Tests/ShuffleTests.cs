using CsCheck;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class ShuffleTests
{
    [Fact]
    public void GroupBy_MatchesLinqGroupBy() =>
        Gen.Select(TestBags.Ints, Gen.Int[1, 5]).Sample((input, partitions) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<KeyValuePair<int, IReadOnlyList<int>>> groups = TestBags.Of(chunks, persist).GroupBy(x => x % 5, partitions);
            Assert.Equal(partitions, groups.PartitionCount);
            var computed = groups.Compute(TestBags.Scheduler(sync));
            Assert.Equal(computed.Count, computed.Select(g => g.Key).Distinct().Count());
            Assert.Equal(
                all.GroupBy(x => x % 5).OrderBy(g => g.Key).Select(g => (g.Key, g.ToArray())),
                computed.OrderBy(g => g.Key).Select(g => (g.Key, g.Value.ToArray())));
        });

    [Fact]
    public void GroupBy_StringKeys_GivesOneGroupPerKey()
    {
        // Dask's process scheduler splits these groups because Python randomizes string hashes.
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 5)), partitionSize: 5);
        var groups = b.GroupBy(x => x % 2 == 0 ? "even" : "odd").Compute().ToDictionary(g => g.Key, g => g.Value.ToArray());
        Assert.Equal(2, groups.Count);
        Assert.Equal([0, 2, 4, 0, 2, 4, 0, 2, 4], groups["even"]);
        Assert.Equal([1, 3, 1, 3, 1, 3], groups["odd"]);
        Assert.Equal(3, b.GroupBy(x => x).PartitionCount);
        Assert.Equal(5, b.GroupBy(x => x, partitionCount: 1).Compute().Count);
    }

    [Fact]
    public void GroupBy_TupleAndRecordKeys_Work()
    {
        Bag<int> b = Bag.Range(0, 30, 4);
        Assert.Equal(6, b.GroupBy(x => (x % 2, x % 3)).Compute().Count);
        Assert.Equal(3, b.GroupBy(x => new Point(x % 3, 0)).Compute().Count);
        Assert.Single(b.GroupBy(x => x % 2 == 0 ? 0.0 : -0.0, partitionCount: 3).Compute());
    }

    [Fact]
    public void Repartition_KeepsElementsAndOrder() =>
        Gen.Select(TestBags.Ints, Gen.Int[1, 12]).Sample((input, n) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            Bag<int> r = TestBags.Of(chunks, persist).Select(x => x + 1).Repartition(n);
            Assert.Equal(n, r.PartitionCount);
            Assert.Equal(TestBags.All(chunks).Select(x => x + 1), r.Compute(TestBags.Scheduler(sync)));
        });

    [Fact]
    public void Repartition_SplitsEvenly()
    {
        int[] sizes = [.. Bag.Range(0, 12, 2).Repartition(4).ToDelayed().Select(d => d.Compute().Count)];
        Assert.Equal([3, 3, 3, 3], sizes);
        Assert.Equal([6, 6], Bag.Range(0, 12, 4).Repartition(2).ToDelayed().Select(d => d.Compute().Count));
    }

    [Fact]
    public void Product_GivesEveryPair() =>
        Gen.Select(TestBags.IntChunks, TestBags.IntChunks, Gen.Bool).Sample((a, b, sync) =>
        {
            Bag<(int, int)> p = TestBags.Of(a).Product(TestBags.Of(b).Select(x => x * 10));
            Assert.Equal(a.Length * b.Length, p.PartitionCount);
            var expected = TestBags.All(a).SelectMany(x => TestBags.All(b).Select(y => (x, y * 10))).Order();
            Assert.Equal(expected, p.Compute(TestBags.Scheduler(sync)).Order());
        });

    [Fact]
    public void Product_DaskCase()
    {
        Bag<(int, int)> p = Bag.FromSequence([1, 2, 3, 4]).Product(Bag.FromSequence([10, 20, 30]));
        Assert.Equal(12, p.PartitionCount);
        Assert.Equal(12, p.Compute(Schedulers.Sync).Distinct().Count());
    }

    private sealed record Point(int X, int Y);
}
