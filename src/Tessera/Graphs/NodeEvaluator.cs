namespace Tessera.Graphs;

/// <summary>Evaluates one node outside a plan, with the values of the keys it refers to.</summary>
internal static class NodeEvaluator
{
    /// <summary>Evaluates <paramref name="node"/>; every key it refers to must be in <paramref name="values"/>.</summary>
    public static object? Evaluate(Node node, IReadOnlyDictionary<Key, object?> values)
    {
        if (!node.HasReferences)
        {
            var empty = new EvaluationContext([], []);
            return node.Evaluate(ref empty);
        }

        var refs = new List<Key>();
        node.CollectReferences(refs);
        object?[] results = new object?[refs.Count];
        int[] slots = new int[refs.Count];
        for (int i = 0; i < refs.Count; i++)
        {
            if (!values.TryGetValue(refs[i], out object? v))
            {
                throw new KeyNotFoundException($"The value of {refs[i]} is needed to evaluate the task but was not provided.");
            }

            results[i] = v;
            slots[i] = i;
        }

        var context = new EvaluationContext(results, slots);
        return node.Evaluate(ref context);
    }
}
