using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>
/// Moves row filters below projections and assignments (dask-expr's filter pushdown), so that they
/// reach the read, where predicate pushdown takes them: <c>Select(x)[m]</c> becomes
/// <c>Select(x[m])</c>, and <c>x.Assign(c, v)[m]</c>, when <c>m</c> does not read <c>c</c>, becomes
/// <c>x[m].Assign(c, v')</c>, where <c>v'</c> is <c>v</c> computed from <c>x[m]</c> when <c>v</c> is
/// made of row-wise steps over <c>x</c> (so the dropped rows are never computed), else <c>v[m]</c>.
/// The mask is rewritten to read the same columns from the node below.
/// </summary>
internal static class FilterPushdown
{
    /// <summary>Steps whose output row i depends only on input row i (so they commute with a filter).</summary>
    private static readonly HashSet<TaskFunction> s_rowWise = new(ReferenceEqualityComparer.Instance)
    {
        Ops.SelectColumns, Ops.SeriesOfColumn, Ops.ArithSeries, Ops.ArithWithScalar, Ops.CompareSeries, Ops.CompareWithScalar,
        Ops.LogicalSeries, Ops.NotSeries, Ops.NegateSeries, Ops.AssignColumn, Ops.AssignScalarColumn, Ops.RenameColumns,
        Ops.DropColumns, Ops.CastColumns, Ops.FillNaColumns, Ops.IsNaColumns, Ops.RenameSeries,
    };

    public static Expr Apply(Expr root)
    {
        var memo = new Dictionary<Expr, Expr>(ReferenceEqualityComparer.Instance);
        foreach (Expr e in Optimizer.TopologicalOrder(root))
        {
            if (e is not PartitionwiseExpr p)
            {
                memo[e] = e;
                continue;
            }

            Expr[] inputs = [.. p.Inputs.Select(i => memo[i])];
            PartitionwiseExpr rebuilt = inputs.Zip(p.Inputs).All(x => ReferenceEquals(x.First, x.Second)) ? p : p.With(p.Args, inputs);
            memo[e] = rebuilt.Use == ColumnUse.Filter ? Push(rebuilt) : rebuilt;
        }

        return memo[root];
    }

    /// <summary>The filter moved as far down as it goes (or itself).</summary>
    private static PartitionwiseExpr Push(PartitionwiseExpr filter)
    {
        Expr mask = filter.Inputs[1];
        if (filter.Inputs[0] is not PartitionwiseExpr { Use: ColumnUse.Select or ColumnUse.Assign or ColumnUse.AssignScalar } step)
        {
            return filter;
        }

        Expr below = step.Inputs[0];
        string? assigned = step.Use == ColumnUse.Select ? null : (string)step.Args[0]!;
        if (!ReadsOnlyColumns(mask, step, assigned, new HashSet<Expr>(ReferenceEqualityComparer.Instance)))
        {
            return filter;
        }

        Expr newMask = Substitute(mask, step, below, new Dictionary<Expr, Expr>(ReferenceEqualityComparer.Instance));
        Expr filtered = Push(filter.With(filter.Args, [below, newMask]));
        if (step.Use != ColumnUse.Assign)
        {
            return step.With(step.Args, [filtered]);
        }

        Expr value = step.Inputs[1];
        Expr newValue = RowWiseOver(value, below, new HashSet<Expr>(ReferenceEqualityComparer.Instance))
            ? Substitute(value, below, filtered, new Dictionary<Expr, Expr>(ReferenceEqualityComparer.Instance))
            : filter.With(filter.Args, [value, newMask]);
        return step.With(step.Args, [filtered, newValue]);
    }

    /// <summary>Whether <paramref name="e"/> uses <paramref name="step"/> only to read single columns other than <paramref name="assigned"/>.</summary>
    private static bool ReadsOnlyColumns(Expr e, Expr step, string? assigned, HashSet<Expr> seen)
    {
        if (ReferenceEquals(e, step))
        {
            return false;
        }

        if (!seen.Add(e))
        {
            return true;
        }

        if (e is PartitionwiseExpr { Use: ColumnUse.GetItem } column && ReferenceEquals(column.Inputs[0], step))
        {
            return (string)column.Args[0]! != assigned;
        }

        return e.Inputs.All(i => ReadsOnlyColumns(i, step, assigned, seen));
    }

    /// <summary>Whether every path from <paramref name="e"/> down ends at <paramref name="frame"/> through row-wise steps.</summary>
    private static bool RowWiseOver(Expr e, Expr frame, HashSet<Expr> seen) =>
        ReferenceEquals(e, frame)
        || !seen.Add(e)
        || (e is PartitionwiseExpr p && s_rowWise.Contains(p.Function) && p.Inputs.All(i => RowWiseOver(i, frame, seen)));

    private static Expr Substitute(Expr e, Expr from, Expr to, Dictionary<Expr, Expr> memo)
    {
        if (ReferenceEquals(e, from))
        {
            return to;
        }

        if (memo.TryGetValue(e, out Expr? done))
        {
            return done;
        }

        Expr result = e;
        if (e is PartitionwiseExpr p)
        {
            Expr[] inputs = [.. p.Inputs.Select(i => Substitute(i, from, to, memo))];
            if (!inputs.Zip(p.Inputs).All(x => ReferenceEquals(x.First, x.Second)))
            {
                result = p.With(p.Args, inputs);
            }
        }

        memo[e] = result;
        return result;
    }
}
