using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>A lowered plan: the graph and the layer that holds the partitions.</summary>
internal sealed record Lowered(LayeredGraph Graph, string Layer);

/// <summary>
/// Turns a plan into a layered graph. As written, each step is a layer of one task per partition.
/// Optimized, the plan is first rewritten by <see cref="Optimizer"/>, then every run of fusable
/// partition-wise steps (reads included) becomes one task per partition, named like the plan's root.
/// </summary>
internal static class Lowering
{
    public static Lowered Lower(Expr root, bool optimize)
    {
        var memo = new Dictionary<Expr, Lowered>(ReferenceEqualityComparer.Instance);
        return optimize ? Fused(Optimizer.Optimize(root), root.Name, memo) : Each(root, memo);
    }

    /// <summary>Whether an optimized node starts a new task (an input of a fused region) rather than joining one.</summary>
    public static bool IsBoundary(Expr e) => e is GraphExpr || (e is PartitionwiseExpr p && !Fusion.CanFuse(p.Function));

    private static Lowered Each(Expr e, Dictionary<Expr, Lowered> memo)
    {
        if (memo.TryGetValue(e, out Lowered? done))
        {
            return done;
        }

        Lowered result;
        switch (e)
        {
            case GraphExpr g:
                result = new Lowered(g.Graph, g.Name);
                break;
            case ReadExpr r:
                result = new Lowered(LayeredGraph.FromLayer(ReadLayer(r, r.Name)), r.Name);
                break;
            default:
                result = Blockwise((PartitionwiseExpr)e, e.Name, [.. e.Inputs.Select(i => Each(i, memo))]);
                break;
        }

        memo[e] = result;
        return result;
    }

    private static Lowered Fused(Expr e, string name, Dictionary<Expr, Lowered> memo)
    {
        if (memo.TryGetValue(e, out Lowered? done))
        {
            return done;
        }

        Lowered result;
        if (e is GraphExpr g)
        {
            result = new Lowered(g.Graph, g.Name);
        }
        else if (e is PartitionwiseExpr p && !Fusion.CanFuse(p.Function))
        {
            result = Blockwise(p, name, [.. p.Inputs.Select(i => Fused(i, i.Name, memo))]);
        }
        else if (e is ReadExpr { Predicate: null } read)
        {
            result = new Lowered(LayeredGraph.FromLayer(ReadLayer(read, name)), name);
        }
        else
        {
            result = Region(e, name, memo);
        }

        memo[e] = result;
        return result;
    }

    /// <summary>One task per partition running every fusable step under <paramref name="root"/>.</summary>
    private static Lowered Region(Expr root, string name, Dictionary<Expr, Lowered> memo)
    {
        var inputs = new List<Func<int, Node>>();
        var upstream = new List<Lowered>();
        var steps = new List<(TaskFunction, int[], object?[])>();
        var slots = new Dictionary<Expr, int>(ReferenceEqualityComparer.Instance);

        int Input(Func<int, Node> node)
        {
            inputs.Add(node);
            return inputs.Count - 1;
        }

        // Steps are numbered after the inputs once all inputs are known, so record them relative first.
        const int StepBase = 1 << 20;
        int Step(TaskFunction fn, int[] from, object?[] args)
        {
            steps.Add((fn, from, args));
            return StepBase + steps.Count - 1;
        }

        int Emit(Expr e)
        {
            if (slots.TryGetValue(e, out int slot))
            {
                return slot;
            }

            switch (e)
            {
                case ReadExpr { Predicate: { } predicate } read:
                    int rows = Emit(read.Unfiltered);
                    slot = Step(Ops.FilterRows, [rows, Emit(predicate)], []);
                    if (read.Output.Length != read.Columns.Length)
                    {
                        slot = Step(Ops.SelectColumns, [slot], [read.Output]);
                    }

                    break;
                case ReadExpr read:
                    slot = Input(read.ReadNode);
                    break;
                case PartitionwiseExpr p when Fusion.CanFuse(p.Function):
                    slot = Step(p.Function, [.. p.Inputs.Select(Emit)], p.Args);
                    break;
                default:
                    Lowered lowered = Fused(e, e.Name, memo);
                    upstream.Add(lowered);
                    slot = Input(i => Node.Ref(new Key(lowered.Layer, i)));
                    break;
            }

            slots[e] = slot;
            return slot;
        }

        _ = Emit(root);
        int n = inputs.Count;
        object[] program = Fusion.Program([.. steps.Select(s => (s.Item1, s.Item2.Select(x => x >= StepBase ? x - StepBase + n : x).ToArray(), s.Item3))]);
        var tasks = new TaskGraph(root.NPartitions);
        for (int i = 0; i < root.NPartitions; i++)
        {
            tasks.TryAdd(new Key(name, i), Node.Call(Fusion.Run, Node.Literal(program), Node.List<Table>([.. inputs.Select(f => f(i))])));
        }

        LayeredGraph graph = upstream.Count == 0 ? LayeredGraph.Empty : LayeredGraph.Merge(upstream.Select(u => u.Graph));
        return new Lowered(graph.With(new MaterializedLayer(name, tasks), upstream.Select(u => u.Layer)), name);
    }

    private static MaterializedLayer ReadLayer(ReadExpr read, string name)
    {
        var tasks = new TaskGraph(read.NPartitions);
        for (int i = 0; i < read.NPartitions; i++)
        {
            tasks.TryAdd(new Key(name, i), read.ReadNode(i));
        }

        return new MaterializedLayer(name, tasks);
    }

    private static Lowered Blockwise(PartitionwiseExpr p, string name, Lowered[] inputs)
    {
        Node[] args = [.. p.Args.Select(Node.Literal)];
        LayeredGraph g = inputs.Length == 1
            ? Plan.Blockwise(inputs[0].Graph, name, inputs[0].Layer, p.NPartitions, p.Function, args)
            : Plan.Blockwise2(inputs[0].Graph, inputs[1].Graph, name, inputs[0].Layer, inputs[1].Layer, p.NPartitions, p.Function, args);
        return new Lowered(g, name);
    }
}

/// <summary>A collection's lowered graph, computed once for each setting of <see cref="Optimizer.ConfigKey"/>.</summary>
internal sealed class Lowerings
{
    private Lowered? _optimized;
    private Lowered? _asWritten;

    public Lowered Get(Expr expr) => Optimizer.Enabled
        ? _optimized ??= Lowering.Lower(expr, optimize: true)
        : _asWritten ??= Lowering.Lower(expr, optimize: false);
}
