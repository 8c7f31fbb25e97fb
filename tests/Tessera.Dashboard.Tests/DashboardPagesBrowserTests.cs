using Microsoft.Playwright;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

/// <summary>The Graph, Info and Profile pages in Chromium, after a graph with three task prefixes and a chain ran.</summary>
[Collection(nameof(DashboardClusters))]
public sealed class DashboardPagesBrowserTests
{
    private static readonly PageWaitForFunctionOptions s_wait = new() { Timeout = 15_000 };

    [Fact]
    public async Task GraphPage_DrawsEveryTask_ColouredByState_AndSummarizesAboveTheLimit()
    {
        (IPlaywright playwright, IBrowser browser) = await DashboardBrowserTests.LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long>> prefixes = await DashboardCluster.RunThreePrefixGraphAsync(client, 40);
        IReadOnlyList<Future<long>> chain = await DashboardCluster.RunChainAsync(client, 6);
        int tasks = 40 + 40 + 1 + 6;

        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync(new Uri(cluster.DashboardAddress!, "/graph").ToString());
        await page.WaitForFunctionAsync($"document.querySelectorAll('circle.graph-node').length === {tasks}", null, s_wait);
        Assert.Equal(tasks, await page.Locator("circle.graph-node[data-state='memory']").CountAsync());
        Assert.Equal(40 + 6, await page.Locator($"circle.graph-node[data-prefix='{prefixes[0].Key.Prefix}']").CountAsync()); // the chain's tasks are incs too
        Assert.Equal(40, await page.Locator($"circle.graph-node[data-prefix='{prefixes[1].Key.Prefix}']").CountAsync());
        Assert.Equal(1, await page.Locator($"circle.graph-node[data-prefix='{prefixes[2].Key.Prefix}']").CountAsync());
        Assert.Equal("false", await page.EvaluateAsync<string>("document.body.dataset.graphSummarized"));
        await DashboardBrowserTests.SaveScreenshotAsync(page, "graph.png");

        // Above the limit the page shows the counts by prefix instead of the tasks.
        cluster.Monitor.GraphTaskLimit = 10;
        await page.WaitForFunctionAsync("document.body.dataset.graphSummarized === 'true'", null, s_wait);
        Assert.Equal(0, await page.Locator("circle.graph-node").CountAsync());
        foreach (Future<long> f in prefixes)
        {
            Assert.Equal(1, await page.Locator($"#graph-prefixes tr.graph-prefix[data-prefix='{f.Key.Prefix}']").CountAsync());
        }

        string doubles = (await page.Locator($"#graph-prefixes tr.graph-prefix[data-prefix='{prefixes[1].Key.Prefix}'] td:nth-child(2)").TextContentAsync())!;
        Assert.Equal("40", doubles);
        Assert.Equal(6, chain.Count);
        await DashboardBrowserTests.SaveScreenshotAsync(page, "graph-summary.png");
    }

    [Fact]
    public async Task InfoPage_ShowsTheConfiguration_TheWorkers_AndTheLog()
    {
        (IPlaywright playwright, IBrowser browser) = await DashboardBrowserTests.LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2);
        await using Client client = await Client.ConnectAsync(cluster);
        await DashboardCluster.RunGraphAsync(client, 10);

        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync(new Uri(cluster.DashboardAddress!, "/info").ToString());
        await page.WaitForFunctionAsync("document.querySelectorAll('#workers-info tr.worker-info').length === 2", null, s_wait);
        string schedulerTable = (await page.Locator("#scheduler-info").TextContentAsync())!;
        Assert.Contains(cluster.SchedulerAddress, schedulerTable, StringComparison.Ordinal);
        Assert.Contains("Worker saturation", schedulerTable, StringComparison.Ordinal);
        IReadOnlyList<string> log = await page.Locator("#scheduler-log tr.log-line[data-source='scheduler'] td:nth-child(4)").AllTextContentsAsync();
        foreach (WorkerSnapshot w in (await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken)).Workers)
        {
            Assert.Contains(log, line => line.StartsWith($"Worker {w.Address} registered", StringComparison.Ordinal));
        }

        Assert.Contains(log, line => line.StartsWith("Client ", StringComparison.Ordinal) && line.EndsWith(" connected", StringComparison.Ordinal));
        await DashboardBrowserTests.SaveScreenshotAsync(page, "info.png");
    }

    [Fact]
    public async Task ProfilePage_ShowsTimeForEveryComputedPrefix()
    {
        (IPlaywright playwright, IBrowser browser) = await DashboardBrowserTests.LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync();
        await using Client client = await Client.ConnectAsync(cluster);
        IReadOnlyList<Future<long>> futures = await DashboardCluster.RunThreePrefixGraphAsync(client, 50);

        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync(new Uri(cluster.DashboardAddress!, "/profile").ToString());
        await page.WaitForFunctionAsync("document.querySelectorAll('#profile-prefixes tr.profile-row').length === 3", null, s_wait);
        foreach ((Future<long> f, string runs) in futures.Zip(["50", "50", "1"]))
        {
            Assert.Equal(runs, await page.Locator($"#profile-prefixes tr.profile-row[data-prefix='{f.Key.Prefix}'] td:nth-child(2)").TextContentAsync());
        }

        // Ordered by total time: the doubles sleep longest.
        Assert.Equal(futures[1].Key.Prefix, await page.Locator("#profile-prefixes tr.profile-row").First.GetAttributeAsync("data-prefix"));
        await DashboardBrowserTests.SaveScreenshotAsync(page, "profile.png");
    }
}

/// <summary>The pages with 1,000 workers simulated in the scheduler state (records without processes): they draw every worker.</summary>
public sealed class DashboardScaleBrowserTests
{
    [Fact]
    public async Task Pages_At1000SimulatedWorkers_DrawEveryWorker_AndKeepUpdating()
    {
        const int Workers = 1_000;
        (IPlaywright playwright, IBrowser browser) = await DashboardBrowserTests.LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(
            new SchedulerOptions { Address = "memory://dashboard-scale", Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0" }) },
            TestContext.Current.CancellationToken);
        scheduler.Server.Query(state =>
        {
            for (int i = 0; i < Workers; i++)
            {
                state.AddWorker($"tcp://10.0.{i / 250}.{i % 250}:4{i:D4}", 2, $"fake-{i}");
            }

            return 0;
        });

        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        var wait = new PageWaitForFunctionOptions { Timeout = 60_000 };
        foreach ((string path, string drawn) in new[]
        {
            ("/workers", "document.querySelectorAll('#workers-table tr.worker-row').length"),
            ("/status", "document.querySelectorAll('#worker-bytes rect.worker-bar').length"),
            ("/info", "document.querySelectorAll('#workers-info tr.worker-info').length"),
        })
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await page.GotoAsync(new Uri(scheduler.Dashboard!.Address, path).ToString());
            await page.WaitForFunctionAsync($"{drawn} === {Workers}", null, wait);
            TestContext.Current.TestOutputHelper?.WriteLine($"{path}: {Workers} workers drawn {watch.ElapsedMilliseconds} ms after navigation (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");

            // Live updates go on redrawing every worker.
            int updates = await page.EvaluateAsync<int>("Number(document.body.dataset.updates || document.body.dataset.polls)");
            await page.WaitForFunctionAsync($"Number(document.body.dataset.updates || document.body.dataset.polls) > {updates} && {drawn} === {Workers}", null, wait);
        }

        await DashboardBrowserTests.SaveScreenshotAsync(page, "info-1000-workers.png");
    }
}
