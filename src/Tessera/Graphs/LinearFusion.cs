using System.Text;
using Tessera.Scheduling;

namespace Tessera.Graphs;

/// <summary>
/// Implements <see cref="GraphOptimizations.FuseLinear"/>, a port of Dask's
/// <c>fuse_linear_task_spec</c>: linear chains of tasks become one task whose node nests the chain's
/// nodes.
/// </summary>
/// <remarks>
/// <para>
/// Entries are visited in insertion order. From each entry not yet seen, the walk goes down through
/// single dependencies while the dependency has exactly one dependent and is not requested, then up
/// through single dependents while the dependent has exactly one dependency and the chain's top is
/// not requested. As in Dask, a neighbour that stops a walk (shared, requested, or with several
/// dependencies) is marked seen and kept as it is, so which chains form can depend on the graph's
/// insertion order; every choice is correct, none changes a requested result.
/// </para>
/// <para>
/// Two rules are Tessera's own, because a fused task here is one nested expression evaluated
/// recursively rather than Dask's sub-graph: a link whose task refers to its dependency more than
/// once only fuses when everything below the link is free of calls (otherwise the nested call would
/// run once per reference); and a chain stops growing when its nesting depth would pass
/// <see cref="MaxFusedDepth"/>, which bounds the evaluation's stack use. A neighbour stopped by
/// either rule is not marked seen and can head a chain of its own.
/// </para>
/// </remarks>
internal static class LinearFusion
{
    /// <summary>The deepest node nesting a fused task may have (summed over its chain's nodes).</summary>
    internal const int MaxFusedDepth = 128;

    /// <summary>The longest fused key name before it is shortened and given a token.</summary>
    internal const int MaxFusedNameLength = 120;

    private const int TokenLength = 8;

    public static TaskGraph Apply(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        int n = graph.Count;
        if (n < 2)
        {
            return graph;
        }

        var keys = new Key[n];
        var nodes = new Node[n];
        var index = new Dictionary<Key, int>(n);
        int p = 0;
        foreach (KeyValuePair<Key, Node> kv in graph.Entries)
        {
            keys[p] = kv.Key;
            nodes[p] = kv.Value;
            index.Add(kv.Key, p);
            p++;
        }

        bool[] isOutput = new bool[n];
        foreach (Key k in outputs)
        {
            if (index.TryGetValue(k, out int o))
            {
                isOutput[o] = true;
            }
        }

        // Distinct dependencies and dependents; a missing key counts as a dependency (index -1), as
        // Dask counts references to keys outside the graph.
        int[] depCount = new int[n];
        int[] singleDep = new int[n];
        int[] refCount = new int[n];
        int[] dependentCount = new int[n];
        int[] singleDependent = new int[n];
        int[] mark = new int[n];
        mark.AsSpan().Fill(-1);
        var refs = new List<Key>();
        var missing = new List<Key>();
        for (int i = 0; i < n; i++)
        {
            if (!nodes[i].HasReferences)
            {
                continue;
            }

            refs.Clear();
            missing.Clear();
            nodes[i].CollectReferences(refs);
            refCount[i] = refs.Count;
            foreach (Key r in refs)
            {
                if (index.TryGetValue(r, out int d))
                {
                    if (mark[d] != i)
                    {
                        mark[d] = i;
                        depCount[i]++;
                        singleDep[i] = d;
                        dependentCount[d]++;
                        singleDependent[d] = i;
                    }
                }
                else if (!missing.Contains(r))
                {
                    missing.Add(r);
                    depCount[i]++;
                    singleDep[i] = -1;
                }
            }
        }

        // Find the chains. chainOf[i] is the chain holding entry i, or -1 to keep the entry as it is.
        int[] chainOf = new int[n];
        chainOf.AsSpan().Fill(-1);
        var chainMembers = new List<int>();
        var chainStart = new List<int>();
        bool[] seen = new bool[n];
        var down = new List<int>();
        var up = new List<int>();
        for (int key = 0; key < n; key++)
        {
            if (seen[key])
            {
                continue;
            }

            seen[key] = true;
            if ((depCount[key] != 1 && dependentCount[key] != 1) || nodes[key] is LiteralNode { Value: IKeptResult })
            {
                continue;
            }

            down.Clear();
            up.Clear();
            int depth = NodeDepth(nodes[key]);
            if (depth > MaxFusedDepth)
            {
                continue;
            }

            // Towards the roots, through single dependencies with a single dependent.
            bool requireCallFree = false;
            int current = key;
            while (depCount[current] == 1)
            {
                int next = singleDep[current];
                if (next < 0 || seen[next])
                {
                    break;
                }

                if (dependentCount[next] != 1 || isOutput[next] || nodes[next] is LiteralNode { Value: IKeptResult })
                {
                    seen[next] = true;
                    break;
                }

                requireCallFree |= refCount[current] > 1;
                int d = NodeDepth(nodes[next]);
                if (depth + d > MaxFusedDepth || (requireCallFree && !IsCallFree(nodes[next])))
                {
                    break;
                }

                seen[next] = true;
                down.Add(next);
                depth += d;
                current = next;
            }

            // Towards the outputs, through single dependents with a single dependency.
            bool chainCallFree = IsCallFree(nodes[key]);
            foreach (int m in down)
            {
                chainCallFree &= IsCallFree(nodes[m]);
            }

            int top = key;
            while (dependentCount[top] == 1 && !isOutput[top])
            {
                int next = singleDependent[top];
                if (seen[next])
                {
                    break;
                }

                if (depCount[next] != 1)
                {
                    seen[next] = true;
                    break;
                }

                int d = NodeDepth(nodes[next]);
                if (depth + d > MaxFusedDepth || (refCount[next] > 1 && !chainCallFree))
                {
                    break;
                }

                seen[next] = true;
                up.Add(next);
                depth += d;
                chainCallFree &= IsCallFree(nodes[next]);
                top = next;
            }

            if (down.Count == 0 && up.Count == 0)
            {
                continue;
            }

            int chain = chainStart.Count;
            chainStart.Add(chainMembers.Count);
            for (int i = down.Count - 1; i >= 0; i--)
            {
                chainMembers.Add(down[i]);
            }

            chainMembers.Add(key);
            chainMembers.AddRange(up);
            for (int i = chainStart[chain]; i < chainMembers.Count; i++)
            {
                chainOf[chainMembers[i]] = chain;
            }
        }

        if (chainStart.Count == 0)
        {
            return graph;
        }

        chainStart.Add(chainMembers.Count);

        // Emit in insertion order; a chain's fused task (and its top's alias) takes the top's place.
        var result = new TaskGraph(n);
        var fusedNames = new HashSet<Key>();
        for (int i = 0; i < n; i++)
        {
            int chain = chainOf[i];
            if (chain < 0)
            {
                result.Add(keys[i], nodes[i]);
                continue;
            }

            int start = chainStart[chain];
            int end = chainStart[chain + 1];
            int top = chainMembers[end - 1];
            if (i != top)
            {
                continue;
            }

            Node fused = nodes[chainMembers[start]];
            for (int m = start + 1; m < end; m++)
            {
                Key inner = keys[chainMembers[m - 1]];
                Node below = fused;
                fused = nodes[chainMembers[m]].ReplaceReferences(r => r.Key == inner ? below : r);
            }

            Key fusedKey = FusedKey(keys, chainMembers, start, end, index, fusedNames);
            result.Add(fusedKey, fused);
            if (fusedKey != keys[top] && (isOutput[top] || dependentCount[top] > 0))
            {
                result.Add(keys[top], Node.Ref(fusedKey));
            }
        }

        return result;
    }

