using CsCheck;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class BagTests
{
    [Fact]
    public void FromSequence_PartitionCount_UsesCeilingSizedPartitions()
    {
        Bag<int> b = Bag.FromSequence([1, 2, 3, 4, 5], partitionCount: 3);
        Assert.Equal(3, b.PartitionCount);
        Assert.Equal([[1, 2], [3, 4], [5]], b.ToDelayed().Select(d => d.Compute(Schedulers.Sync).ToArray()));
        Assert.Equal([1, 2, 3, 4, 5], b.Compute());
    }

    [Fact]
    public void FromSequence_Defaults_FollowDask()
    {
        Assert.Equal(1, Bag.FromSequence(Array.Empty<int>()).PartitionCount);
        Assert.Empty(Bag.FromSequence(Array.Empty<int>()).Compute());
        Assert.Equal(100, Bag.FromSequence(Enumerable.Range(0, 100)).PartitionCount);
        // 10,000 elements: ceil(sqrt(10000) / 10) = 10 per partition.
        Assert.Equal(1000, Bag.FromSequence(Enumerable.Range(0, 10_000)).PartitionCount);
        Assert.Equal(4, Bag.FromSequence(Enumerable.Range(0, 10), partitionSize: 3).PartitionCount);
    }

    [Fact]
    public void FromSequence_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bag.FromSequence([1], partitionSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bag.FromSequence([1], partitionCount: 0));
        Assert.Throws<ArgumentException>(() => Bag.FromSequence([1], partitionSize: 1, partitionCount: 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(28)]
    public void Range_GivesThePartitionsAndElementsInOrder(int partitions)
    {
        Bag<int> b = Bag.Range(0, 100, partitions);
        Assert.Equal(partitions, b.PartitionCount);
        Assert.Equal(Enumerable.Range(0, 100), b.Compute());
        Assert.Equal(Enumerable.Range(5, 3), Bag.Range(5, 3, 2).Compute(Schedulers.Sync));
    }

    [Fact]
    public void FromDelayed_UsesEachLazyValueAsAPartition()
    {
        var make = Delayed.Of<int, int[]>(n => [.. Enumerable.Range(0, n)]);
        Bag<int> b = Bag.FromDelayed([make(2), make(3)]);
        Assert.Equal(2, b.PartitionCount);
        Assert.Equal([0, 1, 0, 1, 2], b.Select(x => x * 10).Compute().Select(x => x / 10));
        Bag<int> lists = Bag.FromDelayed([Delayed.Value(new List<int> { 4, 5 })]);
        Assert.Equal([4, 5], lists.Compute());
    }

    [Fact]
    public void Concat_AppendsPartitions()
    {
        Bag<int> a = Bag.FromSequence([1, 2], partitionCount: 2);
        Bag<int> b = Bag.Range(10, 3, 1);
        Bag<int> c = a.Concat(b.Select(x => x + 1));
        Assert.Equal(3, c.PartitionCount);
        Assert.Equal([1, 2, 11, 12, 13], c.Compute());
    }

    [Fact]
    public void Concat_OfBagsSharingLazyValues_DefinesEachKeyOnce()
    {
        var make = Delayed.Of<int, int[]>(n => [.. Enumerable.Range(0, n)], pure: true);
        Delayed<int[]> shared = make(3);
        Bag<int> a = Bag.FromDelayed([shared]);
        Bag<int> b = Bag.FromDelayed([make(2), shared]);
        Assert.Equal([0, 1, 2, 0, 1, 0, 1, 2], a.Concat(b).Compute());
        Assert.Equal(5, a.Product(b).Compute().Count(p => p.Item1 == p.Item2));
    }

    [Fact]
    public void Persist_ComputesOnceAndKeepsThePartKeys()
    {
        int calls = 0;
        Bag<int> b = Bag.Range(0, 10, 2).Select(x => { Interlocked.Increment(ref calls); return x * 2; });
        Bag<int> p = b.Persist();
        Assert.Equal(10, calls);
        Assert.Equal(b.PartKeys, p.PartKeys);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * 2), p.Compute());
        Assert.Equal(90, p.Sum().Compute());
        Assert.Equal(10, calls);
    }

    [Fact]
    public async Task ComputeAsync_AndTheCollectionProtocol_GiveTheSameElements()
    {
        Bag<int> b = Bag.Range(0, 20, 3).Where(x => x % 3 == 0);
        int[] expected = [.. Enumerable.Range(0, 20).Where(x => x % 3 == 0)];
        Assert.Equal(expected, await b.ComputeAsync(TestContext.Current.CancellationToken));
        Assert.Equal(expected, Tessera.Collections.CollectionExtensions.Compute(b, Schedulers.Sync));
        Assert.Equal(expected, b.ToDelayed().SelectMany(d => d.Compute()));
    }

    [Fact]
    public void ElementWiseChain_IsFusedIntoOneTaskPerPartition()
    {
        Bag<string> b = Bag.Range(0, 100, 4).Select(x => x * 3).Where(x => x % 2 == 0).SelectMany(x => new[] { x, x + 1 }).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (TaskGraph graph, IReadOnlyList<Key> keys) = Tessera.Collections.CollectionExtensions.Prepare(b);
        Assert.Equal(4, keys.Count);
        // The range tasks are literal-free calls; the four partitions each run the whole chain in one task.
        Assert.Equal(8, graph.Count);
        Assert.Equal(
            Enumerable.Range(0, 100).Select(x => x * 3).Where(x => x % 2 == 0).SelectMany(x => new[] { x, x + 1 }).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            b.Compute());
    }

    [Fact]
    public void Keys_AreDeterministic()
    {
        Assert.Equal(Bag.Range(0, 10, 2).Select(Double).PartKeys, Bag.Range(0, 10, 2).Select(Double).PartKeys);
        Assert.NotEqual(Bag.Range(0, 10, 2).Select(Double).PartKeys, Bag.Range(0, 11, 2).Select(Double).PartKeys);
    }

    [Fact]
    public void FailingFunction_SurfacesWithTheTaskKey()
    {
        Bag<int> b = Bag.Range(0, 10, 2).Select(x => x == 7 ? throw new InvalidOperationException("seven") : x);
        TaskFailedException e = Assert.Throws<TaskFailedException>(() => b.Compute(Schedulers.Sync));
        Assert.Equal(b.PartKeys[1], e.Key);
        Assert.Equal("seven", Assert.IsType<InvalidOperationException>(e.InnerException).Message);
    }

    [Fact]
    public void RandomPartitionings_ComputeToTheConcatenatedInput()
    {
        TestBags.Ints.Sample((chunks, sync, persist) =>
            Assert.Equal(TestBags.All(chunks), TestBags.Of(chunks, persist).Compute(TestBags.Scheduler(sync))));
    }

    private static int Double(int x) => 2 * x;
}
