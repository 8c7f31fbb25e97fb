using System.Text.RegularExpressions;
using System.Xml.Linq;
using Tessera.Graphs;

namespace Tessera.Tests.Graphs;

public sealed partial class GraphvizWriterTests : IDisposable
{
    private static readonly TaskFunction s_inc = TaskFunction.Create((long x) => x + 1, "inc");
    private static readonly TaskFunction s_add = TaskFunction.Create((long x, long y) => x + y, "add");
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-graphviz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static long Inc(long x) => x + 1;

    private static long Add(long x, long y) => x + y;

    private static long Total(IReadOnlyList<long> xs) => xs.Sum();

    private static long First((long A, long B) pair) => pair.A;

    private static TaskGraph DelayedGraph()
    {
        var inc = Delayed.Of<long, long>(Inc);
        var add = Delayed.Of<long, long, long>(Add);
        var total = Delayed.Of<IReadOnlyList<long>, long>(Total);
        var first = Delayed.Of<(long, long), long>(First);
        Delayed<long> seed = Delayed.Value(10L, "seed");
        var xs = Enumerable.Range(0, 5).Select(i => inc(i)).ToList();
        Delayed<long> a = add(xs[0], seed);
        Delayed<long> b = add(a, xs[1]);
        Delayed<long> t = total(Delayed.List([.. xs, a, b]));
        Delayed<long> result = add(t, first(Delayed.Tuple(a, b)));
        return result.ToGraph();
    }

    [Fact]
    public void ToDot_DelayedGraph_HasEveryKeyFunctionAndDependencyEdge()
    {
        TaskGraph g = DelayedGraph();
        Dot dot = Dot.Parse(GraphvizWriter.ToDot(g));
        int expectedEdges = 0;
        foreach ((Key key, IReadOnlyList<Key> deps) in g.GetAllDependencies())
        {
            string data = dot.DataId(key);
            if (g[key] is CallNode call)
            {
                string f = dot.FunctionId(key);
                Assert.Equal(call.Function.Name, dot.Nodes[f].Label);
                Assert.Contains((f, data), dot.Edges);
                expectedEdges++;
                foreach (Key dep in deps)
                {
                    Assert.Contains((dot.DataId(dep), f), dot.Edges);
                    expectedEdges++;
                }
            }
            else
            {
                Assert.Empty(deps);
                Assert.False(dot.TryFunctionId(key, out _), $"{key} is data and should have no function node");
            }
        }

        Assert.Equal(g.Count, dot.Nodes.Values.Count(n => n.Shape == "box"));
        Assert.Equal(g.Values.Count(n => n is CallNode), dot.Nodes.Values.Count(n => n.Shape == "ellipse"));
        Assert.Equal(expectedEdges, dot.Edges.Count);
        Assert.Equal(expectedEdges, dot.Edges.Distinct().Count());
    }