    // The chain's key prefixes in dependency order (each once), joined with '-', with the block index
    // of the top key; a token is appended when that would collide with another key or is too long.
    private static Key FusedKey(Key[] keys, List<int> members, int start, int end, Dictionary<Key, int> index, HashSet<Key> fusedNames)
    {
        Key top = keys[members[end - 1]];
        var prefixes = new List<string>(end - start);
        foreach (int m in members.GetRange(start, end - start))
        {
            string prefix = keys[m].Prefix;
            if (!prefixes.Contains(prefix))
            {
                prefixes.Add(prefix);
            }
        }

        string name = string.Join('-', prefixes);
        Key candidate = top.WithName(name);
        if (candidate == top)
        {
            return candidate;
        }

        if (name.Length <= MaxFusedNameLength && !index.ContainsKey(candidate) && fusedNames.Add(candidate))
        {
            return candidate;
        }

        var chainKeys = new object?[end - start];
        for (int m = start; m < end; m++)
        {
            chainKeys[m - start] = keys[members[m]].ToString();
        }

        string token = Tokenizer.Tokenize(chainKeys)[..TokenLength];
        if (name.Length > MaxFusedNameLength - TokenLength - 1)
        {
            name = name[..(MaxFusedNameLength - TokenLength - 1)].TrimEnd('-');
        }

        var sb = new StringBuilder(name).Append('-').Append(token);
        candidate = top.WithName(sb.ToString());
        for (int attempt = 2; index.ContainsKey(candidate) || !fusedNames.Add(candidate); attempt++)
        {
            candidate = top.WithName(sb.ToString() + "-" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return candidate;
    }

    // Nesting depth of a node: 1 for a literal or a reference, one more than its deepest child otherwise.
    internal static int NodeDepth(Node node)
    {
        int deepest = 0;
        foreach (Node child in node.Children)
        {
            deepest = Math.Max(deepest, NodeDepth(child));
        }

        return deepest + 1;
    }

    // Whether evaluating the node calls no function (so evaluating it twice costs nothing that matters).
    internal static bool IsCallFree(Node node)
    {
        if (node is CallNode)
        {
            return false;
        }

        foreach (Node child in node.Children)
        {
            if (!IsCallFree(child))
            {
                return false;
            }
        }

        return true;
    }
}
