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
    public async Task CategoriesDatesTransformAndJson_OnWorkerProcesses_ComputeLikeTheLocalScheduler()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        List<TestData.Row> rows = TestData.Rows(2000, seed: 8, keys: 12);
        DataFrame df = TestData.Frame(rows, 4);
        Series at = (df["id"] * 86_400_000_000L).AsType(DType.Timestamp);
        DataFrame typed = df.Assign("cat", df["name"].AsType(DType.Category))
            .Assign("day", at.AsType(DType.Date))
            .Assign("span", at - new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        DataFrame perCategory = typed.GroupBy("cat").Agg(new Dictionary<string, Aggregation[]> { ["x"] = [Aggregation.Sum], ["day"] = [Aggregation.Max], ["span"] = [Aggregation.Min] });
        DataFrame centered = typed.GroupBy("cat")["x", "id"].Transform(CenterX);
        DataFrame applied = typed.GroupBy("cat")["x", "id"].Apply(CenterX);
        string dir = Path.Combine(Path.GetTempPath(), "tessera-df-dist-json-" + Guid.NewGuid().ToString("N"));
        try
        {
            _ = typed.ToJson(dir);
            DataFrame json = DataFrame.ReadJson(dir, new IO.JsonOptions { BlockSize = 20_000, DTypes = new Dictionary<string, DType> { ["span"] = DType.Duration } });
            Table expectedAgg = perCategory.Compute(Schedulers.Sync);
            Table expectedCentered = centered.Compute(Schedulers.Sync);
            Table expectedJson = json.Compute(Schedulers.Sync);
            Table expectedApplied = applied.Compute(Schedulers.Sync);

            await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true).WaitAsync(TimeSpan.FromMinutes(2), ct);
            await using Client client = await Client.ConnectAsync(cluster).WaitAsync(TimeSpan.FromMinutes(1), ct);
            Assert.Equal(expectedAgg.ToRows(), (await perCategory.ComputeAsync(client, ct).WaitAsync(TimeSpan.FromMinutes(2), ct)).ToRows());
            Assert.Equal(expectedCentered.ToRows(), (await centered.ComputeAsync(client, ct).WaitAsync(TimeSpan.FromMinutes(2), ct)).ToRows());
            Assert.Equal(expectedJson.ToRows(), (await json.ComputeAsync(client, ct).WaitAsync(TimeSpan.FromMinutes(2), ct)).ToRows());
            Assert.Equal(expectedApplied.ToRows(), (await applied.ComputeAsync(client, ct).WaitAsync(TimeSpan.FromMinutes(2), ct)).ToRows());
            Assert.Equal(typed.Compute(Schedulers.Sync).ToRows(), expectedJson.ToRows());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Table CenterX(Table group)
    {
        double?[] x = group.GetDoubles("x");
        double mean = x.Length == 0 ? 0 : x.Average(v => v!.Value);
        return Table.FromColumns(("id", group.GetInt64s("id").Select(v => v!.Value).ToArray()), ("dx", x.Select(v => v!.Value - mean).ToArray()));
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
