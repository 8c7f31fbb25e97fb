using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>
/// The tasks of one array operation, one per output block. A fusable layer's blocks each depend on
/// at most one block of each input, so <see cref="DArray{TElement}"/>'s optimization may merge a
/// chain of them into one task per output block (blockwise fusion).
/// </summary>
public sealed class BlockLayer : Layer
{
    internal BlockLayer(string name, TaskGraph tasks, bool fusable)
        : base(name)
    {
        Tasks = tasks;
        Fusable = fusable;
    }

    /// <summary>Gets the layer's tasks.</summary>
    public TaskGraph Tasks { get; }

    /// <summary>Gets whether the layer takes part in blockwise fusion.</summary>
    public bool Fusable { get; }

    /// <inheritdoc/>
    public override int Count => Tasks.Count;

    /// <inheritdoc/>
    public override IEnumerable<Key> Keys => Tasks.Keys;

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<Key, Node>> Materialize() => Tasks;
}

/// <summary>Blockwise fusion: a fusable task used by exactly one fusable task is substituted into it.</summary>
internal static class BlockwiseFusion
{
    public static TaskGraph Fuse(TaskGraph graph, IReadOnlyList<Key> outputs, HashSet<string> fusable)
    {
        if (fusable.Count == 0 || !TesseraConfig.Get("optimization.blockwise.active", true))
        {
            return graph;
        }

        var dependents = new Dictionary<Key, int>();
        var users = new Dictionary<Key, List<Key>>();
        var refs = new List<Key>();
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            refs.Clear();
            kv.Value.CollectReferences(refs);
            foreach (Key r in refs)
            {
                dependents[r] = dependents.GetValueOrDefault(r) + 1;
                if (!users.TryGetValue(r, out List<Key>? list))
                {
                    users[r] = list = [];
                }

                list.Add(kv.Key);
            }
        }

        var keep = new HashSet<Key>(outputs);

        // The operation a task ends up in after fusion: follow single users through fusable layers.
        string Host(Key k)
        {
            for (int guard = 0; guard < 1000 && fusable.Contains(k.Name) && !keep.Contains(k) && dependents.GetValueOrDefault(k) == 1; guard++)
            {
                k = users[k][0];
            }

            return k.Name;
        }

        // A source block used by several operations (a reduction and a later elementwise step, say)
        // would be held from the first use to the last; recomputing it in each is cheaper in memory.
        // Used by several blocks of one operation (x + x.T), it is held only briefly: keep it.
        bool WorthInlining(Key source) => users.TryGetValue(source, out List<Key>? us) && us.Select(Host).Distinct(StringComparer.Ordinal).Skip(1).Any();

        var fused = new Dictionary<Key, Node>();
        var absorbed = new HashSet<Key>();
        var inlined = new Dictionary<Key, int>();
        bool inlineSources = TesseraConfig.Get("array.inline-sources", true);
        foreach (KeyValuePair<Key, Node> kv in graph)
        {
            Node node = kv.Value;
            if (fusable.Contains(kv.Key.Name) && node.HasReferences)
            {
                node = node.ReplaceReferences(r =>
                {
                    Key k = r.Key;
                    if (fusable.Contains(k.Name) && !keep.Contains(k) && fused.TryGetValue(k, out Node? inner) && inner is CallNode)
                    {
                        if (dependents.GetValueOrDefault(k) == 1)
                        {
                            absorbed.Add(k);
                            return inner;
                        }

                        if (inlineSources && !inner.HasReferences && WorthInlining(k))
                        {
                            // A source block (random numbers, ones, a range) is recomputed by each
                            // user rather than held until the last one runs.
                            int n = inlined[k] = inlined.GetValueOrDefault(k) + 1;
                            if (n == dependents[k])
                            {
                                absorbed.Add(k);
                            }

                            return inner;
                        }
                    }

                    return r;
                });
            }

            fused[kv.Key] = node;
        }

        if (absorbed.Count == 0)
        {
            return graph;
        }

        var result = new TaskGraph(graph.Count - absorbed.Count);
        foreach (KeyValuePair<Key, Node> kv in fused)
        {
            if (!absorbed.Contains(kv.Key))
            {
                result.TryAdd(kv.Key, kv.Value);
            }
        }

        return result;
    }
}
