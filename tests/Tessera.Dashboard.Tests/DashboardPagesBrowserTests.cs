using Microsoft.Playwright;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

/// <summary>The Graph, Info and Profile pages in Chromium, after a graph with three task prefixes and a chain ran.</summary>
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
        Assert.Equal(40, await page.Locator($"circle.graph-node[data-prefix='{prefixes[0].Key.Prefix}']").CountAsync());
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
        IReadOnlyList<string> log = await page.Locator("#scheduler-log tr.log-line td:nth-child(3)").AllTextContentsAsync();
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
