using Tessera.Collections;
using Tessera.Distributed;
using Tessera.Distributed.Serialization;
using Tessera.Scheduling;

namespace Tessera.DataFrames.Tests;

/// <summary>
/// Connecting a client makes it the process's default scheduler, so these tests must not run beside
/// others that compute with the default scheduler.
/// </summary>
[CollectionDefinition(nameof(DistributedTests), DisableParallelization = true)]
public sealed class DistributedTestsDefinition;

[Collection(nameof(DistributedTests))]
public sealed class DistributedTests
{
    [Fact]
    public void TableSerializer_RoundTripsThroughTheWireSerializer()
    {
        Table t = TestData.ToTable(TestData.Rows(500)).WithIndexForTests("id");
        var serializer = new TesseraSerializer();
        Table back = (Table)serializer.DeserializeValue(serializer.SerializeValue(t))!;
        Assert.Equal(t.IndexNames, back.IndexNames);
        Assert.Equal(t.ToRows(), back.ToRows());
    }

    [Fact]
    public async Task LocalClusterWithWorkerProcesses_ComputesLikeTheLocalScheduler()
    {
        List<TestData.Row> rows = TestData.Rows(3000, seed: 3, keys: 40);
        DataFrame df = TestData.Frame(rows, 6);
        DataFrame agg = df[df["x"] > 0.2].GroupBy("name").Agg(
            new Dictionary<string, Aggregation[]> { ["x"] = [Aggregation.Sum, Aggregation.Mean], ["y"] = [Aggregation.Std, Aggregation.Count] },
            splitEvery: 2);
        Series z = (df["x"] * 2) - df["y"];
        Table expected = agg.Compute(Schedulers.Sync);
        double expectedSum = (double)z.Sum().Compute(Schedulers.Sync);

        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        Table actual = await agg.ComputeAsync(client, TestContext.Current.CancellationToken);
        Assert.Equal(expected.ToRows(), actual.ToRows());
        Assert.Equal(expectedSum, (double)await z.Sum().ComputeAsync(client, TestContext.Current.CancellationToken), 9);
        Assert.Equal(rows.Count(r => r.X > 0.2), await df[df["x"] > 0.2].Len().ComputeAsync(client, TestContext.Current.CancellationToken));

        // A CSV read with a pushed-down filter and projection: the read runs inside the fused task on a worker.
        string dir = Path.Combine(Path.GetTempPath(), "tessera-df-dist-" + Guid.NewGuid().ToString("N"));
        try
        {
            df.ToCsv(dir);
            DataFrame csv = DataFrame.ReadCsv(dir);
            DataFrame filtered = csv[(csv["x"] > 0.2) & (csv["name"] != "n3")]["id", "y"];
            Assert.Contains("filter", filtered.Explain(), StringComparison.Ordinal);
            Table local = filtered.Compute(Schedulers.Sync);
            Assert.Equal(rows.Count(r => r.X > 0.2 && r.Name != "n3"), local.RowCount);
            Assert.Equal(local.ToRows(), (await filtered.ComputeAsync(client, TestContext.Current.CancellationToken)).ToRows());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task BagToDataFrame_OnWorkerProcesses_ComputesLikeTheLocalScheduler()
    {
        int minAge = 20;  // captured: the closures travel to the workers
        Bags.Bag<System.Text.Json.Nodes.JsonObject> people = Bags.Bag.Range(0, 400, 5)
            .Select(i => System.Text.Json.Nodes.JsonNode.Parse($"{{\"name\":\"n{i % 9}\",\"age\":{i % 70}}}")!.AsObject())
            .Where(o => (int)o["age"]! > minAge);
        DataFrame df = people.ToDataFrame([("name", DType.String), ("age", DType.Int64)]);
        Table expected = df.Compute(Schedulers.Sync);

        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        Table actual = await df.ComputeAsync(client, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        Assert.Equal(expected.ToRows(), actual.ToRows());
        Assert.Equal(Enumerable.Range(0, 400).Count(i => i % 70 > minAge), actual.RowCount);
    }
}
