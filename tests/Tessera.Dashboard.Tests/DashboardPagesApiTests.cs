using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Tessera.Distributed;
using Tessera.Distributed.Scheduler;

namespace Tessera.Dashboard.Tests;

/// <summary>The JSON routes behind the Graph, Info and Profile pages, the graph layout, and the scheduler's meter.</summary>
[Collection(nameof(DashboardClusters))]
public sealed class DashboardPagesApiTests
{
    private static async Task<JsonElement> GetJsonAsync(LocalCluster cluster, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(cluster.DashboardAddress!, "/") };
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Graph_HasEveryTaskWithItsStateDependenciesAndDepth()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long>> prefixes = await DashboardCluster.RunThreePrefixGraphAsync(client, 20);
        IReadOnlyList<Future<long>> chain = await DashboardCluster.RunChainAsync(client, 5);

        JsonElement g = await GetJsonAsync(cluster, "/api/v1/graph");
        Assert.False(g.GetProperty("summarized").GetBoolean());
        Assert.Equal(20 + 20 + 1 + 5, g.GetProperty("taskCount").GetInt32());
        JsonElement[] nodes = [.. g.GetProperty("nodes").EnumerateArray()];
        Assert.Equal(46, nodes.Length);
        Assert.All(nodes, n => Assert.Equal("memory", n.GetProperty("state").GetString()));
        Dictionary<string, JsonElement> byKey = nodes.ToDictionary(n => n.GetProperty("key").GetString()!, StringComparer.Ordinal);

        // The chain's i-th task sits at depth i; the incs at 0, the doubles (each on one inc) at 1, the total (no future argument) at 0.
        for (int i = 0; i < chain.Count; i++)
        {
            Assert.Equal(i, byKey[chain[i].Key.ToString()].GetProperty("layer").GetInt32());
        }

        string inc = prefixes[0].Key.Prefix, dbl = prefixes[1].Key.Prefix;
        Assert.All(nodes.Where(n => n.GetProperty("prefix").GetString() == dbl), n => Assert.Equal(1, n.GetProperty("layer").GetInt32()));
        Assert.Equal(0, byKey[prefixes[2].Key.ToString()].GetProperty("layer").GetInt32());
        Assert.Equal(5, g.GetProperty("layers").GetInt32());

