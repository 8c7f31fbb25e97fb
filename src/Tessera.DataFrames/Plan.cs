using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Graph-building helpers shared by <see cref="DataFrame"/>, <see cref="Series"/> and <see cref="GroupBy"/>.</summary>
internal static class Plan
{
    public static string Name(string prefix, params ReadOnlySpan<object?> parts)
    {
        var all = new object?[parts.Length + 1];
        all[0] = prefix;
        parts.CopyTo(all.AsSpan(1));
        return prefix + "-" + Tokenizer.Tokenize(all);
    }

    /// <summary>One task per partition: <c>(name, i) = fn((input, i), args…)</c>.</summary>
    public static LayeredGraph Blockwise(LayeredGraph graph, string name, string input, int npartitions, TaskFunction fn, params Node[] args)
    {
        var tasks = new TaskGraph(npartitions);
        for (int i = 0; i < npartitions; i++)
        {
            var callArgs = new Node[args.Length + 1];
            callArgs[0] = Node.Ref(new Key(input, i));
            args.CopyTo(callArgs, 1);
            tasks.TryAdd(new Key(name, i), Node.Call(fn, callArgs));
        }

        return graph.With(new MaterializedLayer(name, tasks), input);
    }

    /// <summary>One task per partition over two aligned collections: <c>(name, i) = fn((a, i), (b, i), args…)</c>.</summary>
    public static LayeredGraph Blockwise2(LayeredGraph ga, LayeredGraph gb, string name, string a, string b, int npartitions, TaskFunction fn, params Node[] args)
    {
        var tasks = new TaskGraph(npartitions);
        for (int i = 0; i < npartitions; i++)
        {
            var callArgs = new Node[args.Length + 2];
            callArgs[0] = Node.Ref(new Key(a, i));
            callArgs[1] = Node.Ref(new Key(b, i));
            args.CopyTo(callArgs, 2);
            tasks.TryAdd(new Key(name, i), Node.Call(fn, callArgs));
        }

        LayeredGraph merged = ReferenceEquals(ga, gb) ? ga : LayeredGraph.Merge(ga, gb);
        return merged.With(new MaterializedLayer(name, tasks), a, b);
    }

    /// <summary>
    /// A tree reduction (Dask's apply-concat-apply): <paramref name="leaves"/> are nodes of per-partition
    /// states; groups of <paramref name="splitEvery"/> are combined until at most that many remain, and
    /// a last task aggregates them.
    /// </summary>
    /// <param name="tasks">Receives the tasks.</param>
    /// <param name="name">The final task's key name; combine tasks are named <c>name-combine</c>.</param>
    /// <param name="leaves">The per-partition states.</param>
    /// <param name="splitEvery">How many states one task combines (at least 2).</param>
    /// <param name="combine">Makes the node that combines a list node of states into one state.</param>
    /// <param name="aggregate">Makes the node that turns a list node of states into the result.</param>
    /// <param name="outputIndex">The final key's index: <c>(name, outputIndex)</c>.</param>
    public static void Tree<TState>(TaskGraph tasks, string name, IReadOnlyList<Node> leaves, int splitEvery, Func<Node, Node> combine, Func<Node, Node> aggregate, int outputIndex = 0)
    {
        if (splitEvery < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(splitEvery), splitEvery, "split_every must be at least 2.");
        }

        List<Node> level = [.. leaves];
        int depth = 0;
        while (level.Count > splitEvery)
        {
            var next = new List<Node>((level.Count + splitEvery - 1) / splitEvery);
            for (int start = 0, j = 0; start < level.Count; start += splitEvery, j++)
            {
                Node[] group = [.. level.Skip(start).Take(splitEvery)];
                var key = new Key(name + "-combine", outputIndex, depth, j);
                tasks.TryAdd(key, combine(Node.List<TState>(group)));
                next.Add(Node.Ref(key));
            }

            level = next;
            depth++;
        }

        tasks.TryAdd(new Key(name, outputIndex), aggregate(Node.List<TState>([.. level])));
    }

    public static void CheckAligned(string operation, int na, IReadOnlyList<object?> da, int nb, IReadOnlyList<object?> db)
    {
        if (na != nb)
        {
            throw new ArgumentException($"{operation}: the operands have {na} and {nb} partitions; they must come from the same frame or be repartitioned alike.");
        }

        bool knownA = da.Count > 0 && da[0] is not null;
        bool knownB = db.Count > 0 && db[0] is not null;
        if (knownA && knownB && !da.SequenceEqual(db))
        {
            throw new ArgumentException($"{operation}: the operands have different divisions; repartition one to the other's divisions first.");
        }
    }

    /// <summary>The values of literal argument nodes.</summary>
    public static object?[] Values(Node[] args) => [.. args.Select(a => ((LiteralNode)a).Value)];

    public static object?[] UnknownDivisions(int npartitions) => new object?[npartitions + 1];
}
