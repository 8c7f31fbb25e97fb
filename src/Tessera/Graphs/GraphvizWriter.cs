using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tessera.Graphs;

/// <summary>How <see cref="GraphvizWriter"/> draws a task graph.</summary>
public sealed record GraphvizOptions
{
    /// <summary>The default of <see cref="MaxTasks"/>.</summary>
    public const int DefaultMaxTasks = 10_000;

    /// <summary>
    /// Gets the largest graph, in keys, that is drawn; a larger one raises an exception, because
    /// Graphviz takes minutes on it and the picture is unreadable. By default 10,000.
    /// </summary>
    public int MaxTasks { get; init; } = DefaultMaxTasks;

    /// <summary>Gets the direction of the layout (Graphviz's <c>rankdir</c>): <c>BT</c> (inputs at the bottom, as Dask), <c>TB</c>, <c>LR</c> or <c>RL</c>.</summary>
    public string RankDir { get; init; } = "BT";

    /// <summary>
    /// Gets a value indicating whether data nodes are labelled with their full keys; by default the
    /// hexadecimal token in a key's name is shortened to its last eight digits.
    /// </summary>
    public bool Verbose { get; init; }

    /// <summary>Gets the path of Graphviz's <c>dot</c> program; by default it is looked up on <c>PATH</c>.</summary>
    public string? DotPath { get; init; }

    /// <summary>Gets how long <c>dot</c> may run before it is stopped; by default 5 minutes.</summary>
    public TimeSpan DotTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Draws task graphs with Graphviz, as Dask's <c>visualize</c> does: one ellipse per function call,
/// labelled with the function's name; one box per result, labelled with its key; an arrow from
/// each result to the calls that use it and from each call to its result.
/// </summary>
/// <remarks>
/// <see cref="ToDot"/> needs nothing installed. <see cref="Write"/> renders <c>.svg</c>, <c>.png</c>
/// and <c>.pdf</c> files with Graphviz's <c>dot</c> program (Debian and Ubuntu: the <c>graphviz</c>
/// package).
/// </remarks>
public static class GraphvizWriter
{
    private static readonly string[] s_renderedFormats = ["svg", "png", "pdf"];

