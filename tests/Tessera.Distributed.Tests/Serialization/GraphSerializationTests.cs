using System.Diagnostics;
using CsCheck;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests.Serialization;

public sealed class GraphSerializationTests(ITestOutputHelper output)
{
    private static readonly TaskFunction s_inc = TaskFunction.Create<int, int>(Inc);
    private static readonly TaskFunction s_add = TaskFunction.Create<int, int, int>(static (a, b) => a + b, "add");
    private static readonly TaskFunction s_concat = TaskFunction.Create<object?, object?, string>(static (a, b) => $"{a}|{b}", "concat");
    private static readonly TaskFunction s_sum = TaskFunction.Create<int[], int>(static xs => xs.Sum(), "sum");
    private static readonly TaskFunction s_count = TaskFunction.Create<object?[], int>(static xs => xs.Length, "count");
    private static readonly TaskFunction[] s_functions = [s_inc, s_add, s_concat];

    private static Gen<object?> Literals { get; } = Gen.OneOf<object?>(
        Gen.Int.Select(x => (object?)x),
        Gen.Long.Select(x => (object?)x),
        Gen.Double.Select(x => (object?)x),
        Gen.String.Select(x => (object?)x),
        Gen.Int.Select(_ => (object?)null),
        Gen.Int.Array.Select(x => (object?)x),
        Gen.String.Select(s => (object?)new Person(s, s.Length, [s])),
        Gen.Int.Select(i => (object?)new Key("k", i)));

    [Fact]
    public void RoundTrip_RandomNodeTrees_PreserveStructureAndTypedKinds()
    {
        Gen<Node> nodes = NodeGen(4);
        nodes.Sample(
            node =>
            {
                var serializer = new TesseraSerializer();
                EncodeContext encode = serializer.CreateEncodeContext();
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                var writer = new Nerdbank.MessagePack.MessagePackWriter(buffer);
                serializer.WriteNode(ref writer, node, encode);
                writer.Flush();
                var message = new SerializedMessage(buffer.WrittenMemory, [.. encode.Buffers]);
                DecodeContext decode = serializer.CreateDecodeContext(message, RoundTrip.Session);
                var reader = new Nerdbank.MessagePack.MessagePackReader(message.Header);
                SameNode(node, serializer.ReadNode(ref reader, decode), "node");
            },
            iter: 300,
            threads: 1,
            print: n => n.ToString());
    }

    [Fact]
    public void RoundTrip_TaskGraph_ComputesTheSameResultsOnTheSyncScheduler()
    {
        var graph = new TaskGraph
        {
            { "a", Node.Literal(1) },
            { "b", Node.Call(s_inc, Node.Ref("a")) },
            { new Key("c", 0), Node.Call(s_add, Node.Ref("a"), Node.Ref("b")) },
            { new Key("c", 1), Node.Call(s_add, Node.Ref(new Key("c", 0)), Node.Literal(10)) },
            { "s", Node.Call(s_sum, Node.List<int>(Node.Ref("b"), Node.Ref(new Key("c", 0)), Node.Ref(new Key("c", 1)))) },
            { "t", Node.Call(s_concat, Node.Tuple<int, string>(Node.Ref("s"), Node.Literal("x")), Node.Literal(null)) },
            { "d", Node.Call(s_count, Node.List<object?>(Node.Dict<string, int>([KeyValuePair.Create("q", (Node)Node.Ref("a"))]), Node.Literal(2.5))) },
            { "alias", Node.Ref("t") },
        };
        Key[] keys = [.. graph.Keys];

        SerializedMessage message = RoundTrip.Serializer.SerializeGraph(graph, out IReadOnlyCollection<System.Reflection.Assembly> assemblies);
        TaskGraph back = RoundTrip.Serializer.DeserializeGraph(SerializedMessage.FromArray(message.ToArray()), RoundTrip.Session);

        Assert.Equal(keys, back.Keys);
        foreach (Key k in keys)
        {
            SameNode(graph[k], back[k], k.ToString());
        }

        Assert.Contains(typeof(GraphSerializationTests).Assembly, assemblies);
        object?[] expected = SyncScheduler.Instance.Get(graph, keys);
        object?[] actual = SyncScheduler.Instance.Get(back, keys);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Deep.Equal(expected[i], actual[i], keys[i].ToString());
        }

