namespace Tessera.Graphs;

/// <summary>The built-in graph optimizations: cull, constant inlining and linear fusion.</summary>
public static partial class GraphOptimizations
{
    /// <summary>Keeps only the tasks that <paramref name="outputs"/> need, directly or not.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="outputs">The requested keys.</param>
    /// <returns>The culled graph, in the original insertion order.</returns>
    /// <exception cref="KeyNotFoundException">A requested key is not in the graph.</exception>
    public static TaskGraph Cull(IReadOnlyDictionary<Key, Node> graph, IEnumerable<Key> outputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(outputs);
        var needed = new HashSet<Key>();
        var stack = new Stack<Key>();
        foreach (Key k in outputs)
        {
            if (!graph.ContainsKey(k))
            {
                throw new KeyNotFoundException($"Requested key {k} is not in the graph; check the key's name and block index.");
            }

            stack.Push(k);
        }

        var refs = new List<Key>();
        while (stack.Count > 0)
        {
            Key k = stack.Pop();
            if (!needed.Add(k) || !graph.TryGetValue(k, out Node? node))
            {
                continue;
            }

            refs.Clear();
            node.CollectReferences(refs);
            foreach (Key r in refs)
            {
                if (!needed.Contains(r))
                {
                    stack.Push(r);
                }
            }
        }

        var result = new TaskGraph(needed.Count);
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            if (needed.Contains(kv.Key))
            {
                result.Add(kv.Key, kv.Value);
            }
        }

        return result;
    }
}
