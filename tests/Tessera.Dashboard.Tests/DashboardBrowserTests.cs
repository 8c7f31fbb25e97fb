using Microsoft.Playwright;
using Tessera.Distributed;

namespace Tessera.Dashboard.Tests;

/// <summary>
/// The pages in a real browser: Debian's Chromium driven by Microsoft.Playwright through ExecutablePath
/// (never <c>playwright install</c>). CI installs chromium; the tests skip only where it is absent.
/// </summary>
[Collection(nameof(DashboardClusters))]
public sealed class DashboardBrowserTests
{
    private static readonly string s_chromium = Environment.GetEnvironmentVariable("TESSERA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] s_flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    /// <summary>Where the tests save their screenshots: a folder next to the test assembly.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    internal static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assert.SkipUnless(File.Exists(s_chromium), $"Chromium is not installed at {s_chromium} (apt-get install chromium; CI does).");
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = s_chromium, Headless = true, Args = s_flags });
        return (playwright, browser);
    }

    [Fact]
    public async Task StatusPage_ShowsTheWorkers_ProgressTo100Percent_AndTaskStreamBarsForEachPrefix()
    {
        (IPlaywright playwright, IBrowser browser) = await LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 2, threadsPerWorker: 2);
        await using Client client = await Client.ConnectAsync(cluster);
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync(cluster.DashboardAddress!.ToString());

        // The page is open while the graph runs, as a user would watch it.
        IReadOnlyList<Future<long>> futures = await DashboardCluster.RunThreePrefixGraphAsync(client, 200);
        string[] prefixes = [.. futures.Select(f => f.Key.Prefix)];
        Assert.Equal(3, prefixes.Distinct().Count());

        var wait = new PageWaitForSelectorOptions { Timeout = 15_000 };
        foreach (string prefix in prefixes)
        {
            await page.WaitForSelectorAsync($".prefix-row[data-prefix='{prefix}'][data-percent='100']", wait);
            Assert.StartsWith("100%", await page.Locator($".prefix-row[data-prefix='{prefix}'] .pct").TextContentAsync(), StringComparison.Ordinal);
            await page.WaitForSelectorAsync($"rect.task-bar[data-prefix='{prefix}']", wait);
        }

        await page.WaitForFunctionAsync($"document.querySelectorAll(\"rect.task-bar[data-prefix='{prefixes[0]}']\").length >= 200", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        Assert.StartsWith("2 workers · 4 threads", await page.Locator("#summary").TextContentAsync(), StringComparison.Ordinal);

        // One row per worker thread in the task stream, one bar per worker in the worker charts.
        IReadOnlyList<WorkerSnapshot> workers = (await cluster.Monitor.GetSnapshotAsync(TestContext.Current.CancellationToken)).Workers;
        foreach (WorkerSnapshot w in workers)
        {
            Assert.Equal(1, await page.Locator($"#worker-bytes rect.worker-bar[data-worker='{w.Address}']").CountAsync());
            Assert.Equal(1, await page.Locator($"#worker-processing rect.worker-bar[data-worker='{w.Address}']").CountAsync());
        }

        string shot = await SaveScreenshotAsync(page, "status.png");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot of the status page: {shot}");
    }

    [Fact]
    public async Task WorkersPage_ListsEveryWorker_WithThreads()
    {
        (IPlaywright playwright, IBrowser browser) = await LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 3, threadsPerWorker: 2);
        IPage page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(cluster.DashboardAddress!, "/workers").ToString());
        await page.WaitForFunctionAsync("document.querySelectorAll('#workers-table tr.worker-row').length === 3", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        IReadOnlyList<string> names = await page.Locator("#workers-table tr.worker-row td:nth-child(2)").AllTextContentsAsync();
        Assert.Equal(["local-0", "local-1", "local-2"], names.Order());
        Assert.All(await page.Locator("#workers-table tr.worker-row td:nth-child(3)").AllTextContentsAsync(), t => Assert.Equal("2", t));

        // The CPU column: a whole percentage per worker, under its own header.
        Assert.Equal("CPU", await page.Locator("#workers-table th:nth-child(4)").TextContentAsync());
        IReadOnlyList<string> cpu = await page.Locator("#workers-table tr.worker-row td.cpu").AllTextContentsAsync();
        Assert.Equal(3, cpu.Count);
        Assert.All(cpu, t => Assert.Matches(@"^\d+ %$", t));
        await SaveScreenshotAsync(page, "workers.png");
    }

    [Fact]
    public async Task ScriptErrors_NoneOnAnyPage()
    {
        (IPlaywright playwright, IBrowser browser) = await LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        await using LocalCluster cluster = await DashboardCluster.StartAsync(workers: 1);
        var errors = new List<string>();
        IPage page = await browser.NewPageAsync();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        foreach (string path in new[] { "/status", "/workers" })
        {
            await page.GotoAsync(new Uri(cluster.DashboardAddress!, path).ToString());
            await page.WaitForFunctionAsync("Number(document.body.dataset.updates) >= 2", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        }

        // The polled pages: live header updates and at least two polls of their own route.
        foreach (string path in new[] { "/graph", "/info", "/profile" })
        {
            await page.GotoAsync(new Uri(cluster.DashboardAddress!, path).ToString());
            await page.WaitForFunctionAsync("Number(document.body.dataset.updates) >= 2 && Number(document.body.dataset.polls) >= 2", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        }

        Assert.Empty(errors);
    }

    [Fact]
    public async Task PerformanceReport_OpensWithNoServer_AndShowsEveryRunAndPrefix()
    {
        (IPlaywright playwright, IBrowser browser) = await LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;

        // No dashboard: the report needs only the scheduler's monitor.
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 2, Processes = false });
        await using Client client = await Client.ConnectAsync(cluster);
        using Future<long> before = client.Submit(DashboardCluster.Double, 1_000L); // before the report: not in it
        Assert.Equal(2_000L, await before);
        string path = Path.Combine(ScreenshotDirectory, "report.html");
        IReadOnlyList<Future<long>> futures;
        await using (await PerformanceReport.StartAsync(cluster.Monitor, path))
        {
            futures = await DashboardCluster.RunThreePrefixGraphAsync(client, 100);
        }

        Assert.False(File.Exists(path + ".tmp"));
        string html = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("/static/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</script><", html.Split("window.tesseraReport = ")[1].Split(";</script>")[0], StringComparison.Ordinal);

        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        var wait = new PageWaitForSelectorOptions { Timeout = 15_000 };
        foreach (Future<long> f in futures)
        {
            await page.WaitForSelectorAsync($".prefix-row[data-prefix='{f.Key.Prefix}'][data-percent='100']", wait);
        }

        Assert.Equal(100, await page.Locator($"rect.task-bar[data-prefix='{futures[0].Key.Prefix}']").CountAsync());
        Assert.Equal(100, await page.Locator($"rect.task-bar[data-prefix='{futures[1].Key.Prefix}']").CountAsync());
        Assert.Equal(1, await page.Locator($"rect.task-bar[data-prefix='{futures[2].Key.Prefix}']").CountAsync());
        await SaveScreenshotAsync(page, "report.png");
    }

    [Fact]
    public async Task TransfersAndSpills_AreDrawnInTheirColours_OnTheStatusPageAndInTheReport()
    {
        (IPlaywright playwright, IBrowser browser) = await LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        string directory = Path.Combine(Path.GetTempPath(), "tessera-dashboard-spill-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 4 MB per worker, five 800 kB chunks on each: both spill.
            await using LocalCluster cluster = await DashboardCluster.StartSpillingAsync(2, directory);
            await using Client client = await Client.ConnectAsync(cluster);
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
            await page.GotoAsync(cluster.DashboardAddress!.ToString());
            string path = Path.Combine(ScreenshotDirectory, "report-transfers.html");
            string[] prefixes;
            Future<double[]>[] chunks; // held to the end: collected futures release their keys, and the spilled bytes with them
            await using (await PerformanceReport.StartAsync(cluster.Monitor, path))
            {
                string[] workers = [.. (await client.GetWorkersAsync(TestContext.Current.CancellationToken)).Keys.Order(StringComparer.Ordinal)];
                chunks = [.. Enumerable.Range(0, 10).Select(i => client.Submit(DashboardStreamTests.Chunk, i, workers: [workers[i % 2]]))];
                Future<double> both = client.Submit<double[], double[], double>(DashboardStreamTests.SumBoth, chunks[0], chunks[1]);
                prefixes = [chunks[0].Key.Prefix, both.Key.Prefix];
                Assert.Equal(DashboardStreamTests.Chunk(0).Sum() + DashboardStreamTests.Chunk(1).Sum(), await both, 9);

                // The workers' transfers and spills come with their heartbeats: the report waits for them.
                await DashboardStreamTests.WaitForStreamAsync(cluster.Monitor, s => s.Any(r => r.Kind == TaskStreamKind.Transfer) && s.Any(r => r.Kind == TaskStreamKind.DiskWrite));
            }

            var wait = new PageWaitForSelectorOptions { Timeout = 15_000 };
            foreach (string selector in new[] { "#task-stream rect.transfer-bar", "#task-stream rect.disk-write-bar", "#worker-bytes rect.spilled-bar" })
            {
                await page.WaitForSelectorAsync(selector, wait);
            }

            Assert.Equal("#d62728", await page.Locator("#task-stream rect.transfer-bar").First.GetAttributeAsync("fill"));
            Assert.Equal("#ff7f0e", await page.Locator("#task-stream rect.disk-write-bar").First.GetAttributeAsync("fill"));
            Assert.Contains("transfer", await page.Locator("#task-stream-legend").TextContentAsync(), StringComparison.Ordinal);
            Assert.True(await page.Locator("#task-stream text", new PageLocatorOptions { HasTextString = "transfers, disk" }).CountAsync() >= 1);
            await SaveScreenshotAsync(page, "status-transfers.png");

            // The report draws the same kinds of bars from its own data, and the profile of its task runs.
            IPage report = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
            await report.GotoAsync(new Uri(path).AbsoluteUri);
            await report.WaitForSelectorAsync("#task-stream rect.transfer-bar", wait);
            Assert.True(await report.Locator("#task-stream rect.disk-write-bar").CountAsync() >= 1);
            Assert.Equal(11, await report.Locator("#task-stream rect.task-bar").CountAsync());
            IReadOnlyList<string> profiled = await report.Locator("#profile-prefixes tr.profile-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.prefix + ':' + r.children[1].textContent)");
            Assert.Equal(new[] { $"{prefixes[0]}:10", $"{prefixes[1]}:1" }.Order(StringComparer.Ordinal), profiled.Order(StringComparer.Ordinal));
            await SaveScreenshotAsync(report, "report-transfers.png");
            GC.KeepAlive(chunks);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    internal static async Task<string> SaveScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        string path = Path.Combine(ScreenshotDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000);
        return path;
    }
}
