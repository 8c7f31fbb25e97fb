using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

/// <summary>
/// What workers report beyond task runs: CPU use per worker (the workers route and the metrics), and the
/// transfers and disk writes and reads that join the task stream (monitor, JSON route, client).
/// </summary>
[Collection(nameof(DashboardClusters))]
public sealed class DashboardStreamTests
{
    /// <summary>The length of the arrays the tests move: 100,000 doubles, 800,000 bytes and a few more serialized.</summary>
    internal const int Length = 100_000;

    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    internal static double[] Chunk(int seed)
    {
        var random = new Random(seed);
        var xs = new double[Length];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = random.NextDouble();
        }

        return xs;
    }

    internal static double SumBoth(double[] a, double[] b) => a.Sum() + b.Sum();

    // Busy for about `milliseconds` of wall time on its thread.
    private static long Spin(int milliseconds)
    {
        var watch = Stopwatch.StartNew();
        long n = 0;
        while (watch.ElapsedMilliseconds < milliseconds)
        {
            n++;
        }

        return n;
    }

    private static async Task<JsonElement> GetJsonAsync(Uri dashboard, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(dashboard, "/") };
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.Clone();
    }

    /// <summary>Polls the monitor's task stream until <paramref name="done"/> holds for it (the workers' events come with their heartbeats).</summary>
    internal static async Task<IReadOnlyList<TaskStreamRecord>> WaitForStreamAsync(SchedulerMonitor monitor, Func<IReadOnlyList<TaskStreamRecord>, bool> done)
    {
        IReadOnlyList<TaskStreamRecord> records = [];
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < s_limit; await Task.Delay(100, TestContext.Current.CancellationToken))
        {
            await monitor.GetSnapshotAsync(TestContext.Current.CancellationToken);
            records = monitor.GetTaskStream();
            if (done(records))
            {
                return records;
            }
        }

        Assert.Fail($"The task stream never got there; it holds {string.Join(", ", records.GroupBy(r => r.Kind).Select(g => $"{g.Count()} {g.Key}"))}.");
        return records;
    }

    /// <summary>Runs one 800 kB chunk on each of two workers, then a task on both: one of the chunks moves.</summary>
    internal static async Task<(Future<double[]> A, Future<double[]> B, Future<double> Sum)> RunCrossWorkerGraphAsync(Client client)
    {
        string[] workers = [.. (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Keys.Order(StringComparer.Ordinal)];
        Assert.Equal(2, workers.Length);
        Future<double[]> a = client.Submit(Chunk, 1, workers: [workers[0]]);
        Future<double[]> b = client.Submit(Chunk, 2, workers: [workers[1]]);
        Future<double> sum = client.Submit<double[], double[], double>(SumBoth, a, b);
        Assert.Equal(Chunk(1).Sum() + Chunk(2).Sum(), await sum.ResultAsync().WaitAsync(s_limit, TestContext.Current.CancellationToken), 9);
        return (a, b, sum);
    }

    [Fact]
    public async Task WorkersCpu_IsReported_AndRisesAboveZeroWhileACpuBoundGraphRuns()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2, threadsPerWorker: 1);
        await using Client client = await Client.ConnectAsync(cluster);

        // Before anything ran: the field is there on every worker, and never negative.
        JsonElement[] idle = [.. (await GetJsonAsync(cluster.DashboardAddress!, "/api/v1/workers")).EnumerateArray()];
        Assert.Equal(2, idle.Length);
        Assert.All(idle, w => Assert.True(w.GetProperty("cpuPercent").GetDouble() >= 0));
        Assert.All(idle, w => Assert.True(w.GetProperty("memoryBytes").GetInt64() >= 0));

        // Two tasks that keep a core busy for 4 seconds each: at least one heartbeat of each worker falls inside.
        Future<long>[] spinning = [.. Enumerable.Range(0, 2).Select(_ => client.Submit(Spin, 4_000))];
        double highest = 0;
        JsonElement[] busy = [];
        for (var watch = Stopwatch.StartNew(); highest <= 0 && watch.Elapsed < s_limit; await Task.Delay(200, TestContext.Current.CancellationToken))
        {
            busy = [.. (await GetJsonAsync(cluster.DashboardAddress!, "/api/v1/workers")).EnumerateArray()];
            highest = busy.Max(w => w.GetProperty("cpuPercent").GetDouble());
        }

        Assert.True(highest > 0, "no worker reported CPU use while its task spun");
        Assert.All(busy, w => Assert.True(w.GetProperty("cpuPercent").GetDouble() >= 0));
        Assert.All(busy, w => Assert.True(w.GetProperty("memoryBytes").GetInt64() > 0, "process memory comes with the first heartbeat"));
        Assert.All(await client.GatherAsync(spinning, TestContext.Current.CancellationToken), n => Assert.True(n > 0));

        // The metrics: one CPU gauge per worker, in percent, from the same snapshot's workers.
        using var http = new HttpClient { BaseAddress = new Uri(cluster.DashboardAddress!, "/") };
        string[] lines = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken)).Split('\n');
        Assert.Contains("# TYPE tessera_worker_cpu_percent gauge", lines);
        foreach (JsonElement w in busy)
        {
            string line = Assert.Single(lines, l => l.StartsWith($"tessera_worker_cpu_percent{{worker=\"{w.GetProperty("address").GetString()}\"}} ", StringComparison.Ordinal));
            Assert.True(double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 0);
        }

        Assert.Equal(2, lines.Count(l => l.StartsWith("tessera_worker_spilled_bytes{worker=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Transfers_JoinTheTaskStream_OnTheReceivingWorker_WithPeerAndBytes_OverTcp()
    {
        // Over tcp, so the heartbeats' events and the client's records travel encoded.
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(
            new SchedulerOptions { Address = "tcp://127.0.0.1:0", Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0" }) },
            TestContext.Current.CancellationToken);
        var workerOptions = new WorkerOptions { Threads = 1, HeartbeatInterval = TimeSpan.FromMilliseconds(200) };
        await using WorkerHost first = await WorkerHost.StartAsync(scheduler.Address, workerOptions, TestContext.Current.CancellationToken);
        await using WorkerHost second = await WorkerHost.StartAsync(scheduler.Address, workerOptions, TestContext.Current.CancellationToken);
        await using Client client = await Client.ConnectAsync(scheduler.Address);
        (Future<double[]> a, Future<double[]> b, Future<double> sum) = await RunCrossWorkerGraphAsync(client);

        IReadOnlyList<TaskStreamRecord> stream = await WaitForStreamAsync(scheduler.Monitor, s => s.Any(r => r.Kind == TaskStreamKind.Transfer));
        TaskStreamRecord run = Assert.Single(stream, r => r.Key == sum.Key.ToString());
        TaskStreamRecord transfer = Assert.Single(stream, r => r.Kind == TaskStreamKind.Transfer);

        // The worker that ran the sum fetched the chunk the other one made.
        string other = run.Worker == first.Address ? second.Address : first.Address;
        Assert.Equal(run.Worker, transfer.Worker);
        Assert.Equal(other, transfer.Peer);
        TaskStreamRecord made = Assert.Single(stream, r => r.Kind == TaskStreamKind.Compute && r.Worker == other && (r.Key == a.Key.ToString() || r.Key == b.Key.ToString()));
        Assert.Equal(made.Key, transfer.Key);
        Assert.Equal(made.Prefix, transfer.Prefix);
        Assert.Equal(1, transfer.KeyCount);
        Assert.InRange(transfer.Bytes, 8L * Length, (8L * Length) + 1_000);
        Assert.Equal(0, transfer.Thread);

        // On the scheduler's clock: the transfer ended before the sum started, give or take the messages'
        // travel (the transfer's times come with a heartbeat, the run's with its result: under load, the
        // two paths' delays differ by tens of milliseconds).
        Assert.True(transfer.Start <= transfer.Stop, transfer.ToString());
        Assert.True(transfer.Stop <= run.Start + 0.5, $"transfer {transfer.Start}..{transfer.Stop}, run {run.Start}..{run.Stop}");
        Assert.Equal(3, stream.Count(r => r.Kind == TaskStreamKind.Compute));

        // The JSON route names the kind; only the transfer carries peer, bytes and keys.
        JsonElement json = await GetJsonAsync(scheduler.Dashboard!.Address, "/api/v1/task-stream");
        JsonElement[] records = [.. json.GetProperty("records").EnumerateArray()];
        JsonElement moved = Assert.Single(records, r => r.GetProperty("kind").GetString() == "transfer");
        Assert.Equal((transfer.Sequence, other, transfer.Bytes, 1), (moved.GetProperty("sequence").GetInt64(), moved.GetProperty("peer").GetString(), moved.GetProperty("bytes").GetInt64(), moved.GetProperty("keys").GetInt32()));
        Assert.All(records.Where(r => r.GetProperty("kind").GetString() == "compute"), r => Assert.False(r.TryGetProperty("peer", out JsonElement _)));
        Assert.Equal(4, records.Length);

        // The client gets the same records, the kind included.
        IReadOnlyList<TaskStreamRecord> remote = await client.GetTaskStreamAsync(cancellationToken: TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
        Assert.Equal(scheduler.Monitor.GetTaskStream(), remote);
        Assert.Equal(transfer, Assert.Single(remote, r => r.Kind == TaskStreamKind.Transfer));
    }

    [Fact]
    public async Task Spills_JoinTheTaskStream_AsDiskWritesAndReads_AndTheWorkersReportTheirSpilledBytes()
    {
        const int Chunks = 10; // 8 MB in all, against a target of 0.6 of a 4 MB limit
        string directory = Path.Combine(Path.GetTempPath(), "tessera-dashboard-spill-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using LocalCluster cluster = await DashboardCluster.StartSpillingAsync(1, directory);
            await using Client client = await Client.ConnectAsync(cluster);
            Future<double[]>[] chunks = [.. Enumerable.Range(0, Chunks).Select(i => client.Submit(Chunk, i))];
            try
            {
                // Reading them all back from the client serves the spilled ones from their files: disk reads.
                double[][] values = await client.GatherAsync(chunks, TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken);
                Assert.Equal(Chunk(Chunks - 1), values[^1]);
                int files = Directory.EnumerateFiles(directory, "*.spill", SearchOption.AllDirectories).Count();
                Assert.True(files >= Chunks / 2, $"only {files} of {Chunks} chunks spilled");

                IReadOnlyList<TaskStreamRecord> stream = await WaitForStreamAsync(
                    cluster.Monitor, s => s.Where(r => r.Kind == TaskStreamKind.DiskWrite).Sum(r => r.KeyCount) >= files && s.Count(r => r.Kind == TaskStreamKind.DiskRead) >= files);
                TaskStreamRecord[] writes = [.. stream.Where(r => r.Kind == TaskStreamKind.DiskWrite)];
                TaskStreamRecord[] reads = [.. stream.Where(r => r.Kind == TaskStreamKind.DiskRead)];
                string worker = Assert.Single(cluster.Monitor.LatestSnapshot!.Workers).Address;

                // Every spill file was written once, and read once to send it to the client; each holds one chunk.
                Assert.Equal(files, writes.Sum(r => r.KeyCount));
                Assert.All(writes, r => Assert.InRange(r.Bytes, r.KeyCount * 8L * Length, r.KeyCount * ((8L * Length) + 1_000)));
                Assert.Equal(files, reads.Length);
                Assert.All(reads, r => Assert.InRange(r.Bytes, 8L * Length, (8L * Length) + 1_000));
                Assert.Equal(files, reads.Select(r => r.Key).Distinct().Count());
                Assert.All([.. writes, .. reads], r => Assert.True(r.Worker == worker && r.Peer is null && r.Start <= r.Stop, r.ToString()));
                HashSet<string> keys = [.. chunks.Select(c => c.Key.ToString())];
                Assert.All(reads, r => Assert.Contains(r.Key, keys));

                // The worker's heartbeat reports the bytes on disk: what it wrote (nothing was read back into memory).
                long spilled = writes.Sum(r => r.Bytes);
                JsonElement w = default;
                for (var watch = Stopwatch.StartNew(); watch.Elapsed < s_limit; await Task.Delay(100, TestContext.Current.CancellationToken))
                {
                    w = Assert.Single((await GetJsonAsync(cluster.DashboardAddress!, "/api/v1/workers")).EnumerateArray());
                    if (w.GetProperty("spilledBytes").GetInt64() == spilled)
                    {
                        break;
                    }
                }

                Assert.Equal(spilled, w.GetProperty("spilledBytes").GetInt64());
            }
            finally
            {
                foreach (Future<double[]> c in chunks)
                {
                    c.Dispose();
                }
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