        Assert.Equal("(18, x)|", actual[Array.IndexOf(keys, (Key)"t")]);
    }

    [Fact]
    public void Graph10k_EncodesEachFunctionOnce_AndReportsSizeAndSpeed()
    {
        const int n = 10_000;
        int offset = 3;
        var closure = TaskFunction.Create<int, int, int>((a, b) => a + b + offset, "closure");
        var graph = new TaskGraph(n + 1) { { "seed", Node.Literal(0) } };
        for (int i = 0; i < n; i++)
        {
            graph.Add(new Key("inc", i), i % 2 == 0
                ? Node.Call(s_inc, Node.Ref(i == 0 ? "seed" : new Key("inc", i - 1)))
                : Node.Call(closure, Node.Ref(new Key("inc", i - 1)), Node.Literal(i)));
        }

        var serializer = new TesseraSerializer();
        SerializedMessage message = serializer.SerializeGraph(graph); // warm up type and function caches
        using var session = new CodeSession("graph10k", trustApplicationAssemblies: true);
        TaskGraph back = serializer.DeserializeGraph(message, session);

        const int rounds = 10;
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < rounds; r++)
        {
            message = serializer.SerializeGraph(graph);
        }

        double encodeMs = clock.Elapsed.TotalMilliseconds / rounds;
        clock.Restart();
        for (int r = 0; r < rounds; r++)
        {
            back = serializer.DeserializeGraph(message, session);
        }

        double decodeMs = clock.Elapsed.TotalMilliseconds / rounds;
        output.WriteLine($"10k-task graph: {message.TotalLength} bytes ({message.TotalLength / (double)graph.Count:0.0} B/task), encode {encodeMs:0.00} ms, decode {decodeMs:0.00} ms");

        Assert.Equal(2, session.CachedFunctionCount);
        Assert.True(message.TotalLength < 30 * n, $"{message.TotalLength} bytes for {n} tasks");
        object? last = SyncScheduler.Instance.Get(back, [new Key("inc", n - 1)])[0];
        Assert.Equal(SyncScheduler.Instance.Get(graph, [new Key("inc", n - 1)])[0], last);
    }

    [Fact]
    public void SerializeGraph_TaskWithUnshippableFunction_NamesTheTaskAndCapture()
    {
        var stream = new MemoryStream();
        var bad = TaskFunction.Create<int, long>(x => x + stream.Length, "measure");
        var graph = new TaskGraph { { new Key("m", 3), Node.Call(bad, Node.Literal(1)) } };

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => RoundTrip.Serializer.SerializeGraph(graph));

        Assert.Equal("fn.Target.stream", e.Path);
        Assert.StartsWith("task ('m', 3) calls 'measure', which cannot be shipped: fn.Target.stream: captured variable of type System.IO.MemoryStream", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SerializeGraph_LiteralThatIsNotData_NamesTheEntry()
    {
        var graph = new TaskGraph { { new Key("x", 1), Node.Call(s_concat, Node.Literal(1), Node.Literal(new Random(1))) } };

        ValueSerializationException e = Assert.Throws<ValueSerializationException>(() => RoundTrip.Serializer.SerializeGraph(graph));

        Assert.Equal("graph[('x', 1)].args[1]", e.Path);
    }

    private static int Inc(int x) => x + 1;

    private static Gen<Node> NodeGen(int depth)
    {
        Gen<Node> literal = Literals.Select(v => (Node)Node.Literal(v));
        Gen<Node> reference = Gen.OneOf(Gen.String[1, 8].Select(s => new Key(s)), Gen.Int[0, 9].Select(i => new Key("x", i, i + 1)))
            .Select(k => (Node)Node.Ref(k));
        if (depth == 0)
        {
            return Gen.OneOf(literal, reference);
        }

        Gen<Node> child = NodeGen(depth - 1);
        Gen<Node> call = Gen.Int[0, s_functions.Length - 1].SelectMany(f => child.Array[s_functions[f].Arity].Select(args => (Node)Node.Call(s_functions[f], args)));
        Gen<Node> listInts = child.Array[0, 3].Select(items => (Node)Node.List<int>(items));
        Gen<Node> listObjects = child.Array[0, 3].Select(items => (Node)Node.List<object?>(items));
        Gen<Node> tuple = Gen.Select(child, child, (a, b) => (Node)Node.Tuple<string, Person>(a, b));
        Gen<Node> dict = Gen.Select(Gen.String[0, 4].Array[0, 3], child.Array[3], (keys, values) =>
            (Node)Node.Dict<string, object>(keys.Distinct().Select((k, i) => KeyValuePair.Create(k, values[i]))));
        return Gen.Frequency<Node>((3, literal), (2, reference), (3, call), (1, listInts), (1, listObjects), (1, tuple), (1, dict));
    }

    private static void SameNode(Node expected, Node actual, string path)
    {
        // Literals are one kind of node whatever their storage (boxed or unboxed).
        static Type Kind(Node n) => n is LiteralNode ? typeof(LiteralNode) : n.GetType();
        Assert.True(Kind(expected) == Kind(actual), $"{path}: {expected.GetType()} became {actual.GetType()}");
        switch (expected)
        {
            case LiteralNode l:
                Deep.Equal(l.Value, ((LiteralNode)actual).Value, path);
                break;
            case RefNode r:
                Assert.Equal(r.Key, ((RefNode)actual).Key);
                break;
            case CallNode c:
                var ac = (CallNode)actual;
                Assert.Equal(c.Function.Name, ac.Function.Name);
                Assert.Equal(c.Function.Delegate.Method, ac.Function.Delegate.Method);
                Assert.Equal(c.Function.ReturnType, ac.Function.ReturnType);
                Assert.Equal(c.Arguments.Length, ac.Arguments.Length);
                for (int i = 0; i < c.Arguments.Length; i++)
                {
                    SameNode(c.Arguments[i], ac.Arguments[i], $"{path}.args[{i}]");
                }

                break;
            case ListNode list:
                var al = (ListNode)actual;
                Assert.Equal(list.Items.Length, al.Items.Length);
                for (int i = 0; i < list.Items.Length; i++)
                {
                    SameNode(list.Items[i], al.Items[i], $"{path}.items[{i}]");
                }

                break;
            default:
                // Tuples and dictionaries: same generic type (checked above) and same printed shape.
                Assert.Equal(expected.GetReferences(), actual.GetReferences());
                Assert.Equal(expected.ToString(), actual.ToString());
                break;
        }
    }
}
