using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tessera.Diagnostics;

/// <summary>
/// Draws a <see cref="Profiler"/> and a <see cref="ResourceProfiler"/> together on one time axis, as a
/// standalone HTML page of SVG pictures (Dask's <c>visualize([prof, rprof])</c>): the task timeline, then
/// the CPU use and the memory (working set, managed heap) over the same time.
/// </summary>
/// <example>
/// <code>
/// var profiler = new Profiler();
/// var resources = new ResourceProfiler(TimeSpan.FromMilliseconds(50));
/// using (profiler.Activate())
/// using (resources.Activate())
/// {
///     total.Compute();
/// }
///
/// ProfileReport.WriteHtml("profile.html", profiler, resources);
/// </code>
/// </example>
public static class ProfileReport
{
    private const double ChartHeight = 140;
    private const double Top = 36;

    /// <summary>Renders the page.</summary>
    /// <param name="profiler">The task records, or null for none.</param>
    /// <param name="resources">The resource samples, or null for none.</param>
    /// <param name="title">The page's title; by default "Tessera profile".</param>
    /// <returns>The HTML text.</returns>
    public static string ToHtml(Profiler? profiler, ResourceProfiler? resources, string? title = null)
    {
        IReadOnlyList<TaskRecord> records = profiler?.Results ?? [];
        IReadOnlyList<ResourceSample> samples = resources?.Results ?? [];

        // Both on the task records' clock: the samples shift by the difference of the two epochs.
        double shift = profiler is { Epoch: > 0 } && resources is { Epoch: > 0 } ? Stopwatch.GetElapsedTime(profiler.Epoch, resources.Epoch).TotalSeconds : 0;
        double end = Math.Max(profiler?.Elapsed.TotalSeconds ?? 0, samples.Count > 0 ? samples.Max(s => s.Time.TotalSeconds) + shift : 0);
        title ??= "Tessera profile";

        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(TimelineSvg.Escape(title)).Append("</title>\n");
        html.Append("<style>body{font-family:Helvetica,Arial,sans-serif;margin:16px;background:#fff}svg{display:block;margin-bottom:12px}</style>\n</head>\n<body>\n");
        html.Append("<h1 style=\"font-size:18px\">").Append(TimelineSvg.Escape(title)).Append("</h1>\n");
        if (profiler is not null)
        {
            html.Append(TimelineSvg.Render(records, Profiler.Summarize(records), TimeSpan.FromSeconds(end), null));
        }

        if (resources is not null)
        {
            html.Append(Chart("CPU (% of one core)", "cpu", end, [("cpu", "#d62728", [.. samples.Select(s => (s.Time.TotalSeconds + shift, s.CpuPercent))])], v => v.ToString("0", CultureInfo.InvariantCulture), 100));
            html.Append(Chart(
                "memory (MiB): working set, managed heap",
                "memory",
                end,
                [
                    ("working-set", "#1f77b4", [.. samples.Select(s => (s.Time.TotalSeconds + shift, s.WorkingSetBytes / 1048576.0))]),
                    ("gc-heap", "#2ca02c", [.. samples.Select(s => (s.Time.TotalSeconds + shift, s.GcHeapBytes / 1048576.0))]),
                ],
                v => v.ToString("0.#", CultureInfo.InvariantCulture),
                1));
        }

        return html.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>Writes <see cref="ToHtml"/> to a file, replaced only once completely written.</summary>
    /// <param name="path">The file to write, usually ending in <c>.html</c>.</param>
    /// <param name="profiler">The task records, or null for none.</param>
    /// <param name="resources">The resource samples, or null for none.</param>
    /// <param name="title">The page's title.</param>
    public static void WriteHtml(string path, Profiler? profiler, ResourceProfiler? resources, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ReportFile.WriteAtomically(path, ToHtml(profiler, resources, title));
    }

    // A line chart on the timeline's horizontal scale, so that its times line up with the task bars above.
    private static string Chart(string title, string cssClass, double end, (string Class, string Colour, (double T, double V)[] Points)[] series, Func<double, string> label, double minimumTop)
    {
        end = Math.Max(end, 1e-6);
        double max = Math.Max(minimumTop, series.SelectMany(s => s.Points).Select(p => p.V).DefaultIfEmpty(0).Max());
        double width = TimelineSvg.Left + TimelineSvg.PlotWidth + 40, height = Top + ChartHeight + 30;
        string N(double v) => TimelineSvg.N(v);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"{cssClass}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(TimelineSvg.Left)}\" y=\"20\" font-weight=\"bold\">{TimelineSvg.Escape(title)}</text>\n");
        double bottom = Top + ChartHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(TimelineSvg.Left)}\" y1=\"{N(bottom)}\" x2=\"{N(TimelineSvg.Left + TimelineSvg.PlotWidth)}\" y2=\"{N(bottom)}\" stroke=\"#333333\"/>\n");
        double step = TimelineSvg.NiceStep(max / 4);
        for (double v = 0; v <= max * (1 + 1e-9); v += step)
        {
            double y = bottom - (v / max * ChartHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(TimelineSvg.Left)}\" y1=\"{N(y)}\" x2=\"{N(TimelineSvg.Left + TimelineSvg.PlotWidth)}\" y2=\"{N(y)}\" stroke=\"#eeeeee\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(TimelineSvg.Left - 8)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{label(v)}</text>\n");
        }

        double timeStep = TimelineSvg.NiceStep(end / 8);
        for (int i = 0; i * timeStep <= end * (1 + 1e-9); i++)
        {
            double x = TimelineSvg.Left + (i * timeStep / end * TimelineSvg.PlotWidth);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(bottom + 18)}\" text-anchor=\"middle\">{TimelineSvg.Escape(TimeFormat.Tick(i * timeStep, end))}</text>\n");
        }

        foreach ((string cls, string colour, (double T, double V)[] points) in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{cls}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"");
            foreach ((double t, double v) in points)
            {
                svg.Append(N(TimelineSvg.Left + (t / end * TimelineSvg.PlotWidth))).Append(',').Append(N(bottom - (v / max * ChartHeight))).Append(' ');
            }

            svg.Append("\"><title>").Append(cls).Append("</title></polyline>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }
}