    [Fact]
    public void ToDot_HandBuiltGraph_DrawsAliasesListsAndMissingKeys()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["alias"] = Node.Ref("x"),
            ["both"] = Node.List<long>(Node.Ref("x"), Node.Ref("alias")),
            [new Key("y", 0, 1)] = Node.Call(s_add, Node.Ref("x"), Node.Ref("ghost")),
        };
        Dot dot = Dot.Parse(GraphvizWriter.ToDot(g));

        Assert.Contains((dot.DataId("x"), dot.DataId("alias")), dot.Edges);
        string list = dot.FunctionId("both");
        Assert.Equal("list", dot.Nodes[list].Label);
        Assert.Contains((dot.DataId("x"), list), dot.Edges);
        Assert.Contains((dot.DataId("alias"), list), dot.Edges);
        string f = dot.FunctionId(new Key("y", 0, 1));
        Assert.Equal("add", dot.Nodes[f].Label);
        Assert.Contains((dot.DataId("ghost"), f), dot.Edges);
        Assert.Contains("dashed", dot.Nodes[dot.DataId("ghost")].Attributes, StringComparison.Ordinal);
        Assert.Equal("('y', 0, 1)", dot.Nodes[dot.DataId(new Key("y", 0, 1))].Label);
    }

    [Fact]
    public void ToDot_SameDependencyTwice_DrawsOneEdge()
    {
        var g = new TaskGraph
        {
            ["x"] = Node.Literal(1L),
            ["y"] = Node.Call(s_add, Node.Ref("x"), Node.Ref("x")),
        };
        Dot dot = Dot.Parse(GraphvizWriter.ToDot(g));
        Assert.Single(dot.Edges, e => e.From == dot.DataId("x"));
    }

    [Fact]
    public void ToDot_TokenizedKeys_AreShortenedUnlessVerbose()
    {
        string name = "inc-0123456789abcdef0123456789abcdef";
        var g = new TaskGraph { [name] = Node.Call(s_inc, Node.Literal(1L)) };

        Dot shortDot = Dot.Parse(GraphvizWriter.ToDot(g));
        Assert.Equal("inc-…89abcdef", shortDot.Nodes[shortDot.DataId(name)].Label);

        Dot verbose = Dot.Parse(GraphvizWriter.ToDot(g, new GraphvizOptions { Verbose = true }));
        Assert.Equal(name, verbose.Nodes[verbose.DataId(name)].Label);
    }

    [Fact]
    public void ToDot_KeysWithQuotesAndBackslashes_AreEscaped()
    {
        var g = new TaskGraph { ["say \"hi\" \\ bye"] = Node.Literal(1L) };
        string text = GraphvizWriter.ToDot(g);
        Assert.Contains("\"say \\\"hi\\\" \\\\ bye\"", text, StringComparison.Ordinal);
        Assert.Equal("say \"hi\" \\ bye", Dot.Parse(text).Nodes.Values.Single().Tooltip);
    }

    [Fact]
    public void ToDot_GraphAboveTheLimit_ThrowsNamingTheLimit()
    {
        var g = new TaskGraph();
        for (int i = 0; i < 11; i++)
        {
            g[new Key("x", i)] = Node.Literal((long)i);
        }

        ArgumentException e = Assert.Throws<ArgumentException>(() => GraphvizWriter.ToDot(g, new GraphvizOptions { MaxTasks = 10 }));
        Assert.Contains("MaxTasks", e.Message, StringComparison.Ordinal);
        Assert.Contains("11", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(GraphvizWriter.ToDot(g, new GraphvizOptions { MaxTasks = 11 }));
    }

    [Fact]
    public void ToDot_DefaultLimit_IsTenThousandKeys()
    {
        var g = new TaskGraph();
        for (int i = 0; i <= GraphvizOptions.DefaultMaxTasks; i++)
        {
            g[new Key("x", i)] = Node.Literal((long)i);
        }

        Assert.Throws<ArgumentException>(() => GraphvizWriter.ToDot(g));
        g.Remove(new Key("x", 0));
        Assert.NotEmpty(GraphvizWriter.ToDot(g));
    }

    [Fact]
    public void ToDot_BadRankDir_Throws() =>
        Assert.Throws<ArgumentException>(() => GraphvizWriter.ToDot(new TaskGraph(), new GraphvizOptions { RankDir = "up" }));

    [Fact]
    public void Write_DotExtension_WritesTheDotText()
    {
        TaskGraph g = DelayedGraph();
        string path = Path.Combine(_folder, "g.dot");
        GraphvizWriter.Write(g, path);
        Assert.Equal(GraphvizWriter.ToDot(g), File.ReadAllText(path));
        Assert.Equal(["g.dot"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_Svg_RunsGraphvizAndProducesAnSvgDocument()
    {
        TaskGraph g = DelayedGraph();
        string path = Path.Combine(_folder, "g.svg");
        File.WriteAllText(path, "old");
        GraphvizWriter.Write(g, path);

        string text = File.ReadAllText(path);
        Assert.Contains("<svg", text, StringComparison.Ordinal);
        XDocument svg = XDocument.Parse(text);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(g.Count + g.Values.Count(n => n is CallNode), svg.Descendants(ns + "g").Count(e => (string?)e.Attribute("class") == "node"));
        Assert.Equal(["g.svg"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_Png_ProducesAPngFile()
    {
        string path = Path.Combine(_folder, "g.PNG");
        GraphvizWriter.Write(DelayedGraph(), path);
        byte[] head = File.ReadAllBytes(path)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }

    [Fact]
    public void Write_UnknownExtension_ThrowsNamingTheSupportedOnes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => GraphvizWriter.Write(DelayedGraph(), Path.Combine(_folder, "g.bmp")));
        Assert.Contains(".svg", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Write_DotMissing_ThrowsNamingThePackageAndWritesNothing()
    {
        string path = Path.Combine(_folder, "g.svg");
        var options = new GraphvizOptions { DotPath = Path.Combine(_folder, "no-such-dot") };
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => GraphvizWriter.Write(DelayedGraph(), path, options));
        Assert.Contains("apt-get install graphviz", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Write_DotFails_ThrowsWithItsErrorAndKeepsTheOldFile()
    {
        string path = Path.Combine(_folder, "g.svg");
        File.WriteAllText(path, "old");
        var options = new GraphvizOptions { DotPath = "/bin/false" };
        Assert.Throws<InvalidOperationException>(() => GraphvizWriter.Write(DelayedGraph(), path, options));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["g.svg"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Visualize_Delayed_WritesItsGraph()
    {
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> x = inc(inc(1));
        string path = Path.Combine(_folder, "x.svg");
        x.Visualize(path);
        XDocument svg = XDocument.Load(path);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        XNamespace xlink = "http://www.w3.org/1999/xlink";
        Assert.Contains(svg.Descendants(), e => (string?)e.Attribute(xlink + "title") == x.Key.ToString());
    }

    /// <summary>A small reader for the DOT text GraphvizWriter writes.</summary>
    private sealed partial class Dot
    {
        public Dictionary<string, DotNode> Nodes { get; } = [];

        public List<(string From, string To)> Edges { get; } = [];

        public static Dot Parse(string text)
        {
            var dot = new Dot();
            foreach (string line in text.Split('\n'))
            {
                Match edge = EdgeLine().Match(line);
                if (edge.Success)
                {
                    dot.Edges.Add((edge.Groups[1].Value, edge.Groups[2].Value));
                    continue;
                }

                Match node = NodeLine().Match(line);
                if (node.Success)
                {
                    string attributes = node.Groups[2].Value;
                    dot.Nodes.Add(node.Groups[1].Value, new DotNode(
                        Attribute(attributes, "label"),
                        Attribute(attributes, "tooltip"),
                        Attribute(attributes, "shape"),
                        attributes));
                }
            }

            return dot;
        }

        public string DataId(Key key) =>
            Nodes.Single(n => n.Value.Shape == "box" && n.Value.Tooltip == key.ToString()).Key;

        public string FunctionId(Key key) =>
            TryFunctionId(key, out string? id) ? id : throw new Xunit.Sdk.XunitException($"No function node for {key}");

        public bool TryFunctionId(Key key, out string id)
        {
            id = Nodes.SingleOrDefault(n => n.Value.Shape == "ellipse" && n.Value.Tooltip == key.ToString()).Key;
            return id is not null;
        }

        private static string Attribute(string attributes, string name)
        {
            Match m = Regex.Match(attributes, name + "=(\"(?:[^\"\\\\]|\\\\.)*\"|\\w+)");
            Assert.True(m.Success, $"no {name} in [{attributes}]");
            string v = m.Groups[1].Value;
            return v.StartsWith('"') ? Regex.Unescape(v[1..^1]) : v;
        }

        [GeneratedRegex(@"^\s*(\w+) -> (\w+);$")]
        private static partial Regex EdgeLine();

        [GeneratedRegex(@"^\s*([df]\d+) \[(.*)\];$")]
        private static partial Regex NodeLine();
    }

    private sealed record DotNode(string Label, string Tooltip, string Shape, string Attributes);
}
