using System.Text.Json.Nodes;
using CsCheck;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class ElementwiseTests
{
    [Fact]
    public void Select_MatchesLinq() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
            Assert.Equal(TestBags.All(chunks).Select(x => (x * 7) - 1), TestBags.Of(chunks, persist).Select(x => (x * 7) - 1).Compute(TestBags.Scheduler(sync))));

    [Fact]
    public void Where_MatchesLinq() =>
        Gen.Select(TestBags.Ints, Gen.Int[-5, 5]).Sample((input, threshold) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            Assert.Equal(TestBags.All(chunks).Where(x => x > threshold), TestBags.Of(chunks, persist).Where(x => x > threshold).Compute(TestBags.Scheduler(sync)));
        });

    [Fact]
    public void SelectMany_MatchesLinq() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
            Assert.Equal(
                TestBags.All(chunks).SelectMany(x => Enumerable.Repeat(x, Math.Abs(x) % 3)),
                TestBags.Of(chunks, persist).SelectMany(x => Enumerable.Repeat(x, Math.Abs(x) % 3)).Compute(TestBags.Scheduler(sync))));

    [Fact]
    public void Chains_MatchLinq() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
            Assert.Equal(
                TestBags.All(chunks).Where(x => x % 2 == 0).Select(x => (x, x * x)).SelectMany(t => new[] { t.x, t.Item2 }).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                TestBags.Of(chunks, persist).Where(x => x % 2 == 0).Select(x => (x, x * x)).SelectMany(t => new[] { t.x, t.Item2 })
                    .Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Compute(TestBags.Scheduler(sync))));

    [Fact]
    public void Flatten_MatchesSelectMany()
    {
        int[][] rows = [[1, 2], [], [3]];
        Assert.Equal([1, 2, 3], Bag.FromSequence(rows, partitionSize: 2).Flatten().Compute());
        Assert.Equal([1, 2, 3], Bag.FromSequence(rows.Select(r => r.ToList()), partitionSize: 2).Flatten().Compute());
        Assert.Equal([1, 2, 3], Bag.FromSequence(rows.Select(r => (IReadOnlyList<int>)r)).Flatten().Compute());
        Assert.Equal([1, 2, 3], Bag.FromSequence(rows.Select(r => r.AsEnumerable())).Flatten().Compute());
    }

    [Fact]
    public void MapPartitions_SeesWholePartitions()
    {
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 15), partitionSize: 5);
        Assert.Equal([5, 5, 5], b.MapPartitions(p => new[] { p.Count }).Compute());
        Assert.Equal(Enumerable.Range(0, 15).Reverse().Chunk(5).Reverse().SelectMany(c => c), b.MapPartitions(p => p.Reverse()).Compute());
    }

    [Fact]
    public void Select_WithLazyArgument_ComputesItOnceAndPassesIt()
    {
        Bag<int> b = Bag.FromSequence([3, 1, 4, 1, 5], partitionCount: 2);
        Assert.Equal([2, 4, 1, 4, 0], b.Select((x, max) => max - x, b.Max()).Compute());
        Assert.Equal([13, 11, 14, 11, 15], b.Select((x, c) => x + c, Delayed.Value(10)).Compute(Schedulers.Sync));
    }

    [Fact]
    public void StarMap_UnpacksTuples()
    {
        (int, int)[] pairs = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)];
        Assert.Equal([3, 7, 11, 15, 19], Bag.FromSequence(pairs, partitionCount: 2).StarMap((a, b) => a + b).Compute());
        Assert.Equal([13, 17, 21, 25, 29], Bag.FromSequence(pairs, partitionCount: 2).StarMap((a, b) => a + b + 10).Compute());
        Assert.Equal(["a1x"], Bag.FromSequence([("a", 1, 'x')]).StarMap((a, b, c) => $"{a}{b}{c}").Compute());
    }

    [Fact]
    public void Join_MatchesLinqJoin() =>
        Gen.Select(TestBags.Ints, Gen.Int[-10, 10].Array[0, 12]).Sample((input, inner) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            Assert.Equal(
                TestBags.All(chunks).Join(inner, x => x % 4, y => y % 4, (x, y) => (x, y)),
                TestBags.Of(chunks, persist).Join(inner, x => x % 4, y => y % 4, (x, y) => (x, y)).Compute(TestBags.Scheduler(sync)));
        });

    [Fact]
    public void Join_DaskCase_PairsOddWithEven()
    {
        // b = [0..4] * 3; b.join([1, 2, 3], on_self=isodd, on_other=iseven) gives 24 pairs.
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 5)), partitionSize: 5);
        var pairs = b.Join([1, 2, 3], x => x % 2 == 1, y => y % 2 == 0, (self, other) => (other, self)).Compute();
        Assert.Equal(24, pairs.Count);
        Assert.Equal(6, pairs.Count(p => p.other == 2));
    }

    [Fact]
    public void Pluck_ByKey_ReadsJsonObjectsAndDictionaries()
    {
        JsonObject[] people = [new() { ["name"] = "ann", ["age"] = 31 }, new() { ["name"] = "bob", ["age"] = 25 }];
        Bag<JsonObject> b = Bag.FromSequence(people, partitionCount: 2);
        Assert.Equal(["ann", "bob"], b.Pluck<string>("name").Compute());
        Assert.Equal([31, 25], b.Pluck<int>("age").Compute());
        Assert.Equal([0, 0], b.Pluck("height", 0).Compute());

        Dictionary<string, object?>[] dicts = [new() { ["x"] = 1, ["y"] = "a" }, new() { ["x"] = 2L }];
        Assert.Equal([1L, 2L], Bag.FromSequence(dicts).Pluck<long>("x").Compute());
        Assert.Equal(["a", "none"], Bag.FromSequence(dicts).Pluck("y", "none").Compute());
        Assert.Equal([3, 4], Bag.FromSequence(new[] { new Dictionary<string, int> { ["k"] = 3 }, new() { ["k"] = 4 } }).Pluck<int>("k").Compute());
    }

    [Fact]
    public void Pluck_ByIndex_ReadsListsTuplesAndJsonArrays()
    {
        Assert.Equal([2, 5], Bag.FromSequence(new[] { new[] { 1, 2, 3 }, [4, 5, 6] }).Pluck<int>(1).Compute());
        Assert.Equal(["a", "b"], Bag.FromSequence(new[] { (1, "a"), (2, "b") }).Pluck<string>(1).Compute());
        Assert.Equal([1, -1], Bag.FromSequence(new[] { new List<int> { 0, 1 }, [] }).Pluck(1, -1).Compute());
        Assert.Equal([7], Bag.FromSequence(new[] { new JsonArray(6, 7) }).Pluck<int>(1).Compute());
    }

    [Fact]
    public void Pluck_MissingKey_NamesTheKeyAndWhereTheRecordCameFrom()
    {
        Bag<JsonObject> b = Bag.FromSequence([new JsonObject { ["name"] = "ann" }, new JsonObject { ["nam"] = "bob" }], partitionCount: 2);
        KeyNotFoundException e = TestBags.Inner<KeyNotFoundException>(() => b.Pluck<string>("name").Compute(Schedulers.Sync));
        Assert.Contains("key 'name'", e.Message, StringComparison.Ordinal);
        Assert.Contains("item 0 of partition 1 of from-sequence-", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"nam\":\"bob\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("no keys", TestBags.Inner<InvalidOperationException>(() => Bag.FromSequence([1]).Pluck<int>("x").Compute()).Message, StringComparison.Ordinal);
        Assert.Contains("index 2", TestBags.Inner<KeyNotFoundException>(() => Bag.FromSequence([new[] { 1 }]).Pluck<int>(2).Compute()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullArguments_AreRefusedWhenTheBagIsBuilt()
    {
        Bag<int> b = Bag.Range(0, 3, 1);
        Assert.Throws<ArgumentNullException>(() => b.Select<int>(null!));
        Assert.Throws<ArgumentNullException>(() => b.Where(null!));
        Assert.Throws<ArgumentNullException>(() => b.SelectMany<int>(null!));
        Assert.Throws<ArgumentNullException>(() => b.Pluck<int>(null!));
    }
}