        // Edges: 20 inc -> double, 4 along the chain; positions within a layer are distinct.
        int[][] edges = [.. g.GetProperty("edges").EnumerateArray().Select(e => e.EnumerateArray().Select(x => x.GetInt32()).ToArray())];
        Assert.Equal(24, edges.Length);
        Assert.Equal(20, edges.Count(e => nodes[e[0]].GetProperty("prefix").GetString() == inc && nodes[e[1]].GetProperty("prefix").GetString() == dbl));
        Assert.All(nodes.GroupBy(n => n.GetProperty("layer").GetInt32()), layer => Assert.Equal(layer.Count(), layer.Select(n => n.GetProperty("position").GetInt32()).Distinct().Count()));
        JsonElement prefixEdge = Assert.Single(g.GetProperty("prefixEdges").EnumerateArray(), e => e.GetProperty("from").GetString() == inc && e.GetProperty("to").GetString() == dbl);
        Assert.Equal(20, prefixEdge.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Graph_AboveTheLimit_IsSummarizedByPrefix_AsTheSnapshotCountsIt()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long>> prefixes = await DashboardCluster.RunThreePrefixGraphAsync(client, 30);
        cluster.Monitor.GraphTaskLimit = 60;

        JsonElement g = await GetJsonAsync(cluster, "/api/v1/graph");
        Assert.True(g.GetProperty("summarized").GetBoolean());
        Assert.Equal(61, g.GetProperty("taskCount").GetInt32());
        Assert.Equal(0, g.GetProperty("nodes").GetArrayLength());
        SchedulerSnapshot snapshot = await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken);
        Dictionary<string, int> expected = snapshot.Prefixes.ToDictionary(p => p.Prefix, p => p.Counts.Memory, StringComparer.Ordinal);
        Dictionary<string, int> actual = g.GetProperty("prefixes").EnumerateArray().ToDictionary(p => p.GetProperty("prefix").GetString()!, p => p.GetProperty("counts").GetProperty("memory").GetInt32(), StringComparer.Ordinal);
        Assert.Equal(expected, actual);
        Assert.Equal([30, 30, 1], prefixes.Select(f => actual[f.Key.Prefix]));
        JsonElement edge = Assert.Single(g.GetProperty("prefixEdges").EnumerateArray());
        Assert.Equal((prefixes[0].Key.Prefix, prefixes[1].Key.Prefix, 30), (edge.GetProperty("from").GetString(), edge.GetProperty("to").GetString(), edge.GetProperty("count").GetInt32()));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.Monitor.GraphTaskLimit = -1);
    }

    [Fact]
    public void Layers_AreTheLongestDependencyPath_OnRandomGraphs()
    {
        var random = new Random(8);
        for (int round = 0; round < 20; round++)
        {
            int n = random.Next(1, 200);
            var tasks = new GraphTask[n];
            for (int i = 0; i < n; i++)
            {
                // Dependencies point at lower indexes only, so the graph has no cycle; the order of the array is shuffled below.
                int[] deps = [.. Enumerable.Range(0, random.Next(0, Math.Min(i, 4) + 1)).Select(_ => random.Next(0, i)).Distinct()];
                tasks[i] = new GraphTask($"t-{i}", "t", TaskStateKind.Memory, deps);
            }

            int[] layers = GraphLayout.Layers(tasks);

            // Oracle: the depth by recursion over the definition.
            var depth = new int?[n];
            int Depth(int i) => depth[i] ??= tasks[i].Dependencies.Count == 0 ? 0 : 1 + tasks[i].Dependencies.Max(Depth);
            Assert.Equal(Enumerable.Range(0, n).Select(Depth), layers);
        }
    }

    [Fact]
    public async Task Info_HasTheSchedulerConfiguration_TheWorkers_AndTheLog()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2, threadsPerWorker: 3);
        await using Client client = await Client.ConnectAsync(cluster);
        await DashboardCluster.RunGraphAsync(client, 5);

        JsonElement info = await GetJsonAsync(cluster, "/api/v1/info");
        JsonElement s = info.GetProperty("scheduler");
        Assert.Equal(cluster.SchedulerAddress, s.GetProperty("address").GetString());
        Assert.Equal(1.1, s.GetProperty("workerSaturation").GetDouble());
        Assert.Equal(3, s.GetProperty("allowedFailures").GetInt32());
        Assert.Equal(Environment.ProcessId, s.GetProperty("processId").GetInt32());
        Assert.Equal(2000, s.GetProperty("graphTaskLimit").GetInt32());
        Assert.All(info.GetProperty("workers").EnumerateArray(), w => Assert.Equal(3, w.GetProperty("threads").GetInt32()));
        Assert.Equal(2, info.GetProperty("workers").GetArrayLength());

        string[] log = [.. info.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()!)];
        Assert.StartsWith($"Scheduler at {cluster.SchedulerAddress}", log[0], StringComparison.Ordinal);
        Assert.Equal(2, log.Count(l => l.StartsWith("Worker ", StringComparison.Ordinal) && l.Contains(" registered (3 threads", StringComparison.Ordinal)));
        long[] sequence = [.. info.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("sequence").GetInt64())];
        Assert.Equal(sequence.Order(), sequence);

        JsonElement limited = await GetJsonAsync(cluster, "/api/v1/info?logs=1");
        Assert.Equal(log[^1], Assert.Single(limited.GetProperty("logs").EnumerateArray()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Info_LogsAFailedTask_AsAWarning()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 1);
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<long> bad = client.Submit(Fail, 1L);
        await Assert.ThrowsAnyAsync<Exception>(async () => await bad);
        SchedulerLogEntry line = Assert.Single(cluster.Monitor.GetLogs(), l => l.Level == SchedulerLogLevel.Warning && l.Source == "scheduler");
        Assert.Contains($"Task {bad.Key} erred", line.Message, StringComparison.Ordinal);
        Assert.Contains("no such value", line.Message, StringComparison.Ordinal);

        // The worker's own line comes with its next heartbeat (every second), and shows on the info route.
        string worker = Assert.Single((await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken)).Workers).Address;
        SchedulerLogEntry? fromWorker = null;
        for (var watch = System.Diagnostics.Stopwatch.StartNew(); fromWorker is null && watch.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(100, TestContext.Current.CancellationToken))
        {
            fromWorker = cluster.Monitor.GetLogs().FirstOrDefault(l => l.Source == worker);
        }

        Assert.NotNull(fromWorker);
        Assert.Equal(SchedulerLogLevel.Warning, fromWorker.Level);
        Assert.Equal($"Task {bad.Key} failed: System.InvalidOperationException: no such value: 1", fromWorker.Message);
        JsonElement logs = (await GetJsonAsync(cluster, "/api/v1/info")).GetProperty("logs");
        Assert.Contains(logs.EnumerateArray(), l => l.GetProperty("source").GetString() == worker && l.GetProperty("message").GetString() == fromWorker.Message);
    }

    private static long Fail(long x) => throw new InvalidOperationException($"no such value: {x}");

    [Fact]
    public async Task Profile_SumsTheTaskStreamByPrefixAndWorker()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        _ = await DashboardCluster.RunThreePrefixGraphAsync(client, 25);

        JsonElement p = await GetJsonAsync(cluster, "/api/v1/profile");
        // Task runs only: the doubles' inputs may have moved between the workers (transfer records).
        TaskStreamRecord[] records = [.. cluster.Monitor.GetTaskStream().Where(r => r.Kind == TaskStreamKind.Compute)];
        Assert.Equal(records.Length, p.GetProperty("records").GetInt32());
        JsonElement[] prefixes = [.. p.GetProperty("prefixes").EnumerateArray()];
        Assert.Equal(records.Select(r => r.Prefix).Distinct().Count(), prefixes.Length);
        foreach (JsonElement x in prefixes)
        {
            TaskStreamRecord[] runs = [.. records.Where(r => r.Prefix == x.GetProperty("prefix").GetString())];
            Assert.Equal(runs.Length, x.GetProperty("count").GetInt32());
            Assert.Equal(runs.Sum(r => r.Stop - r.Start), x.GetProperty("totalSeconds").GetDouble(), 9);
            Assert.Equal(runs.Max(r => r.Stop - r.Start), x.GetProperty("maxSeconds").GetDouble(), 9);
            Assert.Equal(runs.Length, x.GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("count").GetInt32()));
        }

        double[] totals = [.. prefixes.Select(x => x.GetProperty("totalSeconds").GetDouble())];
        Assert.Equal(totals.OrderDescending(), totals);
        Assert.Equal(records.Length, p.GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task ClientGetTaskStream_OverTheProtocol_MatchesTheMonitor_AndPagesOn()
    {
        // Over tcp: the request and the records travel encoded.
        await using SchedulerHost cluster = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "tcp://127.0.0.1:0" }, TestContext.Current.CancellationToken);
        await using WorkerHost worker = await WorkerHost.StartAsync(cluster.Address, new WorkerOptions { Threads = 2 }, TestContext.Current.CancellationToken);
        await using Client client = await Client.ConnectAsync(cluster.Address);
        IReadOnlyList<Future<long>> futures = await DashboardCluster.RunThreePrefixGraphAsync(client, 15);

        IReadOnlyList<TaskStreamRecord> remote = await client.GetTaskStreamAsync(cancellationToken: TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(cluster.Monitor.GetTaskStream(), remote);
        Assert.Equal([15, 15, 1], futures.Select(f => remote.Count(r => r.Prefix == f.Key.Prefix)));
        Assert.All(remote, r => Assert.True(r.Start <= r.Stop && r.Thread is >= 0 and < 2, r.ToString()));

        IReadOnlyList<TaskStreamRecord> lastTwo = await client.GetTaskStreamAsync(0, 2, TestContext.Current.CancellationToken);
        Assert.Equal(remote.TakeLast(2), lastTwo);
        using Future<long> more = client.Submit(DashboardCluster.Inc, 1_000L);
        Assert.Equal(1_001L, await more);
        TaskStreamRecord next = Assert.Single(await client.GetTaskStreamAsync(remote[^1].Sequence, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(more.Key.ToString(), next.Key);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetTaskStreamAsync(-1, cancellationToken: TestContext.Current.CancellationToken));
    }

    private static long Add(long a, long b) => a + b;

    [Fact]
    public async Task Transfers_CountTheInputAWorkerFetched_InTheWorkersRouteAndTheMetrics()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2, threadsPerWorker: 1);
        await using Client client = await Client.ConnectAsync(cluster);
        string[] workers = [.. (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Keys.Order(StringComparer.Ordinal)];
        using Future<long> a = client.Submit(DashboardCluster.Inc, 10L, workers: [workers[0]]);
        using Future<long> b = client.Submit(DashboardCluster.Inc, 20L, workers: [workers[1]]);
        using Future<long> sum = client.Submit(Add, a, b);
        Assert.Equal(32L, await sum);

        // Workers report transfers with their heartbeats (every second): one of the two inputs moved.
        JsonElement[] seen = [];
        for (var watch = System.Diagnostics.Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(200, TestContext.Current.CancellationToken))
        {
            seen = [.. (await GetJsonAsync(cluster, "/api/v1/workers")).EnumerateArray()];
            if (seen.Sum(w => w.GetProperty("keysIn").GetInt64()) > 0 && seen.Sum(w => w.GetProperty("keysOut").GetInt64()) > 0)
            {
                break;
            }
        }

        Assert.Equal(1, seen.Sum(w => w.GetProperty("keysIn").GetInt64()));
        JsonElement fetcher = Assert.Single(seen, w => w.GetProperty("keysIn").GetInt64() == 1);
        long bytesIn = fetcher.GetProperty("bytesIn").GetInt64();
        Assert.True(bytesIn > 0);

        // The other worker sent that input (and maybe results to the client): at least as many bytes out.
        JsonElement sender = Assert.Single(seen, w => w.GetProperty("address").GetString() != fetcher.GetProperty("address").GetString());
        Assert.True(sender.GetProperty("bytesOut").GetInt64() >= bytesIn);

        using var http = new HttpClient { BaseAddress = new Uri(cluster.DashboardAddress!, "/") };
        string[] lines = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken)).Split('\n');
        Assert.Contains("# TYPE tessera_scheduler_transfers_total counter", lines);
        Assert.Contains("tessera_scheduler_transfers_total 1", lines);
        Assert.Contains($"tessera_scheduler_transferred_bytes_total {bytesIn}", lines);
        Assert.Contains($"tessera_worker_transfer_in_bytes_total{{worker=\"{fetcher.GetProperty("address").GetString()}\"}} {bytesIn}", lines);
    }

    [Fact]
    public async Task Meter_ReportsTheSnapshot_ToAnyMeterListener()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2, threadsPerWorker: 2);
        await using Client client = await Client.ConnectAsync(cluster);
        _ = await DashboardCluster.RunGraphAsync(client, 12);
        SchedulerSnapshot snapshot = await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken);

        var seen = new List<(string Name, double Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == cluster.Monitor.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Add((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(SchedulerMonitor.MeterName, cluster.Monitor.Meter.Name);
        Assert.Contains(cluster.Monitor.Meter.Tags!, t => t.Key == "tessera.scheduler.address" && (string?)t.Value == cluster.SchedulerAddress);
        Assert.Contains(("tessera.scheduler.workers", 2.0, ""), seen);
        Assert.Contains(("tessera.scheduler.worker_threads", 4.0, ""), seen);
        Assert.Contains(("tessera.scheduler.tasks", (double)snapshot.Tasks.Memory, "state=memory"), seen);
        Assert.Contains(seen, m => m.Name == "tessera.scheduler.tasks.finished" && m.Value >= 13);
        Assert.Contains(seen, m => m.Name == "tessera.scheduler.event_loop.latency" && m.Value >= 0);
        Assert.Equal(2, seen.Count(m => m.Name == "tessera.worker.stored"));
    }

    [Fact]
    public async Task Metrics_NameEveryInstrument_AsPrometheusExpects()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long>> futures = await DashboardCluster.RunThreePrefixGraphAsync(client, 10);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.DashboardAddress!, "/") };
        string text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in new[]
        {
            "tessera_scheduler_tasks", "tessera_scheduler_tasks_finished_total", "tessera_scheduler_tasks_erred_total", "tessera_scheduler_workers",
            "tessera_scheduler_clients", "tessera_scheduler_worker_threads", "tessera_scheduler_stored_bytes", "tessera_scheduler_event_loop_latency_seconds",
            "tessera_worker_stored_bytes", "tessera_worker_memory_bytes", "tessera_worker_processing_tasks", "tessera_prefix_tasks",
        })
        {
            Assert.Single(lines, l => l.StartsWith($"# TYPE {name} ", StringComparison.Ordinal));
        }

        Assert.Contains("# TYPE tessera_scheduler_tasks_erred_total counter", lines);
        Assert.Contains($"tessera_prefix_tasks{{prefix=\"{futures[1].Key.Prefix}\",state=\"memory\"}} 10", lines);
        SchedulerSnapshot snapshot = await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"tessera_scheduler_clients {snapshot.Clients}", lines);
    }
}
