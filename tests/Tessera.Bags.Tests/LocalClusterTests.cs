using Tessera.Distributed;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

/// <summary>One LocalCluster with two worker processes, shared by the tests of <see cref="LocalClusterTests"/>.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public Client Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        Client = await Client.ConnectAsync(Cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>The client becomes the process's default scheduler, so these tests run alone.</summary>
[CollectionDefinition(nameof(LocalClusterGroup), DisableParallelization = true)]
public sealed class LocalClusterGroup : ICollectionFixture<ClusterFixture>;

[Collection(nameof(LocalClusterGroup))]
public sealed class LocalClusterTests(ClusterFixture fixture)
{
    private readonly Client _client = fixture.Client;

    [Fact]
    public void WordCountAndJsonPipelines_OnWorkerProcesses_GiveTheLocalAnswer()
    {
        using var dir = new TempDirectory();
        for (int f = 0; f < 3; f++)
        {
            File.WriteAllLines(dir.File($"t{f}.txt"), Enumerable.Range(0, 2000).Select(i => $"w{i % 13} x{(i * f) % 7}  w{i % 3}"));
            File.WriteAllLines(dir.File($"j{f}.jsonl"), Enumerable.Range(0, 1000).Select(i => $"{{\"name\":\"n{(i * (f + 1)) % 11}\",\"age\":{i % 60}}}"));
        }

        Bag<KeyValuePair<string, long>> words = Bag.ReadText(dir.File("t*.txt"), blockSize: 9000).Str.Split().Flatten().Frequencies().TopK(5, kv => kv.Value);
        Assert.Equal(words.Compute(Schedulers.Sync), words.Compute(_client));

        int minAge = 30;  // a captured variable travels with the closure
        Bag<KeyValuePair<string, long>> names = Bag.ReadJsonLines<TextInputTests.Person>(dir.File("j*.jsonl"))
            .Where(p => p.Age > minAge).Select(p => p.Name).Frequencies(sort: true).TopK(4, kv => kv.Value);
        Assert.Equal(names.Compute(Schedulers.Sync), names.Compute(_client));
        Bag<string> plucked = Bag.ReadText(dir.File("j*.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).Where(o => (int)o["age"]! > minAge).Pluck<string>("name");
        Assert.Equal(plucked.Compute(Schedulers.Sync), plucked.Compute(_client));
    }

    [Fact]
    public void ReductionsAndShuffles_OnWorkerProcesses_GiveTheLocalAnswer()
    {
        int offset = 3;
        Bag<int> b = Bag.Range(0, 5000, 7).Select(x => (x * 31) % 1000 + offset);
        Assert.Equal(b.Sum().Compute(Schedulers.Sync), b.Sum().Compute(_client));
        Assert.Equal(b.Var().Compute(Schedulers.Sync), b.Var().Compute(_client), 1e-9);
        Assert.Equal(b.Distinct().Compute(Schedulers.Sync), b.Distinct().Compute(_client));
        Assert.Equal(
            b.FoldBy(x => x % 10, 0L, (a, x) => a + x, (a, c) => a + c).Compute(Schedulers.Sync),
            b.FoldBy(x => x % 10, 0L, (a, x) => a + x, (a, c) => a + c).Compute(_client));

        // String keys hash the same in both worker processes: one group per key.
        var groups = b.GroupBy(x => x % 2 == 0 ? "even" : "odd", partitionCount: 4).Compute(_client);
        Assert.Equal(2, groups.Count);
        Assert.Equal(
            b.GroupBy(x => x % 2 == 0 ? "even" : "odd", partitionCount: 4).Compute(Schedulers.Sync).Select(g => (g.Key, g.Value.ToArray())),
            groups.Select(g => (g.Key, g.Value.ToArray())));
        Assert.Equal(b.Repartition(3).Compute(Schedulers.Sync), b.Repartition(3).Compute(_client));
        Assert.Equal(b.Select((x, max) => max - x, b.Max()).Compute(Schedulers.Sync), b.Select((x, max) => max - x, b.Max()).Compute(_client));
    }

    [Fact]
    public void ScansSamplesZipsAndCustomReductions_OnWorkerProcesses_GiveTheLocalAnswer()
    {
        Bag<int> b = Bag.Range(0, 3000, 6).Select(x => (x * 17) % 101);
        Bag<long> scan = b.Accumulate(5L, (a, x) => (a * 3 + x) % 1_000_003);
        Assert.Equal(scan.Compute(Schedulers.Sync), scan.Compute(_client));
        Bag<int> sample = b.RandomSample(0.3, seed: 7);
        Assert.Equal(sample.Compute(Schedulers.Sync), sample.Compute(_client));
        Bag<(int First, string Second)> zipped = b.Remove(x => x % 3 == 0).Zip(b.Remove(x => x % 3 == 0).Select(x => "v" + x));
        Assert.Equal(zipped.Compute(Schedulers.Sync), zipped.Compute(_client));
        Delayed<int[]> ordered = b.Reduction(p => p.ToArray(), parts => parts.SelectMany(x => x).ToArray(), splitEvery: 2);
        Assert.Equal(ordered.Compute(Schedulers.Sync), ordered.Compute(_client));
    }

    [Fact]
    public void DocsExample_ClientIsTheDefaultScheduler()
    {
        using var temp = new TempDirectory();
        string dir = temp.Path;
        File.WriteAllLines(Path.Combine(dir, "p.jsonl"), Enumerable.Range(0, 100).Select(i => $"{{\"name\":\"n{i % 7}\",\"age\":{i},\"city\":\"c\"}}"));
        int minAge = 30;
        var names = Bag.ReadJsonLines<DocsExamplesTests.Person>(Path.Combine(dir, "*.jsonl"))
                       .Where(p => p.Age > minAge).Select(p => p.Name)
                       .Frequencies().TopK(10, kv => kv.Value)
                       .Compute();
        Assert.Same(_client, Schedulers.Default);
        Assert.Equal(69, names.Sum(kv => kv.Value));
    }

    [Fact]
    public void FailingFunction_OnAWorker_ReportsTheTaskKey()
    {
        Bag<int> b = Bag.Range(0, 10, 2).Select(x => x == 7 ? throw new InvalidOperationException("seven") : x);
        Assert.DoesNotContain(Environment.ProcessId, Bag.Range(0, 8, 4).Select(_ => Environment.ProcessId).Compute(_client));
        TaskFailedException e = Assert.Throws<TaskFailedException>(() => b.Compute(_client));
        Assert.Equal(b.PartKeys[1], e.Key);
        Assert.Contains("seven", e.InnerException!.Message, StringComparison.Ordinal);
    }
}
