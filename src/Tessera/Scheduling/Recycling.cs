using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>Which results of a plan a local scheduler may recycle when it drops them (see <see cref="IRecyclable"/>).</summary>
internal static class Recycling
{
    private static readonly IReadOnlySet<Key> s_none = new HashSet<Key>();

    /// <summary>
    /// Per task, whether its result is fresh memory that no dependent keeps: made by a call of a function
    /// that declares fresh memory, not an output, and read only by tasks whose node keeps nothing of it.
    /// Null where no task qualifies.
    /// </summary>
    public static bool[]? Recyclable(ExecutionPlan plan, bool[] isOutput)
    {
        bool[]? result = null;

        // What each dependent's node keeps, found once per node however many inputs it has.
        var kept = new IReadOnlySet<Key>?[plan.Count];
        var walked = new bool[plan.Count];
        for (int t = 0; t < plan.Count; t++)
        {
            if (isOutput[t] || !MakesFreshMemory(plan.Nodes[t]))
            {
                continue;
            }

            Key key = plan.Keys[t];
            bool isKept = false;
            foreach (int d in plan.DependentsOf(t))
            {
                if (!walked[d])
                {
                    (kept[d], walked[d]) = (KeptKeys(plan.Nodes[d]), true);
                }

                if (kept[d] is not { } keys || keys.Contains(key))
                {
                    isKept = true;
                    break;
                }
            }

            if (!isKept)
            {
                (result ??= new bool[plan.Count])[t] = true;
            }
        }

        return result;
    }

    /// <summary>Gets whether evaluating <paramref name="node"/> makes fresh memory that nothing else holds: a call of a function that declares it.</summary>
    public static bool MakesFreshMemory(Node node) => node is CallNode { Function.ReturnsFreshMemory: true };

    /// <summary>
    /// Gets the keys whose values evaluating <paramref name="node"/> may leave held, its result included; null
    /// when it may hold any value (it holds a node of a kind this walk does not know). One walk of the node.
    /// </summary>
    /// <remarks>
    /// A reference is held unless the innermost call around it whose function declares its use of arguments
    /// releases them (<see cref="ArgumentUse.Released"/>): a view (<see cref="ArgumentUse.InResult"/>), a list,
    /// tuple or dictionary passes the value up, and a function that may keep it anywhere
    /// (<see cref="ArgumentUse.Unknown"/>) holds it whatever calls it.
    /// </remarks>
    public static IReadOnlySet<Key>? KeptKeys(Node node)
    {
        HashSet<Key>? kept = null;
        return Walk(node, ArgumentUse.InResult, ref kept) ? kept ?? s_none : null;
    }

    // Adds the keys of the references below node that are held, given the innermost deciding use around it
    // (Released or Unknown; InResult while there is none); false at a node that may hold anything.
    private static bool Walk(Node node, ArgumentUse around, ref HashSet<Key>? kept)
    {
        if (!node.HasReferences)
        {
            return true;
        }

        if (node is RefNode r)
        {
            if (around != ArgumentUse.Released)
            {
                (kept ??= []).Add(r.Key);
            }

            return true;
        }

        IReadOnlyList<Node> children = node.Children;
        if (children.Count == 0)
        {
            // References that the node does not report: a kind this walk does not know.
            return false;
        }

        ArgumentUse inside = node is CallNode { Function.ArgumentUse: var use and not ArgumentUse.InResult } ? use : around;
        foreach (Node child in children)
        {
            if (!Walk(child, inside, ref kept))
            {
                return false;
            }
        }

        return true;
    }
}