    /// <summary>Writes <paramref name="graph"/> in Graphviz's DOT language.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="options">How to draw it; by default <see cref="GraphvizOptions"/>'s defaults.</param>
    /// <returns>The DOT text. Node identifiers are <c>d0</c>, <c>d1</c>, … for data and <c>f0</c>, … for calls; each node's <c>tooltip</c> is its full key.</returns>
    /// <exception cref="ArgumentException">The graph has more keys than <see cref="GraphvizOptions.MaxTasks"/>, or <see cref="GraphvizOptions.RankDir"/> is not a Graphviz direction.</exception>
    public static string ToDot(TaskGraph graph, GraphvizOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new GraphvizOptions();
        CheckSize(graph, options);
        if (options.RankDir is not ("BT" or "TB" or "LR" or "RL"))
        {
            throw new ArgumentException($"Rank direction '{options.RankDir}' is not one of Graphviz's BT, TB, LR or RL; pass one of those.", nameof(options));
        }

        var sb = new StringBuilder(128 + (graph.Count * 120));
        sb.Append("digraph tessera {\n");
        sb.Append("  graph [rankdir=").Append(options.RankDir).Append("];\n");
        sb.Append("  node [fontname=\"Helvetica\", fontsize=10];\n");

        var dataIds = new Dictionary<Key, string>(graph.Count);
        int functions = 0;
        var references = new List<Key>();
        var seen = new HashSet<Key>();
        foreach (KeyValuePair<Key, Node> entry in graph)
        {
            string data = DataNode(sb, dataIds, entry.Key, options, missing: false);
            Node node = entry.Value;
            references.Clear();
            node.CollectReferences(references);
            string? operation = OperationLabel(node);
            string target;
            if (operation is not null)
            {
                string f = "f" + functions.ToString(CultureInfo.InvariantCulture);
                functions++;
                sb.Append("  ").Append(f).Append(" [label=");
                AppendQuoted(sb, operation);
                sb.Append(", tooltip=");
                AppendQuoted(sb, entry.Key.ToString());
                sb.Append(", shape=ellipse];\n");
                sb.Append("  ").Append(f).Append(" -> ").Append(data).Append(";\n");
                target = f;
            }
            else
            {
                // A literal has no inputs; an alias (a bare reference) points straight at its result.
                target = data;
            }

            seen.Clear();
            foreach (Key dependency in references)
            {
                if (seen.Add(dependency))
                {
                    string from = DataNode(sb, dataIds, dependency, options, missing: !graph.ContainsKey(dependency));
                    sb.Append("  ").Append(from).Append(" -> ").Append(target).Append(";\n");
                }
            }
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Draws <paramref name="graph"/> into a file whose format follows the extension: <c>.dot</c> or
    /// <c>.gv</c> writes the DOT text; <c>.svg</c>, <c>.png</c> and <c>.pdf</c> run Graphviz's
    /// <c>dot</c> program. The file is replaced only when drawing succeeded.
    /// </summary>
    /// <param name="graph">The graph.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">How to draw it; by default <see cref="GraphvizOptions"/>'s defaults.</param>
    /// <exception cref="ArgumentException">The extension is not one of those above, or the graph is too large (see <see cref="ToDot"/>).</exception>
    /// <exception cref="FileNotFoundException">An image was asked for and Graphviz's <c>dot</c> program is not installed.</exception>
    /// <exception cref="InvalidOperationException"><c>dot</c> failed; the message holds what it printed.</exception>
    /// <exception cref="TimeoutException"><c>dot</c> ran longer than <see cref="GraphvizOptions.DotTimeout"/>.</exception>
    public static void Write(TaskGraph graph, string path, GraphvizOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new GraphvizOptions();
        string extension = Path.GetExtension(path);
        string? format = null;
        if (!extension.Equals(".dot", StringComparison.OrdinalIgnoreCase) && !extension.Equals(".gv", StringComparison.OrdinalIgnoreCase))
        {
            format = Array.Find(s_renderedFormats, f => extension.Equals("." + f, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException(
                    $"Cannot draw a graph into '{path}': the extension '{extension}' is not supported; use .dot, .gv, .svg, .png or .pdf.",
                    nameof(path));
        }

        string dot = ToDot(graph, options);
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(
            Path.GetDirectoryName(fullPath) ?? ".",
            $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (format is null)
            {
                File.WriteAllText(temporary, dot, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
            else
            {
                RunDot(dot, format, temporary, options);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void CheckSize(TaskGraph graph, GraphvizOptions options)
    {
        if (graph.Count > options.MaxTasks)
        {
            throw new ArgumentException(
                $"The graph has {graph.Count:N0} keys, more than the {options.MaxTasks:N0} that are drawn (GraphvizOptions.MaxTasks); Graphviz takes very long on graphs this large. Draw a smaller graph, or raise MaxTasks.",
                nameof(graph));
        }
    }

    // The label of the operation a node performs, or null when the node is data or an alias.
    private static string? OperationLabel(Node node) => node switch
    {
        CallNode call => call.Function.Name,
        ListNode list when list.HasReferences => "list",
        LiteralNode or RefNode => null,
        _ when node.HasReferences => node.GetType().GetGenericTypeDefinition() == typeof(TupleNode<,>) ? "tuple" : "dict",
        _ => null,
    };

    private static string DataNode(StringBuilder sb, Dictionary<Key, string> ids, Key key, GraphvizOptions options, bool missing)
    {
        if (ids.TryGetValue(key, out string? id))
        {
            return id;
        }

        id = "d" + ids.Count.ToString(CultureInfo.InvariantCulture);
        ids.Add(key, id);
        sb.Append("  ").Append(id).Append(" [label=");
        AppendQuoted(sb, options.Verbose ? key.ToString() : ShortLabel(key));
        sb.Append(", tooltip=");
        AppendQuoted(sb, key.ToString());
        sb.Append(missing ? ", shape=box, style=dashed];\n" : ", shape=box];\n");
        return id;
    }

    // "fit-…0000014c" instead of the 32-digit token: the last digits tell keys apart, both for
    // content hashes and for unique ids (a per-process prefix, then a counter). The block index is kept.
    private static string ShortLabel(Key key)
    {
        const int TokenChars = 8;
        string name = key.Name;
        string prefix = key.Prefix;
        if (name.Length > prefix.Length + 1 + TokenChars + 1)
        {
            name = string.Concat(prefix, "-…", name.AsSpan(name.Length - TokenChars));
        }

        return key.WithName(name).ToString();
    }

    private static void AppendQuoted(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }

    private static void RunDot(string dot, string format, string output, GraphvizOptions options)
    {
        string program = options.DotPath ?? FindOnPath(OperatingSystem.IsWindows() ? "dot.exe" : "dot") ?? throw DotNotFound(null);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        start.ArgumentList.Add("-T" + format);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(output);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw DotNotFound(null);
        }
        catch (Win32Exception e)
        {
            throw DotNotFound(e);
        }

        using (process)
        {
            Task<string> errors = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(dot);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // dot exited early; its exit code and error output say why.
            }

            if (!process.WaitForExit(options.DotTimeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"Graphviz's dot ran longer than {options.DotTimeout} on a graph of {dot.Length:N0} characters and was stopped; draw a smaller graph or raise GraphvizOptions.DotTimeout.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Graphviz's dot ({program}) failed with exit code {process.ExitCode} while writing {format}: {errors.GetAwaiter().GetResult().Trim()}");
            }
        }
    }

    private static string? FindOnPath(string program)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (string directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static FileNotFoundException DotNotFound(Exception? inner) => new(
        "Graphviz's 'dot' program was not found, and it is needed to draw .svg, .png and .pdf files; install Graphviz " +
        "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; Windows: winget install graphviz), " +
        "set GraphvizOptions.DotPath, or write a .dot file instead.",
        "dot",
        inner);
}
