using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

[Collection(nameof(DashboardClusters))]
public sealed class DashboardApiTests
{
    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.Clone();
    }

    private static HttpClient HttpFor(LocalCluster cluster) => new() { BaseAddress = new Uri(cluster.DashboardAddress!, "/") };

    [Fact]
    public async Task StatusWorkersAndTasks_DescribeTheClusterAfterAGraphRan()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        Assert.Equal("/status", cluster.DashboardAddress!.AbsolutePath);
        Assert.Equal("127.0.0.1", cluster.DashboardAddress.Host);
        await using Client client = await Client.ConnectAsync(cluster);
        (IReadOnlyList<Future<long>> incs, Future<long> total) = await DashboardCluster.RunGraphAsync(client, 60);
        using HttpClient http = HttpFor(cluster);

        JsonElement status = await GetJsonAsync(http, "/api/v1/status");
        Assert.Equal(cluster.SchedulerAddress, status.GetProperty("address").GetString());
        Assert.Equal(2, status.GetProperty("workers").GetArrayLength());
        Assert.Equal(61, status.GetProperty("tasks").GetProperty("memory").GetInt32());
        Assert.Equal(61, status.GetProperty("tasks").GetProperty("total").GetInt32());
        Assert.True(status.GetProperty("tasksFinished").GetInt64() >= 61);
        Assert.True(status.GetProperty("eventLoopLatencySeconds").GetDouble() >= 0);
        JsonElement[] prefixes = [.. status.GetProperty("prefixes").EnumerateArray()];
        JsonElement inc = Assert.Single(prefixes, p => p.GetProperty("prefix").GetString() == incs[0].Key.Prefix);
        Assert.Equal(60, inc.GetProperty("counts").GetProperty("memory").GetInt32());
        Assert.Contains(prefixes, p => p.GetProperty("prefix").GetString() == total.Key.Prefix);

        JsonElement workers = await GetJsonAsync(http, "/api/v1/workers");
        Assert.Equal(2, workers.GetArrayLength());
        foreach (JsonElement w in workers.EnumerateArray())
        {
            Assert.Equal(2, w.GetProperty("threads").GetInt32());
            Assert.StartsWith("local-", w.GetProperty("name").GetString(), StringComparison.Ordinal);
            Assert.True(w.GetProperty("lastSeenSecondsAgo").GetDouble() < 30);
        }

        JsonElement tasks = await GetJsonAsync(http, "/api/v1/tasks");
        Assert.Equal(61, tasks.GetProperty("tasks").GetProperty("total").GetInt32());
        Assert.Equal(2, tasks.GetProperty("prefixes").GetArrayLength());
    }

    [Fact]
    public async Task TaskStream_HoldsOneRecordPerRun_OnTheWorkersThreads_AndPagesBySequence()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        (IReadOnlyList<Future<long>> incs, _) = await DashboardCluster.RunGraphAsync(client, 40);
        using HttpClient http = HttpFor(cluster);

        JsonElement stream = await GetJsonAsync(http, "/api/v1/task-stream");
        JsonElement[] records = [.. stream.GetProperty("records").EnumerateArray()];
        Assert.Equal(41, records.Length);
        Assert.Equal(records[^1].GetProperty("sequence").GetInt64(), stream.GetProperty("next").GetInt64());
        string[] workers = [.. (await GetJsonAsync(http, "/api/v1/workers")).EnumerateArray().Select(w => w.GetProperty("address").GetString()!)];
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        foreach (JsonElement r in records)
        {
            Assert.Contains(r.GetProperty("worker").GetString(), workers);
            Assert.InRange(r.GetProperty("thread").GetInt32(), 0, 1);
            double start = r.GetProperty("start").GetDouble(), stop = r.GetProperty("stop").GetDouble();
            Assert.True(start <= stop && stop <= now + 1 && stop > now - 60, $"start {start}, stop {stop}, now {now}");
        }

        Assert.Equal(40, records.Count(r => r.GetProperty("prefix").GetString() == incs[0].Key.Prefix));
        Assert.Contains(records, r => r.GetProperty("key").GetString() == incs[0].Key.ToString());

        // Paging: after the last sequence number there is nothing new; a limit keeps the newest.
        JsonElement after = await GetJsonAsync(http, $"/api/v1/task-stream?since={stream.GetProperty("next").GetInt64()}");
        Assert.Equal(0, after.GetProperty("records").GetArrayLength());
        JsonElement newest = await GetJsonAsync(http, "/api/v1/task-stream?limit=5");
        Assert.Equal(records.TakeLast(5).Select(r => r.GetProperty("sequence").GetInt64()), newest.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task Metrics_ArePrometheusText_WithTasksWorkersBytesAndLatency()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        _ = await DashboardCluster.RunGraphAsync(client, 30);
        using HttpClient http = HttpFor(cluster);

        using HttpResponseMessage response = await http.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("tessera_scheduler_workers 2", lines);
        Assert.Contains("tessera_scheduler_tasks{state=\"memory\"} 31", lines);
        Assert.Contains("tessera_scheduler_tasks{state=\"erred\"} 0", lines);
        Assert.Contains("# TYPE tessera_scheduler_tasks_finished_total counter", lines);
        Assert.Contains(lines, l => l.StartsWith("tessera_scheduler_event_loop_latency_seconds ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("tessera_scheduler_stored_bytes ", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.StartsWith("tessera_worker_stored_bytes{worker=", StringComparison.Ordinal)));

        // Every sample line is NAME{LABELS} VALUE with a number.
        foreach (string line in lines.Where(l => !l.StartsWith('#')))
        {
            string value = line[(line.LastIndexOf(' ') + 1)..];
            Assert.True(double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _), line);
        }
    }

    [Theory]
    [InlineData("/nothing-here")]
    [InlineData("/api/v1/nothing")]
    [InlineData("/static/secret.txt")]
    [InlineData("/static/../../etc/passwd")]
    public async Task UnknownRoutes_Are404_WithoutAStackTrace(string path)
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 1);
        using HttpClient http = HttpFor(cluster);
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PagesAndStaticFiles_AreServed_AndRootRedirectsToStatus()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 1);
        using HttpClient http = HttpFor(cluster);
        foreach ((string path, string type) in new[] { ("/status", "text/html"), ("/workers", "text/html"), ("/static/dashboard.js", "text/javascript"), ("/static/dashboard.css", "text/css") })
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        }

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = http.BaseAddress };
        using HttpResponseMessage root = await noRedirect.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/status", root.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Events_PushAnUpdatePerInterval_WithStatusAndNewTaskStreamRecords()
    {
        await using LocalCluster cluster = await DashboardCluster.StartAsync(updateInterval: TimeSpan.FromMilliseconds(100));
        await using Client client = await Client.ConnectAsync(cluster);
        _ = await DashboardCluster.RunGraphAsync(client, 20);
        using HttpClient http = HttpFor(cluster);
        using HttpResponseMessage response = await http.GetAsync(new Uri("/api/v1/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var updates = new List<JsonElement>();
        while (updates.Count < 3)
        {
            string? line = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
            Assert.NotNull(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using JsonDocument doc = JsonDocument.Parse(line["data: ".Length..]);
                updates.Add(doc.RootElement.Clone());
            }
        }

        Assert.All(updates, u => Assert.Equal(2, u.GetProperty("status").GetProperty("workers").GetArrayLength()));
        Assert.Equal(21, updates[0].GetProperty("taskStream").GetProperty("records").GetArrayLength());
        Assert.Equal(0, updates[1].GetProperty("taskStream").GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task PortInUse_TheDashboardStartsOnAFreePort_AndSaysSo()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int taken = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions
        {
            Address = "memory://dashboard-port-test",
            Dashboard = DashboardServer.Factory(new DashboardOptions { Address = $"127.0.0.1:{taken}" }),
        });
        Assert.NotNull(scheduler.Dashboard);
        Assert.NotEqual(taken, scheduler.Dashboard.Address.Port);
        Assert.Contains($"{taken} is already in use", scheduler.Dashboard.Notice, StringComparison.Ordinal);
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(scheduler.DashboardAddress, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Monitor_SharesOneSnapshotWithinTheInterval()
    {
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions { Address = "memory://dashboard-monitor-test" });
        scheduler.Monitor.MinimumInterval = TimeSpan.FromSeconds(10);
        SchedulerSnapshot[] snapshots = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => scheduler.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken)));
        Assert.All(snapshots, s => Assert.Same(snapshots[0], s));
        Assert.Same(snapshots[0], await scheduler.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken));
        scheduler.Monitor.MinimumInterval = TimeSpan.Zero;
        Assert.NotSame(snapshots[0], await scheduler.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("127.0.0.1:8787", "127.0.0.1", 8787)]
    [InlineData(":9000", "127.0.0.1", 9000)]
    [InlineData("0", "127.0.0.1", 0)]
    [InlineData("http://0.0.0.0:8788/", "0.0.0.0", 8788)]
    [InlineData("localhost:1234", "127.0.0.1", 1234)]
    [InlineData("[::1]:8787", "::1", 8787)]
    public void ParseAddress_ReadsTheAcceptedForms(string address, string host, int port)
    {
        IPEndPoint endpoint = DashboardOptions.ParseAddress(address);
        Assert.Equal(IPAddress.Parse(host), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("host.example:8787")]
    [InlineData(":99999")]
    public void ParseAddress_RefusesOtherForms(string address) =>
        Assert.Throws<FormatException>(() => DashboardOptions.ParseAddress(address));

    private static Process StartTesseraScheduler(params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll"), "scheduler", "--port", "0" }.Concat(options))
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task TesseraScheduler_WithNoDashboard_PrintsNoDashboardLine()
    {
        using Process process = StartTesseraScheduler("--no-dashboard");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.StartsWith("Scheduler at tcp://", line, StringComparison.Ordinal);

            // The dashboard line would follow at once; none comes.
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            quiet.CancelAfter(TimeSpan.FromSeconds(3));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await process.StandardOutput.ReadLineAsync(quiet.Token));
            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task TesseraScheduler_PrintsTheDashboardAddress_AndServesIt()
    {
        using Process process = StartTesseraScheduler("--dashboard-address", ":0");
        try
        {
            string? dashboardLine = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (dashboardLine is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                dashboardLine = line.StartsWith("Dashboard at ", StringComparison.Ordinal) ? line : null;
            }

            Assert.NotNull(dashboardLine);
            Assert.Matches(@"^Dashboard at http://127\.0\.0\.1:\d+/status$", dashboardLine);
            using var http = new HttpClient();
            string page = await http.GetStringAsync(new Uri(dashboardLine["Dashboard at ".Length..]), TestContext.Current.CancellationToken);
            Assert.Contains("task-stream", page, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
