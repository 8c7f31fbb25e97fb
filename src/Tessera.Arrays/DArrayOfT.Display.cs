using System.Globalization;
using System.Text;

namespace Tessera.Arrays;

/// <content>The HTML summary with a chunk diagram (Dask's notebook repr).</content>
public sealed partial class DArray<TElement>
{
    /// <summary>
    /// An HTML summary like Dask's notebook display: a table of the array's and one chunk's bytes,
    /// shape, blocks and tasks, and an SVG diagram with a line at every chunk boundary (the last two
    /// axes; a 1-D array as one row).
    /// </summary>
    /// <returns>The HTML fragment.</returns>
    public string ToHtml()
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        long chunkBytes = ChunkSize.Aggregate(1L, (p, c) => p * c) * DType.ItemSize();
        var sb = new StringBuilder();
        sb.Append("<table><tr><td><table>")
          .Append("<thead><tr><td></td><th>Array</th><th>Chunk</th></tr></thead><tbody>")
          .Append("<tr><th>Bytes</th><td>").Append(FormatBytes(NBytes)).Append("</td><td>").Append(FormatBytes(chunkBytes)).Append("</td></tr>")
          .Append("<tr><th>Shape</th><td>").Append(Shapes.Format([.. Shape])).Append("</td><td>").Append(Shapes.Format([.. ChunkSize.Select(c => (long)c)])).Append("</td></tr>")
          .Append("<tr><th>Blocks</th><td colspan=\"2\">").Append(NPartitions.ToString(inv)).Append(" blocks in ").Append(Graph.Layers.Length.ToString(inv)).Append(" graph layers</td></tr>")
          .Append("<tr><th>Tasks</th><td colspan=\"2\">").Append(Graph.TaskCount.ToString(inv)).Append("</td></tr>")
          .Append("<tr><th>Data type</th><td colspan=\"2\">").Append(DType.NumPyName()).Append(" numpy-like NDArray</td></tr>")
          .Append("</tbody></table></td><td>").Append(ToSvg()).Append("</td></tr></table>");
        return sb.ToString();
    }

    /// <summary>The chunk diagram alone: a rectangle per array with a line at every chunk boundary of the last two axes.</summary>
    /// <returns>The SVG element.</returns>
    public string ToSvg()
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        int[] rows = NDim >= 2 ? _chunks[^2] : [1];
        int[] cols = NDim >= 1 ? _chunks[^1] : [1];
        double h = Math.Max(1, rows.Sum(x => (double)Math.Max(x, 0))), w = Math.Max(1, cols.Sum(x => (double)Math.Max(x, 0)));
        double scale = 120 / Math.Max(h, w);
        double height = NDim >= 2 ? Math.Max(h * scale, 25) : 25, width = Math.Max(w * scale, 25);
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg width=\"{width + 10:0}\" height=\"{height + 10:0}\" style=\"stroke:rgb(0,0,0);stroke-width:1\">");
        sb.Append(inv, $"<rect x=\"0\" y=\"0\" width=\"{width:0.##}\" height=\"{height:0.##}\" style=\"fill:#8B4903A0;stroke-width:2\"/>");
        double at = 0;
        foreach (int c in cols[..^1])
        {
            at += Math.Max(c, 0) * (width / w);
            sb.Append(inv, $"<line x1=\"{at:0.##}\" y1=\"0\" x2=\"{at:0.##}\" y2=\"{height:0.##}\"/>");
        }

        at = 0;
        foreach (int r in rows[..^1])
        {
            at += Math.Max(r, 0) * (height / h);
            sb.Append(inv, $"<line x1=\"0\" y1=\"{at:0.##}\" x2=\"{width:0.##}\" y2=\"{at:0.##}\"/>");
        }

        sb.Append("</svg>");
        return sb.ToString();
    }
}
