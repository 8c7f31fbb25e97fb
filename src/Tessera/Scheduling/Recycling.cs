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
            if (isOutput[t] || plan.Nodes[t] is not CallNode { Function.ReturnsFreshMemory: true })
            {
                continue;
            }

            Key key = plan.Keys[t];
            bool kept = false;
            foreach (int d in plan.DependentsOf(t))
            {
                if (HoldOf(plan.Nodes[d], key) != Hold.None)
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

    // What the result of evaluating node may hold of key's value.
    private static Hold HoldOf(Node node, Key key)
    {
        switch (node)
        {
            case RefNode r:
                return r.Key == key ? Hold.InResult : Hold.None;
            case LiteralNode:
                return Hold.None;
            case CallNode call:
                Hold worst = Hold.None;
                foreach (Node arg in call.Arguments)
                {
                    Hold h = HoldOf(arg, key);
                    worst = h > worst ? h : worst;
                }

                return worst switch
                {
                    Hold.None => Hold.None,
                    Hold.Anywhere => Hold.Anywhere,
                    _ => call.Function.ArgumentUse switch
                    {
                        ArgumentUse.Released => Hold.None,
                        ArgumentUse.InResult => Hold.InResult,
                        _ => Hold.Anywhere,
                    },
                };
            default:
                // Lists, tuples, dictionaries: their values hold their items.
                var keys = new List<Key>();
                node.CollectReferences(keys);
                return keys.Contains(key) ? Hold.Anywhere : Hold.None;
        }
    }
}
