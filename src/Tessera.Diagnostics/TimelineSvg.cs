using System.Globalization;
using System.Text;

namespace Tessera.Diagnostics;

/// <summary>Draws a profile as a standalone SVG document: one row per worker, one rectangle per task.</summary>
internal static class TimelineSvg
{
    internal const double Left = 80;
    private const double Top = 48;
    internal const double PlotWidth = 960;
    private const double RowHeight = 22;
    private const double RowGap = 6;
    private const double LegendGap = 32;
    private const double LegendLine = 18;

    // Bokeh's Category20, the palette of Dask's profile plots.
    private static readonly string[] s_palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ];

    public static string Render(IReadOnlyList<TaskRecord> records, IReadOnlyList<PrefixSummary> summary, TimeSpan wall, string? title)
    {
        int rows = 1;
        double end = 0;
        foreach (TaskRecord r in records)
        {
            rows = Math.Max(rows, r.Worker + 1);
            end = Math.Max(end, r.End.TotalSeconds);
        }

        end = Math.Max(end, wall.TotalSeconds);
        if (end <= 0)
        {
            end = 1e-6;
        }

        var colors = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < summary.Count; i++)
        {
            colors[summary[i].Prefix] = s_palette[i % s_palette.Length];
        }

        double plotBottom = Top + (rows * (RowHeight + RowGap));
        double legendLeft = Left + PlotWidth + LegendGap;
        double width = legendLeft + 280;
        double height = Math.Max(plotBottom + 48, Top + ((summary.Count + 1) * LegendLine) + 16);
        double scale = PlotWidth / end;

        var svg = new StringBuilder(1024 + (records.Count * 160));
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" style=\"background:#ffffff\">\n");
        title ??= string.Create(CultureInfo.InvariantCulture, $"Tessera profile: {records.Count:N0} tasks on {rows} worker(s), {TimeFormat.Short(wall)} wall time");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left)}\" y=\"24\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>\n");

        // Rows and their labels.
        svg.Append("<g class=\"rows\">\n");
        for (int w = 0; w < rows; w++)
        {
            double y = Top + (w * (RowHeight + RowGap));
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left - 8)}\" y=\"{N(y + (RowHeight / 2) + 4)}\" text-anchor=\"end\">worker {w}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Left)}\" y1=\"{N(y + RowHeight + (RowGap / 2))}\" x2=\"{N(Left + PlotWidth)}\" y2=\"{N(y + RowHeight + (RowGap / 2))}\" stroke=\"#eeeeee\"/>\n");
        }

        svg.Append("</g>\n");

        // The time axis, with vertical grid lines at the ticks.
        double step = NiceStep(end / 8);
        svg.Append("<g class=\"axis\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Left)}\" y1=\"{N(plotBottom)}\" x2=\"{N(Left + PlotWidth)}\" y2=\"{N(plotBottom)}\" stroke=\"#333333\"/>\n");
        for (int i = 0; i * step <= end * (1 + 1e-9); i++)
        {
            double t = i * step;
            double x = Left + (t * scale);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x)}\" y1=\"{N(Top - 4)}\" x2=\"{N(x)}\" y2=\"{N(plotBottom)}\" stroke=\"#e4e4e4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x)}\" y1=\"{N(plotBottom)}\" x2=\"{N(x)}\" y2=\"{N(plotBottom + 5)}\" stroke=\"#333333\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(plotBottom + 18)}\" text-anchor=\"middle\">{Escape(TimeFormat.Tick(t, end))}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + (PlotWidth / 2))}\" y=\"{N(plotBottom + 36)}\" text-anchor=\"middle\" fill=\"#555555\">time since the computation started</text>\n");
        svg.Append("</g>\n");

        // One rectangle per task.
        svg.Append("<g class=\"tasks\">\n");
        foreach (TaskRecord r in records)
        {
            double x = Left + (r.Start.TotalSeconds * scale);
            double w = Math.Max(0.5, r.Duration.TotalSeconds * scale);
            double y = Top + (r.Worker * (RowHeight + RowGap));
            string prefix = r.Key.Prefix;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"task\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{N(RowHeight)}\" fill=\"{colors[prefix]}\" stroke=\"#ffffff\" stroke-width=\"0.3\"><title>");
            svg.Append(Escape(r.Key.ToString()));
            svg.Append(CultureInfo.InvariantCulture, $" | {TimeFormat.Short(r.Duration)} | worker {r.Worker}, thread {r.ThreadId}</title></rect>\n");
        }

        svg.Append("</g>\n");

        // The legend: one coloured dot per prefix, largest total time first.
        svg.Append("<g class=\"legend\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(legendLeft)}\" y=\"{N(Top + 4)}\" font-weight=\"bold\">prefix (tasks, total)</text>\n");
        for (int i = 0; i < summary.Count; i++)
        {
            PrefixSummary s = summary[i];
            double y = Top + ((i + 1) * LegendLine);
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(legendLeft + 6)}\" cy=\"{N(y)}\" r=\"6\" fill=\"{colors[s.Prefix]}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(legendLeft + 18)}\" y=\"{N(y + 4)}\">{Escape(s.Prefix)} ({s.Count:N0}, {TimeFormat.Short(s.Total)})</text>\n");
        }

        svg.Append("</g>\n</svg>\n");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    internal static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double m = rough / power;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    }

    internal static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Escapes text for XML content and attributes; characters XML cannot hold become U+FFFD.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '"':
                    sb.Append("&quot;");
                    break;
                case '\'':
                    sb.Append("&apos;");
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }
}
