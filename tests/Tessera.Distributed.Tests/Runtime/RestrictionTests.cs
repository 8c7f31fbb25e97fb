using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>Worker and resource restrictions (Dask's <c>workers=</c>, <c>allow_other_workers=</c>, <c>resources=</c>) on an in-process cluster of w0 and w1.</summary>
public sealed class RestrictionTests : InMemoryClusterTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Submit_WithResources_RunsOnlyWhereTheyAre_AndHoldsThemWhileRunning()
    {
        await using WorkerServer gpu = await StartWorkerAsync("gpu", threads: 2, new Dictionary<string, double> { ["GPU"] = 1 });
        string id = Guid.NewGuid().ToString("N");
        var futures = new List<Future<string>>();
        for (long i = 0; i < 6; i++)
        {
            futures.Add(Client.Submit(TrackConcurrency, id, i, resources: new Dictionary<string, double> { ["GPU"] = 1 }));
        }

        string[] ranOn = await Client.GatherAsync(futures).WaitAsync(s_limit);
        Assert.All(ranOn, w => Assert.Equal("gpu", w));
        Assert.Equal(1, MaxConcurrency(id));
        DisposeAll(futures);
    }

    [Fact]
    public async Task Map_WithResources_SharesTheWorkersUnitsBetweenTasks()
    {
        await using WorkerServer gpu = await StartWorkerAsync("gpu", threads: 4, new Dictionary<string, double> { ["GPU"] = 2 });
        string id = Guid.NewGuid().ToString("N");
        IReadOnlyList<Future<string>> futures = Client.Map(TrackConcurrency, Enumerable.Repeat(id, 12), Enumerable.Range(0, 12).Select(i => (long)i), resources: new Dictionary<string, double> { ["GPU"] = 1 });
        Assert.All(await Client.GatherAsync(futures).WaitAsync(s_limit), w => Assert.Equal("gpu", w));
        Assert.InRange(MaxConcurrency(id), 1, 2);
        DisposeAll(futures);
    }

    [Fact]
    public async Task Submit_WithWorkers_RunsOnTheWorkerNamedByNameOrAddress()
    {
        using Future<string> byName = Client.Submit(WorkerName, 1L, workers: ["w1"]);
        using Future<string> byAddress = Client.Submit(WorkerName, 2L, workers: [Cluster.Workers[0].Address]);
        Assert.Equal("w1", await byName.ResultAsync().WaitAsync(s_limit));
        Assert.Equal("w0", await byAddress.ResultAsync().WaitAsync(s_limit));
    }

    [Fact]
    public async Task Submit_NoValidWorker_StaysNoWorkerUntilOneJoins()
    {
        using Future<string> tpu = Client.Submit(WorkerName, 3L, resources: new Dictionary<string, double> { ["TPU"] = 1 });
        using Future<string> named = Client.Submit(WorkerName, 4L, workers: ["tpu"]);
        await WaitUntil(
            () => Cluster.Scheduler.Query(s => s.Tasks.TryGetValue(tpu.Key, out SchedulerTask? a) && a.State == TaskStateKind.NoWorker
                && s.Tasks.TryGetValue(named.Key, out SchedulerTask? b) && b.State == TaskStateKind.NoWorker),
            "both tasks waiting for a worker");
        Assert.Equal(FutureStatus.Pending, tpu.Status);

        await using WorkerServer joined = await StartWorkerAsync("tpu", threads: 1, new Dictionary<string, double> { ["TPU"] = 1 });
        Assert.Equal("tpu", await tpu.ResultAsync().WaitAsync(s_limit));
        Assert.Equal("tpu", await named.ResultAsync().WaitAsync(s_limit));
    }

    [Fact]
    public async Task Submit_AllowOtherWorkers_RunsElsewhereWhenTheNamedWorkersAreAbsent()
    {
        using Future<string> loose = Client.Submit(WorkerName, 5L, workers: ["absent"], allowOtherWorkers: true);
        Assert.Contains(await loose.ResultAsync().WaitAsync(s_limit), new[] { "w0", "w1" });
        using Future<string> preferred = Client.Submit(WorkerName, 6L, workers: ["w1"], allowOtherWorkers: true);
        Assert.Equal("w1", await preferred.ResultAsync().WaitAsync(s_limit));
    }

    [Fact]
    public void Submit_BadRestrictions_Throw()
    {
        Assert.Throws<ArgumentException>(() => Client.Submit(WorkerName, 7L, allowOtherWorkers: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.Submit(WorkerName, 8L, resources: new Dictionary<string, double> { ["GPU"] = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.Submit(WorkerName, 9L, resources: new Dictionary<string, double> { ["GPU"] = double.NaN }));
    }

    [Theory]
    [InlineData("GPU=2,MEM=10e9", new[] { "GPU", "MEM" }, new[] { 2.0, 10e9 })]
    [InlineData(" GPU=1  FPGA=0.5 ", new[] { "GPU", "FPGA" }, new[] { 1.0, 0.5 })]
    [InlineData("", new string[0], new double[0])]
    public void ParseResources_ReadsNameEqualsAmountLists(string text, string[] names, double[] amounts)
    {
        IReadOnlyDictionary<string, double> parsed = WorkerOptions.ParseResources(text);
        Assert.Equal(names.Zip(amounts).ToDictionary(p => p.First, p => p.Second), parsed);
    }

    [Theory]
    [InlineData("GPU")]
    [InlineData("GPU=x")]
    [InlineData("=2")]
    [InlineData("GPU=-1")]
    public void ParseResources_Malformed_ThrowsNamingTheEntry(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => WorkerOptions.ParseResources(text));
        Assert.Contains(text.Trim(), e.Message, StringComparison.Ordinal);
    }

    private async Task<WorkerServer> StartWorkerAsync(string name, int threads, Dictionary<string, double> resources)
    {
        WorkerServer w = await WorkerServer.StartAsync(InMemoryNetwork.Instance, TestSerializers.Create(), Cluster.Scheduler.Address, "memory://0", threads, name, resources: resources);
        await WaitUntil(() => Cluster.Scheduler.WorkerCount == Cluster.Workers.Length + 1, $"worker {name} joining");
        return w;
    }
}
