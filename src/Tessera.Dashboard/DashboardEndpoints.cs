using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>The dashboard's routes: pages, static files, the JSON API, live updates and metrics; anything else is 404.</summary>
internal static class DashboardEndpoints
{
    /// <summary>The most task stream records one API response carries (the newest are kept).</summary>
    public const int MaxRecordsPerResponse = 5_000;

    /// <summary>The most task stream records one live update carries (the newest are kept): a page draws the latest bars only.</summary>
    public const int MaxRecordsPerUpdate = 1_000;

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> s_files = LoadFiles();

    /// <summary>The most log lines the Info page shows (the newest).</summary>
    public const int MaxLogLines = 500;

    public static void Map(WebApplication app, SchedulerMonitor monitor, PrometheusText metrics, TimeSpan interval, CancellationToken stopping)
    {
        // Failures answer a bare 500: no stack trace reaches the browser.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("The dashboard could not answer this request.");
            },
        });

        app.MapGet("/", () => Results.Redirect("/status"));
        app.MapGet("/status", () => Page("status.html"));
        app.MapGet("/workers", () => Page("workers.html"));
        app.MapGet("/graph", () => Page("graph.html"));
        app.MapGet("/info", () => Page("info.html"));
        app.MapGet("/profile", () => Page("profile.html"));
        app.MapGet("/static/{name}", (string name) => s_files.TryGetValue(name, out var file) ? Results.Bytes(file.Content, file.ContentType) : NotFound());

        app.MapGet("/api/v1/status", async (CancellationToken ct) =>
            Results.Json(DashboardJson.Status(await monitor.GetSnapshotAsync(ct).ConfigureAwait(false)), DashboardJsonContext.Default.StatusJson));
        app.MapGet("/api/v1/workers", async (CancellationToken ct) =>
            Results.Json(DashboardJson.Status(await monitor.GetSnapshotAsync(ct).ConfigureAwait(false)).Workers, DashboardJsonContext.Default.WorkerJsonArray));
        app.MapGet("/api/v1/tasks", async (CancellationToken ct) =>
        {
            StatusJson s = DashboardJson.Status(await monitor.GetSnapshotAsync(ct).ConfigureAwait(false));
            return Results.Json(new TasksJson(s.Tasks, s.Prefixes), DashboardJsonContext.Default.TasksJson);
        });
        app.MapGet("/api/v1/task-stream", async (long? since, int? limit, CancellationToken ct) =>
        {
            await monitor.GetSnapshotAsync(ct).ConfigureAwait(false);
            return Results.Json(Stream(monitor, since ?? 0, Math.Clamp(limit ?? MaxRecordsPerResponse, 0, MaxRecordsPerResponse)), DashboardJsonContext.Default.TaskStreamJson);
        });
        app.MapGet("/api/v1/events", (HttpContext context, long? since) => UpdatesAsync(context, monitor, since, interval, stopping));
        app.MapGet("/api/v1/graph", async (CancellationToken ct) =>
            Results.Json(GraphLayout.Build(await monitor.GetGraphAsync(ct).ConfigureAwait(false)), DashboardJsonContext.Default.GraphJson));
        app.MapGet("/api/v1/info", async (int? logs, CancellationToken ct) =>
        {
            SchedulerSnapshot snapshot = await monitor.GetSnapshotAsync(ct).ConfigureAwait(false);
            return Results.Json(DashboardJson.Info(monitor, snapshot, interval, Math.Clamp(logs ?? MaxLogLines, 0, MaxLogLines)), DashboardJsonContext.Default.InfoJson);
        });
        app.MapGet("/api/v1/profile", async (CancellationToken ct) =>
        {
            await monitor.GetSnapshotAsync(ct).ConfigureAwait(false);
            return Results.Json(TaskProfile.Build(monitor.GetTaskStream()), DashboardJsonContext.Default.ProfileJson);
        });
        app.MapGet("/metrics", async (CancellationToken ct) =>
        {
            // A fresh snapshot first: the instruments read the latest one.
            await monitor.GetSnapshotAsync(ct).ConfigureAwait(false);
            return Results.Text(metrics.Write(), PrometheusText.ContentType);
        });
        app.MapFallback(NotFound);
    }

    private static IResult NotFound() => Results.Text("Not found. The dashboard's pages are /status, /workers, /graph, /info and /profile; its API is under /api/v1/.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    private static IResult Page(string name) => Results.Bytes(s_files[name].Content, s_files[name].ContentType);

    private static TaskStreamJson Stream(SchedulerMonitor monitor, long since, int limit)
    {
        IReadOnlyList<TaskStreamRecord> records = monitor.GetTaskStream(since, limit);
        long next = records.Count > 0 ? records[^1].Sequence : Math.Max(since, 0);
        return new TaskStreamJson(next, [.. records.Select(DashboardJson.Record)]);
    }

    // Server-sent events: one "update" per interval with the latest snapshot and the task stream records the
    // page has not seen. A page that falls behind gets the newest records only.
    private static async Task UpdatesAsync(HttpContext context, SchedulerMonitor monitor, long? since, TimeSpan interval, CancellationToken stopping)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        CancellationToken ct = ended.Token;
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        long cursor = since ?? 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                SchedulerSnapshot snapshot = await monitor.GetSnapshotAsync(ct).ConfigureAwait(false);
                TaskStreamJson stream = Stream(monitor, cursor, MaxRecordsPerUpdate);
                cursor = stream.Next;
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(new UpdateJson(DashboardJson.Status(snapshot), stream), DashboardJsonContext.Default.UpdateJson);
                await response.WriteAsync("event: update\ndata: ", ct).ConfigureAwait(false);
                await response.Body.WriteAsync(json, ct).ConfigureAwait(false);
                await response.WriteAsync("\n\n", ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The page went away, or the dashboard or the scheduler is stopping.
        }
    }

    private static FrozenDictionary<string, (byte[] Content, string ContentType)> LoadFiles()
    {
        Assembly assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string name = resource["wwwroot/".Length..];
            string type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            files[name] = (copy.ToArray(), type);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Reads an embedded page or file as text (for the standalone performance report).</summary>
    internal static string ReadText(string name) => System.Text.Encoding.UTF8.GetString(s_files[name].Content);
}
