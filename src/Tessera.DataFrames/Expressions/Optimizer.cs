namespace Tessera.DataFrames.Expressions;

/// <summary>
/// Rewrites a plan before it is lowered (dask-expr's <c>optimize</c>): filters moved below projections
/// and assignments (<see cref="FilterPushdown"/>), projection pushdown (each
/// read parses only the columns something above it uses; an assigned column nobody uses is not
/// computed) and predicate pushdown (a filter right after a read, whose mask is computed from that
/// read alone, becomes the read's own filter). Results are the same with and without it; turn it
/// off with the configuration key <see cref="ConfigKey"/>.
/// </summary>
internal static class Optimizer
{
    /// <summary>The configuration key (bool, default true) that turns plan optimization on and off.</summary>
    public const string ConfigKey = "dataframe.optimize";

    public static bool Enabled => TesseraConfig.Get(ConfigKey, true);

    /// <summary>The optimized plan; its root has the same schema, partitions and rows as <paramref name="root"/>.</summary>
    public static Expr Optimize(Expr root)
    {
        root = FilterPushdown.Apply(root);
        List<Expr> order = TopologicalOrder(root);
        var required = new Dictionary<Expr, HashSet<string>?>(ReferenceEqualityComparer.Instance) { [root] = null };
        var consumers = new Dictionary<Expr, List<Expr>>(ReferenceEqualityComparer.Instance);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            Expr e = order[i];
            if (e is PartitionwiseExpr p && required.TryGetValue(e, out HashSet<string>? need))
            {
                foreach ((Expr input, HashSet<string>? inputNeed) in Needs(p, need))
                {
                    Require(required, input, inputNeed);
                    if (!consumers.TryGetValue(input, out List<Expr>? list))
                    {
                        consumers[input] = list = [];
                    }

                    list.Add(e);
                }
            }
        }

        var rewritten = new Dictionary<Expr, Expr>(ReferenceEqualityComparer.Instance);
        foreach (Expr e in order)
        {
            if (required.TryGetValue(e, out HashSet<string>? need))
            {
                rewritten[e] = Rewrite(e, need, rewritten, consumers);
            }
        }

        return rewritten[root];
    }

    /// <summary>Inputs before the nodes that use them; a graph leaf ends the walk.</summary>
    public static List<Expr> TopologicalOrder(Expr root)
    {
        var order = new List<Expr>();
        var seen = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Expr Node, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            (Expr e, bool expanded) = stack.Pop();
            if (expanded)
            {
                order.Add(e);
                continue;
            }

            if (!seen.Add(e))
            {
                continue;
            }

            stack.Push((e, true));
            foreach (Expr input in e.Inputs)
            {
                if (!seen.Contains(input))
                {
                    stack.Push((input, false));
                }
            }
        }

        return order;
    }

    private static IEnumerable<(Expr Input, HashSet<string>? Need)> Needs(PartitionwiseExpr p, HashSet<string>? need)
    {
        string[] NamesArg() => (string[])p.Args[0]!;
        switch (p.Use)
        {
            case ColumnUse.Select:
                yield return (p.Inputs[0], [.. NamesArg().Where(c => need is null || need.Contains(c))]);
                break;
            case ColumnUse.GetItem:
                yield return (p.Inputs[0], [(string)p.Args[0]!]);
                break;
            case ColumnUse.Filter:
                yield return (p.Inputs[0], need);
                yield return (p.Inputs[1], null);
                break;
            case ColumnUse.Assign or ColumnUse.AssignScalar:
                string column = (string)p.Args[0]!;
                if (need is not null && !need.Contains(column))
                {
                    yield return (p.Inputs[0], need);
                    break;
                }

                yield return (p.Inputs[0], need is null ? null : [.. need.Where(c => c != column)]);
                if (p.Use == ColumnUse.Assign)
                {
                    yield return (p.Inputs[1], null);
                }

                break;
            case ColumnUse.Drop:
                yield return (p.Inputs[0], need is null ? null : [.. need, .. NamesArg()]);
                break;
            default:
                foreach (Expr input in p.Inputs)
                {
                    yield return (input, null);
                }

                break;
        }
    }

    private static void Require(Dictionary<Expr, HashSet<string>?> required, Expr e, HashSet<string>? need)
    {
        if (!required.TryGetValue(e, out HashSet<string>? have))
        {
            required[e] = need is null ? null : new HashSet<string>(need, StringComparer.Ordinal);
        }
        else if (have is not null)
        {
            if (need is null)
            {
                required[e] = null;
            }
            else
            {
                have.UnionWith(need);
            }
        }
    }

    private static Expr Rewrite(Expr e, HashSet<string>? need, Dictionary<Expr, Expr> rewritten, Dictionary<Expr, List<Expr>> consumers)
    {
        switch (e)
        {
            case ReadExpr read when need is not null:
                // A read of no column would lose the row count: keep the cheapest one, the first.
                return read.WithColumns(need.Count > 0 ? need : [read.Columns[0]]);
            case PartitionwiseExpr p:
                Expr[] inputs = [.. p.Inputs.Where(rewritten.ContainsKey).Select(i => rewritten[i])];
                if (p.Use is ColumnUse.Assign or ColumnUse.AssignScalar && need is not null && !need.Contains((string)p.Args[0]!))
                {
                    return inputs[0];
                }

                object?[] args = p.Args;
                if (p.Use == ColumnUse.Select && need is not null)
                {
                    args = [.. args];
                    args[0] = ((string[])p.Args[0]!).Where(need.Contains).ToArray();
                }

                if (p.Use == ColumnUse.Filter && PushableFilter(p, inputs, consumers) is { } target)
                {
                    string[] output = need is null ? target.Columns : [.. target.Columns.Where(need.Contains)];
                    return target.WithPredicate(inputs[1], output);
                }

                bool same = ReferenceEquals(args, p.Args) && inputs.Zip(p.Inputs).All(x => ReferenceEquals(x.First, x.Second));
                return same ? p : p.With(args, inputs);
            default:
                return e;
        }
    }

    /// <summary>The read a filter can move into: its frame is a read, its mask uses that read only, and nothing else uses the read.</summary>
    private static ReadExpr? PushableFilter(PartitionwiseExpr filter, Expr[] inputs, Dictionary<Expr, List<Expr>> consumers)
    {
        if (inputs[0] is not ReadExpr { Predicate: null } read || filter.Inputs[0] is not ReadExpr original)
        {
            return null;
        }

        var mask = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        if (!OnlyOver(filter.Inputs[1], original, mask) || !OnlyOver(inputs[1], read, new HashSet<Expr>(ReferenceEqualityComparer.Instance)))
        {
            return null;
        }

        return consumers[original].All(c => ReferenceEquals(c, filter) || mask.Contains(c)) ? read : null;
    }

    /// <summary>Whether every leaf under <paramref name="e"/> is <paramref name="read"/> and every step can be fused.</summary>
    private static bool OnlyOver(Expr e, Expr read, HashSet<Expr> seen)
    {
        if (ReferenceEquals(e, read))
        {
            return true;
        }

        if (e is not PartitionwiseExpr p || !Fusion.CanFuse(p.Function))
        {
            return false;
        }

        return !seen.Add(e) || p.Inputs.All(i => OnlyOver(i, read, seen));
    }
}
