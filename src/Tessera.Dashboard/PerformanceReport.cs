using System.Text;
using System.Text.Json;
using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>
/// Records what a scheduler runs between its start and its disposal, and then writes a standalone HTML
/// file (task stream with transfers and disk writes and reads, progress per task prefix, workers, and the
/// time by task prefix and worker) that opens in a browser with no server, as Dask's <c>performance_report</c>.
/// </summary>
/// <example>
/// <code>
/// await using (await PerformanceReport.StartAsync(cluster.Monitor, "report.html"))
/// {
///     long total = await client.GetAsync(...);
/// }
/// </code>
/// </example>
public sealed class PerformanceReport : IAsyncDisposable
{
    /// <summary>The most task stream records (task runs, transfers, disk writes and reads) a report draws (the newest are kept).</summary>
    public const int MaxRecords = 20_000;

    private readonly SchedulerMonitor _monitor;
    private readonly long _since;
    private bool _written;

    private PerformanceReport(SchedulerMonitor monitor, string path, long since)
    {
        _monitor = monitor;
        Path = path;
        _since = since;
    }

    /// <summary>Gets the file the report is written to.</summary>
    public string Path { get; }

    /// <summary>Starts recording: task runs that finish from now on go into the report.</summary>
    /// <param name="monitor">The scheduler's monitor (<see cref="LocalCluster.Monitor"/>, <see cref="SchedulerHost.Monitor"/>).</param>
    /// <param name="path">The HTML file to write when the report is disposed.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running report.</returns>
    public static async Task<PerformanceReport> StartAsync(SchedulerMonitor monitor, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentException.ThrowIfNullOrEmpty(path);
        TimeSpan interval = monitor.MinimumInterval;
        monitor.MinimumInterval = TimeSpan.Zero;
        try
        {
            _ = await monitor.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            monitor.MinimumInterval = interval;
        }

        return new PerformanceReport(monitor, System.IO.Path.GetFullPath(path), monitor.TaskStreamCount);
    }

    /// <summary>Takes a last snapshot and writes the report (once).</summary>
    /// <returns>A task that completes when the file is written.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_written)
        {
            return;
        }

        _written = true;
        TimeSpan interval = _monitor.MinimumInterval;
        _monitor.MinimumInterval = TimeSpan.Zero;
        SchedulerSnapshot snapshot;
        try
        {
            snapshot = await _monitor.GetSnapshotAsync().ConfigureAwait(false);
        }
        finally
        {
            _monitor.MinimumInterval = interval;
        }

        IReadOnlyList<TaskStreamRecord> records = _monitor.GetTaskStream(_since, MaxRecords);
        await WriteAsync(Path, snapshot, records).ConfigureAwait(false);
    }

    internal static async Task WriteAsync(string path, SchedulerSnapshot snapshot, IReadOnlyList<TaskStreamRecord> records)
    {
        StatusJson status = DashboardJson.Status(snapshot);

        // Prefixes the scheduler forgot by now (their futures were released) are counted from the runs.
        var known = status.Prefixes.Select(p => p.Prefix).ToHashSet(StringComparer.Ordinal);
        PrefixJson[] fromRuns = [.. records.Where(r => r.Kind == TaskStreamKind.Compute && !known.Contains(r.Prefix)).GroupBy(r => r.Prefix, StringComparer.Ordinal)
            .Select(g => new PrefixJson(g.Key, new CountsJson(0, 0, 0, 0, 0, g.Count(), 0, g.Count())))];
        status = status with { Prefixes = [.. status.Prefixes, .. fromRuns] };
        var report = new ReportJson(status, new TaskStreamJson(records.Count > 0 ? records[^1].Sequence : 0, [.. records.Select(DashboardJson.Record)]), TaskProfile.Build(records));
        string data = JsonSerializer.Serialize(report, DashboardJsonContext.Default.ReportJson);

        // The status page, with the profile page's tables (wide panels) at the end of its grid.
        string page = DashboardEndpoints.ReadText("status.html");
        string profile = Between(DashboardEndpoints.ReadText("profile.html"), "<main>", "</main>");
        int navStart = page.IndexOf("<nav>", StringComparison.Ordinal), navEnd = page.IndexOf("</nav>", StringComparison.Ordinal) + "</nav>".Length;
        int mainEnd = page.IndexOf("</main>", StringComparison.Ordinal);
        page = page[..mainEnd] + profile.Trim('\n') + "\n" + page[mainEnd..];
        string html = (page[..navStart] + "<nav><a class=\"current\">Performance report</a></nav>" + page[navEnd..])
            .Replace("<body data-page=\"status\">", "<body data-page=\"status\" data-report=\"true\">", StringComparison.Ordinal)
            .Replace("<link rel=\"stylesheet\" href=\"/static/dashboard.css\">", "<style>\n" + DashboardEndpoints.ReadText("dashboard.css") + "</style>", StringComparison.Ordinal)
            .Replace("<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n", string.Empty, StringComparison.Ordinal)
            .Replace("<title>Tessera dashboard: status</title>", "<title>Tessera performance report</title>", StringComparison.Ordinal)
            .Replace("<script src=\"/static/dashboard.js\"></script>", "<script>window.tesseraReport = " + data + ";</script>\n<script>\n" + DashboardEndpoints.ReadText("dashboard.js") + "</script>", StringComparison.Ordinal);

        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written under a temporary name, then renamed: a half-written report never looks complete.
        string temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, html, new UTF8Encoding(false)).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
