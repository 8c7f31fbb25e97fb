using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>Which results of a plan a local scheduler may recycle when it drops them (see <see cref="IRecyclable"/>).</summary>
internal static class Recycling
{
    private enum Hold
    {
        /// <summary>The task's result and everything it called keep nothing of the value.</summary>
        None,

        /// <summary>The node's result may be (or view) the value.</summary>
        InResult,

        /// <summary>Something may keep the value anywhere.</summary>
        Anywhere,
    }

    /// <summary>
    /// Per task, whether its result is fresh memory that no dependent keeps: made by a call of a function
    /// that declares fresh memory, not an output, and read only by tasks whose node keeps nothing of it.
    /// Null where no task qualifies.
    /// </summary>
    public static bool[]? Recyclable(ExecutionPlan plan, bool[] isOutput)
    {
        bool[]? result = null;
        for (int t = 0; t < plan.Count; t++)
        {
            if (isOutput[t] || !MakesFreshMemory(plan.Nodes[t]))
            {
                continue;
            }

            Key key = plan.Keys[t];
            bool kept = false;
            foreach (int d in plan.DependentsOf(t))
            {
                if (MayKeep(plan.Nodes[d], key))
                {
                    kept = true;
                    break;
                }
            }

            if (!kept)
            {
                (result ??= new bool[plan.Count])[t] = true;
            }
        }

        return result;
    }

    /// <summary>Gets whether evaluating <paramref name="node"/> makes fresh memory that nothing else holds: a call of a function that declares it.</summary>
    public static bool MakesFreshMemory(Node node) => node is CallNode { Function.ReturnsFreshMemory: true };

    /// <summary>Gets whether evaluating <paramref name="node"/> may leave anything (its result included) holding the value of <paramref name="key"/>.</summary>
    public static bool MayKeep(Node node, Key key) => HoldOf(node, key) != Hold.None;

    // What the result of evaluating node may hold of key's value.
    private static Hold HoldOf(Node node, Key key)
    {
        switch (node)
        {
            case RefNode r:
                return r.Key == key ? Hold.InResult : Hold.None;
            case LiteralNode:
                return Hold.None;
        }

        // A node with references but no children it reports is of a kind this walk does not know: it may hold anything.
        if (node.HasReferences && node.Children.Count == 0)
        {
            return Hold.Anywhere;
        }

        Hold worst = Hold.None;
        foreach (Node child in node.Children)
        {
            Hold h = HoldOf(child, key);
            worst = h > worst ? h : worst;
        }

        // A list, tuple or dictionary holds its items in its value, as a view does; a call keeps what its
        // function declares of its arguments, the items of a list argument included.
        ArgumentUse use = node is CallNode call ? call.Function.ArgumentUse : ArgumentUse.InResult;
        return worst switch
        {
            Hold.None => Hold.None,
            Hold.Anywhere => Hold.Anywhere,
            _ => use switch
            {
                ArgumentUse.Released => Hold.None,
                ArgumentUse.InResult => Hold.InResult,
                _ => Hold.Anywhere,
            },
        };
    }
}
