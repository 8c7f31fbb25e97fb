using System.Text.Json;

namespace Tessera.Bags.Tests;

/// <summary>The examples of docs/bags.md and the README, as written there.</summary>
public sealed class DocsExamplesTests
{
    public sealed record Person(string Name, int Age, string City);

    [Fact]
    public void CreatingBags()
    {
        Bag<int> numbers = Bag.FromSequence(Enumerable.Range(0, 1000), partitionCount: 4);
        Bag<int> range = Bag.Range(0, 1000, partitionCount: 4);
        long sum = numbers.Sum().Compute();
        IReadOnlyList<int> evens = range.Where(x => x % 2 == 0).Compute();
        Assert.Equal(499500, sum);
        Assert.Equal(500, evens.Count);
    }

    [Fact]
    public void TextAndJsonFiles()
    {
        using var temp = new TempDirectory();
        string dir = temp.Path;
        File.WriteAllLines(Path.Combine(dir, "a.txt"), ["the quick brown fox", "jumps over", "the lazy dog"]);
        File.WriteAllLines(Path.Combine(dir, "p.jsonl"), [
            JsonSerializer.Serialize(new Person("ann", 31, "oslo"), JsonSerializerOptions.Web),
            "{ broken",
            JsonSerializer.Serialize(new Person("bob", 12, "rome"), JsonSerializerOptions.Web),
        ]);

        Bag<string> lines = Bag.ReadText(Path.Combine(dir, "*.txt"), blockSize: 1 << 20);
        long words = lines.Str.Split().Flatten().Count().Compute();
        Assert.Equal(9, words);

        var top = Bag.ReadText(Path.Combine(dir, "*.txt"))
                     .Str.Split().Flatten()
                     .Frequencies()
                     .TopK(10, kv => kv.Value)
                     .Compute();
        Assert.Equal(KeyValuePair.Create("the", 2L), top[0]);

        Bag<Person> people = Bag.ReadJsonLines<Person>(Path.Combine(dir, "*.jsonl"), out Delayed<long> skipped);
        var (adults, bad) = Delayed.Compute(people.Where(p => p.Age >= 18).Count(), skipped);
        Assert.Equal(1, adults);
        Assert.Equal(1, bad);
    }

    [Fact]
    public void Reductions()
    {
        Bag<int> b = Bag.FromSequence(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 5)), partitionSize: 5);
        int folded = b.Fold(10, (acc, x) => acc + x, (a, c) => a + c).Compute();
        var byParity = b.FoldBy(x => x % 2 == 0, 0, (acc, x) => acc + x, (a, c) => a + c).Compute();
        var top3 = b.Frequencies(sort: true).TopK(3, kv => kv.Key).Compute();
        var distinct = b.Distinct().Compute();
        var groups = b.GroupBy(x => x % 2 == 0 ? "even" : "odd").Compute();
        Assert.Equal(60, folded);
        Assert.Equal([KeyValuePair.Create(true, 18), KeyValuePair.Create(false, 12)], byParity);
        Assert.Equal([KeyValuePair.Create(4, 3L), KeyValuePair.Create(3, 3L), KeyValuePair.Create(2, 3L)], top3);
        Assert.Equal([0, 1, 2, 3, 4], distinct);
        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public void OrderDependentOperations()
    {
        Bag<int> n = Bag.Range(1, 6, partitionCount: 3);
        var running = n.Accumulate((a, x) => a + x).Compute();
        var fromTen = n.Accumulate(10L, (a, x) => a + x).Compute();
        var pairs = n.Zip(n.Select(x => x * x)).Compute();
        var odd = n.Remove(x => x % 2 == 0).Compute();
        var sample = n.RandomSample(0.5, seed: 42).Compute();
        int count = n.Reduction(p => p.Count, counts => counts.Sum(), splitEvery: 2).Compute();
        Assert.Equal([1, 3, 6, 10, 15, 21], running);
        Assert.Equal([10L, 11, 13, 16, 20, 25, 31], fromTen);
        Assert.Equal([(1, 1), (2, 4), (3, 9), (4, 16), (5, 25), (6, 36)], pairs);
        Assert.Equal([1, 3, 5], odd);
        Assert.Equal(sample, n.RandomSample(0.5, seed: 42).Compute(Tessera.Scheduling.Schedulers.Sync));
        Assert.Equal(6, count);
    }
}
