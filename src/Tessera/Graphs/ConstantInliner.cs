using Tessera.Scheduling;

namespace Tessera.Graphs;

/// <summary>
/// Implements <see cref="GraphOptimizations.InlineConstants"/>: collapses single-use alias chains
/// (Dask's <c>resolve_aliases</c>), then substitutes literal data entries into the nodes that use
/// them and drops those entries.
/// </summary>
/// <remarks>
/// Runs on every compute, so the common case (no literal entries, no aliases) is one scan of the
/// graph that allocates nothing and returns the graph itself. The full pass is O(V + E).
/// </remarks>
internal static class ConstantInliner
{
    // Below this many requested keys a linear scan beats building a set.
    private const int LinearOutputScan = 8;

    private const byte Unresolved = 0;
    private const byte Resolving = 1;
    private const byte Resolved = 2;

    public static TaskGraph Apply(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        return MayChange(graph, outputs) ? Rewrite(graph, outputs) : graph;
    }

    // True when the graph has an alias or a literal entry that is not requested.
    private static bool MayChange(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        HashSet<Key>? outputSet = null;
        foreach (KeyValuePair<Key, Node> kv in graph.Entries)
        {
            switch (kv.Value)
            {
                case RefNode:
                    return true;
                case LiteralNode { Value: IKeptResult }:
                    break;
                case LiteralNode:
                    if (outputs.Count <= LinearOutputScan)
                    {
                        if (!ContainsLinear(outputs, kv.Key))
                        {
                            return true;
                        }
                    }
                    else
                    {
                        outputSet ??= [.. outputs];
                        if (!outputSet.Contains(kv.Key))
                        {
                            return true;
                        }
                    }

                    break;
            }
        }

        return false;
    }

    private static bool ContainsLinear(IReadOnlyList<Key> outputs, Key key)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i] == key)
            {
                return true;
            }
        }

        return false;
    }

    private static TaskGraph Rewrite(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        int n = graph.Count;
        var keys = new Key[n];
        var nodes = new Node[n];
        var index = new Dictionary<Key, int>(n);
        bool anyAlias = false;
        int p = 0;
        foreach (KeyValuePair<Key, Node> kv in graph.Entries)
        {
            keys[p] = kv.Key;
            nodes[p] = kv.Value;
            index.Add(kv.Key, p);
            anyAlias |= kv.Value is RefNode;
            p++;
        }

        var outputSet = new HashSet<Key>(outputs);
        bool[] removed = new bool[n];
        bool changed = anyAlias && CollapseAliases(keys, nodes, index, outputSet, removed);

        // Which entries evaluate to a constant: a literal, or an alias whose target does.
        var constant = new LiteralNode?[n];
        byte[] state = new byte[n];
        bool[] inlined = new bool[n];
        var path = new List<int>();
        bool anyInlined = false;
        for (int i = 0; i < n; i++)
        {
            if (!removed[i] && nodes[i] is RefNode or LiteralNode { Value: not IKeptResult } && !outputSet.Contains(keys[i]) &&
                Resolve(i, nodes, index, removed, constant, state, path) is not null)
            {
                inlined[i] = true;
                anyInlined = true;
            }
        }

        if (!changed && !anyInlined)
        {
            return graph;
        }

        Func<RefNode, Node> replace = r => index.TryGetValue(r.Key, out int t) && inlined[t] ? constant[t]! : r;
        var result = new TaskGraph(n);
        for (int i = 0; i < n; i++)
        {
            if (removed[i] || inlined[i])
            {
                continue;
            }

            Node node = nodes[i];
            result.Add(keys[i], anyInlined && node.HasReferences ? node.ReplaceReferences(replace) : node);
        }

        return result;
    }

    // Dask's resolve_aliases: an alias takes over its target's node when the target is in the graph,
    // is not requested, and has no other dependent; repeated while the entry is still an alias.
    private static bool CollapseAliases(Key[] keys, Node[] nodes, Dictionary<Key, int> index, HashSet<Key> outputSet, bool[] removed)
    {
        int n = keys.Length;
        int[] dependents = new int[n];
        int[] mark = new int[n];
        mark.AsSpan().Fill(-1);
        var refs = new List<Key>();
        for (int i = 0; i < n; i++)
        {
            if (!nodes[i].HasReferences)
            {
                continue;
            }

            refs.Clear();
            nodes[i].CollectReferences(refs);
            foreach (Key r in refs)
            {
                if (index.TryGetValue(r, out int d) && mark[d] != i)
                {
                    mark[d] = i;
                    dependents[d]++;
                }
            }
        }

        bool changed = false;
        for (int i = 0; i < n; i++)
        {
            // The target's only dependent is this alias, so moving its node here keeps every count
            // right: the target's own dependencies now have this entry as their dependent instead.
            while (!removed[i] &&
                nodes[i] is RefNode alias &&
                index.TryGetValue(alias.Key, out int t) &&
                t != i &&
                !removed[t] &&
                dependents[t] == 1 &&
                !outputSet.Contains(alias.Key))
            {
                nodes[i] = nodes[t];
                removed[t] = true;
                changed = true;
            }
        }

        return changed;
    }

    // The literal entry i evaluates to, following aliases; null when it is not a constant (or the
    // aliases form a cycle). Memoized; iterative, so long alias chains cannot overflow the stack.
    private static LiteralNode? Resolve(int i, Node[] nodes, Dictionary<Key, int> index, bool[] removed, LiteralNode?[] constant, byte[] state, List<int> path)
    {
        path.Clear();
        LiteralNode? value = null;
        int j = i;
        while (true)
        {
            if (state[j] == Resolved)
            {
                value = constant[j];
                break;
            }

            if (state[j] == Resolving)
            {
                break;
            }

            if (nodes[j] is LiteralNode literal)
            {
                // A kept result is data the scheduler holds, not a value to inline.
                value = literal.Value is IKeptResult ? null : literal;
                break;
            }

            if (nodes[j] is RefNode alias && index.TryGetValue(alias.Key, out int t) && !removed[t])
            {
                state[j] = Resolving;
                path.Add(j);
                j = t;
                continue;
            }

            break;
        }

        if (state[j] != Resolving)
        {
            state[j] = Resolved;
            constant[j] = value;
        }

        foreach (int q in path)
        {
            state[q] = Resolved;
            constant[q] = value;
        }

        return value;
    }
}
