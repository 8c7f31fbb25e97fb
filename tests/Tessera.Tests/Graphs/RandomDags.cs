using System.Text;
using CsCheck;
using Tessera.Graphs;

namespace Tessera.Tests.Graphs;

/// <summary>A generated task graph and the keys a test requests from it.</summary>
internal sealed record RandomDag(TaskGraph Graph, Key[] Outputs)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<Key, Node> kv in Graph)
        {
            sb.Append(kv.Key).Append(" = ").Append(kv.Value).Append("; ");
        }

        return sb.Append("outputs: ").AppendJoin(", ", Outputs).ToString();
    }
}

/// <summary>Generators of random acyclic task graphs over <see cref="long"/> values.</summary>
internal static class RandomDags
{
    public static readonly TaskFunction Inc = TaskFunction.Create((long x) => x + 1, "inc");
    public static readonly TaskFunction Add = TaskFunction.Create((long x, long y) => x + y, "add");
    public static readonly TaskFunction Sum = TaskFunction.Create((IReadOnlyList<long> xs) => xs.Sum(), "sum");

    // "a-b" is also a prefix so that fused names ("a-b") can meet existing names.
    private static readonly string[] s_prefixes = ["a", "b", "inc", "a-b", "x"];

    /// <summary>
    /// Graphs of 1 to <paramref name="maxNodes"/> entries: literals, inc/add/sum calls and aliases,
    /// referring to earlier entries (often the previous few, so that linear chains are common), inserted
    /// in a random order, with 1 to 4 requested keys.
    /// </summary>
    public static Gen<RandomDag> Dag(int maxNodes = 24) =>
        Gen.Select(
            Gen.Select(Gen.Int[0, 9], Gen.Int[0, 999], Gen.Int[0, 999], Gen.Long[-9, 9], Gen.Int).Array[1, maxNodes],
            Gen.Int[0, 999].Array[1, 4])
        .Select((specs, outs) => Build(specs, outs));

    private static RandomDag Build((int Kind, int A, int B, long Value, int Order)[] specs, int[] outs)
    {
        int n = specs.Length;
        var keys = new Key[n];
        var nodes = new Node[n];
        for (int i = 0; i < n; i++)
        {
            (int kind, int a, int b, long value, _) = specs[i];
            string prefix = s_prefixes[b % s_prefixes.Length];
            keys[i] = b % 2 == 0 ? new Key(prefix, i) : new Key($"{prefix}-{i}");
            if (i == 0)
            {
                kind = 0;
            }

            Node Ref(int salt) => Node.Ref(keys[Target(i, a + (salt * 337))]);
            nodes[i] = kind switch
            {
                0 => Node.Literal(value),
                1 or 2 or 3 => Node.Call(Inc, Ref(0)),
                4 => Node.Call(Add, Ref(0), Ref(1)),
                5 => Node.Call(Add, Ref(0), Node.Literal(value)),
                6 => Node.Call(Add, Ref(0), Ref(0)),
                7 => Node.Call(Sum, Node.List<long>([.. Enumerable.Range(0, 1 + (b % 3)).Select(Ref)])),
                _ => Ref(0),
            };
        }

        var graph = new TaskGraph(n);
        foreach (int i in Enumerable.Range(0, n).OrderBy(i => specs[i].Order).ThenBy(i => i))
        {
            graph.Add(keys[i], nodes[i]);
        }

        return new RandomDag(graph, [.. outs.Select(o => keys[o % n])]);
    }

    // Mostly one of the previous three entries, sometimes any earlier one.
    private static int Target(int i, int a) => a % 1000 < 700 ? i - 1 - (a % Math.Min(i, 3)) : a % i;

    /// <summary>The keys reachable from <paramref name="outputs"/>, by a plain search.</summary>
    public static HashSet<Key> Reachable(TaskGraph graph, IEnumerable<Key> outputs)
    {
        var seen = new HashSet<Key>();
        var stack = new Stack<Key>(outputs);
        while (stack.Count > 0)
        {
            Key k = stack.Pop();
            if (seen.Add(k))
            {
                foreach (Key d in graph[k].GetReferences())
                {
                    stack.Push(d);
                }
            }
        }

        return seen;
    }
}
