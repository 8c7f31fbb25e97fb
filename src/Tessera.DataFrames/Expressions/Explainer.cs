using System.Globalization;
using System.Text;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames.Expressions;

/// <summary>The text of <c>Explain</c>: one line per plan node, inputs indented under the node that uses them.</summary>
internal static class Explainer
{
    public static string Explain(Expr root, bool optimize)
    {
        Expr plan = optimize ? Optimizer.Optimize(root) : root;
        var sb = new StringBuilder();
        sb.Append(optimize ? "Optimized plan" : "Plan as written").Append(CultureInfo.InvariantCulture, $" ({root.NPartitions} partitions):").AppendLine();
        var shown = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        Write(sb, plan, 1, shown);
        if (optimize)
        {
            List<string> fused = FusedSteps(plan);
            if (fused.Count > 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $"Fused into one task per partition: {string.Join(" -> ", fused)}").AppendLine();
            }
        }

        return sb.ToString();
    }

    /// <summary>A mask written as an expression over <paramref name="read"/>'s columns, e.g. <c>(x &gt; 0.5)</c>.</summary>
    public static string Inline(Expr e, Expr read)
    {
        if (e is not PartitionwiseExpr p)
        {
            return ReferenceEquals(e, read) ? "frame" : e.Describe();
        }

        string In(int i) => Inline(p.Inputs[i], read);
        if (p.Use == ColumnUse.GetItem && ReferenceEquals(p.Inputs[0], read))
        {
            return (string)p.Args[0]!;
        }

        if (ReferenceEquals(p.Function, Ops.CompareWithScalar))
        {
            return $"({In(0)} {Symbol((CompareOp)(int)p.Args[1]!)} {PartitionwiseExpr.Show(p.Args[0])})";
        }

        if (ReferenceEquals(p.Function, Ops.CompareSeries))
        {
            return $"({In(0)} {Symbol((CompareOp)(int)p.Args[0]!)} {In(1)})";
        }

        if (ReferenceEquals(p.Function, Ops.LogicalSeries))
        {
            string op = (LogicalOp)(int)p.Args[0]! switch { LogicalOp.And => "&", LogicalOp.Or => "|", _ => "^" };
            return $"({In(0)} {op} {In(1)})";
        }

        if (ReferenceEquals(p.Function, Ops.NotSeries))
        {
            return "~" + In(0);
        }

        if (ReferenceEquals(p.Function, Ops.ArithWithScalar))
        {
            string op = ((ArithOp)(int)p.Args[2]!).ToString().ToLowerInvariant();
            return (bool)p.Args[1]! ? $"{op}({PartitionwiseExpr.Show(p.Args[0])}, {In(0)})" : $"{op}({In(0)}, {PartitionwiseExpr.Show(p.Args[0])})";
        }

        return $"{p.Op}({string.Join(", ", p.Inputs.Select((_, i) => In(i)))})";
    }

    private static string Symbol(CompareOp op) => op switch
    {
        CompareOp.Equal => "==",
        CompareOp.NotEqual => "!=",
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };

    private static void Write(StringBuilder sb, Expr e, int depth, HashSet<Expr> shown)
    {
        sb.Append(' ', depth * 2);
        if (!shown.Add(e) && e.Inputs.Count > 0)
        {
            sb.Append("(as above) ").Append(e.Describe()).AppendLine();
            return;
        }

        sb.Append(e.Describe()).AppendLine();
        foreach (Expr input in e.Inputs)
        {
            Write(sb, input, depth + 1, shown);
        }
    }

    /// <summary>The steps the root's task runs, inputs first.</summary>
    private static List<string> FusedSteps(Expr root)
    {
        var steps = new List<string>();
        var seen = new HashSet<Expr>(ReferenceEqualityComparer.Instance);

        void Visit(Expr e)
        {
            if (!seen.Add(e) || Lowering.IsBoundary(e))
            {
                return;
            }

            if (e is ReadExpr { Predicate: { } predicate } read)
            {
                Visit(predicate);
                steps.Add("filter");
                return;
            }

            foreach (Expr input in e.Inputs)
            {
                Visit(input);
            }

            steps.Add(e switch
            {
                ReadCsvExpr => "read-csv",
                ReadParquetExpr => "read-parquet",
                ReadJsonExpr => "read-json",
                _ => ((PartitionwiseExpr)e).Op,
            });
        }

        Visit(root);
        return steps;
    }
}
