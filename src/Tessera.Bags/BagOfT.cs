using Tessera.Bags.Internal;
using Tessera.Collections;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Bags;

/// <summary>
/// A lazy, partitioned collection of objects (Dask's <c>Bag</c>): LINQ's operators and Dask's own run
/// on each partition in parallel and are combined by a task graph. Compute it with <see cref="Compute"/>
/// on any scheduler — threads, the synchronous one, or a distributed <c>Client</c>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para>Element-wise operations (<see cref="Select{TResult}(Func{T, TResult})"/>, <see cref="Where"/>,
/// <see cref="SelectMany{TResult}(Func{T, IEnumerable{TResult}})"/>, <c>Pluck</c>, string helpers, …) are
/// fused as they are written: a chain of them runs as one streaming pass over each partition, inside
/// the task that reads the partition or reduces it, without materializing intermediate partitions.
/// A bag that two computations share is therefore recomputed by each (use <see cref="Persist"/> to
/// compute it once).</para>
/// <para>Functions passed to operations run on the workers: in worker processes they arrive as their
/// method plus their captured values (plain data), so capture data, not resources.</para>
/// <para>Partitions keep their order: <see cref="Compute"/> returns the elements in the order LINQ to
/// objects would produce them over the concatenated input, except where an operation says otherwise
/// (<see cref="GroupBy{TKey}"/> orders groups by hash, <see cref="Product{TOther}"/> by partition pairs).</para>
/// </remarks>
public sealed partial class Bag<T> : ITesseraCollection<IReadOnlyList<T>>
{
    private readonly Node[] _parts;
    private readonly string[] _origins;
    private readonly bool _partsAreKeys;
    private Materialization? _materialized;

    /// <summary>Creates a bag.</summary>
    /// <param name="name">The bag's name: the layer name of its partitions when they are materialized.</param>
    /// <param name="dependencies">A graph that defines every key the part nodes refer to.</param>
    /// <param name="parts">One node per partition; each evaluates to an <see cref="IEnumerable{T}"/>.</param>
    /// <param name="origins">Where each partition comes from, for error messages.</param>
    /// <param name="partsAreKeys">Each part is a reference to a key whose value is a <c>T[]</c>.</param>
    /// <param name="text">The text files this bag reads, when it is a chain of known text operations over them.</param>
    internal Bag(string name, LayeredGraph dependencies, Node[] parts, string[] origins, bool partsAreKeys, TextPipeline? text = null)
    {
        if (parts.Length == 0)
        {
            throw new ArgumentException("A bag has at least one partition.", nameof(parts));
        }

        Name = name;
        Dependencies = dependencies;
        _parts = parts;
        _origins = origins;
        _partsAreKeys = partsAreKeys;
        Text = text;
    }

    /// <summary>Gets the bag's name (an operation name and a token); its partitions' keys use it.</summary>
    public string Name { get; }

    /// <summary>Gets the number of partitions.</summary>
    public int PartitionCount => _parts.Length;

    /// <summary>Gets the graph that computes the partitions, each a <c>T[]</c>.</summary>
    public LayeredGraph Graph => Materialized().Graph;

    /// <summary>Gets the keys of the partitions, in order.</summary>
    public IReadOnlyList<Key> PartKeys => Materialized().Keys;

    internal LayeredGraph Dependencies { get; }

    internal ReadOnlySpan<Node> Parts => _parts;

    internal IReadOnlyList<string> Origins => _origins;

    internal TextPipeline? Text { get; }

    /// <inheritdoc/>
    ITesseraCollection ITesseraCollection.WithGraph(LayeredGraph graph)
    {
        Key[] keys = Materialized().Keys;
        return new Bag<T>(Name, graph, Array.ConvertAll(keys, static k => (Node)Node.Ref(k)), _origins, partsAreKeys: true);
    }

    /// <inheritdoc/>
    IReadOnlyList<T> ITesseraCollection<IReadOnlyList<T>>.Assemble(IReadOnlyList<object?> parts)
    {
        if (parts.Count == 1)
        {
            return (T[])parts[0]!;
        }

        int total = 0;
        foreach (object? p in parts)
        {
            total += ((T[])p!).Length;
        }

        var all = new T[total];
        int at = 0;
        foreach (object? p in parts)
        {
            var part = (T[])p!;
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    /// <summary>Computes the bag and blocks until its elements are ready.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one (a connected client, when there is one).</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The elements, partition after partition.</returns>
    /// <exception cref="TaskFailedException">A function threw; the exception names the task and holds the original exception.</exception>
    public IReadOnlyList<T> Compute(IScheduler? scheduler = null, CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.Compute(this, scheduler, cancellationToken);

    /// <summary>Computes the bag without blocking the caller.</summary>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The elements, partition after partition.</returns>
    public Task<IReadOnlyList<T>> ComputeAsync(CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.ComputeAsync(this, scheduler: null, cancellationToken);

    /// <summary>Computes the bag on <paramref name="scheduler"/> without blocking the caller.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The elements, partition after partition.</returns>
    public Task<IReadOnlyList<T>> ComputeAsync(IScheduler? scheduler, CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.ComputeAsync(this, scheduler, cancellationToken);

    /// <summary>
    /// Computes the partitions now and returns a bag over their values, so that later operations
    /// start from them instead of recomputing them (Dask's <c>persist</c>).
    /// </summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The persisted bag, with the same partition keys.</returns>
    public Bag<T> Persist(IScheduler? scheduler = null, CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.Persist(this, scheduler, cancellationToken);

    /// <summary>Returns one lazy value per partition (Dask's <c>to_delayed</c>), for mixing bags with <see cref="Delayed"/> code.</summary>
    /// <returns>The partitions, in order.</returns>
    public Delayed<IReadOnlyList<T>>[] ToDelayed() => Tessera.Collections.CollectionExtensions.ToDelayed<IReadOnlyList<T>>(this);

    /// <inheritdoc/>
    public override string ToString() => $"Bag<{typeof(T).Name}>({Name}, {PartitionCount} partitions)";

    // ---- building blocks for operations

    /// <summary>Makes a name for a derived collection: the operation and a token of this bag's name and the arguments.</summary>
    internal string NewName(string operation, params ReadOnlySpan<object?> arguments)
    {
        object?[] parts = new object?[arguments.Length + 2];
        parts[0] = operation;
        parts[1] = Name;
        arguments.CopyTo(parts.AsSpan(2));
        return operation + "-" + Tokenizer.Tokenize(parts);
    }

    /// <summary>A bag whose partitions wrap this bag's partition nodes (an element-wise, fused operation).</summary>
    internal Bag<TResult> Wrap<TResult>(string name, Func<Node, int, Node> wrap, TextPipeline? text = null, LayeredGraph? dependencies = null)
    {
        var parts = new Node[_parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = wrap(_parts[i], i);
        }

        return new Bag<TResult>(name, dependencies ?? Dependencies, parts, _origins, partsAreKeys: false, text);
    }

    /// <summary>
    /// Adds a tree reduction over the partitions (Dask's <c>reduction</c>): one task per partition, then
    /// tasks that combine up to <paramref name="splitEvery"/> partials each, then one final task.
    /// </summary>
    /// <typeparam name="TPartial">The type of a partial result.</typeparam>
    /// <param name="name">The name of the final key (index 0) and of the layer.</param>
    /// <param name="partial">Builds the per-partition task from the partition node and its index.</param>
    /// <param name="combine">Builds a combine task from a list node of partials (evaluating to <c>TPartial[]</c>).</param>
    /// <param name="finish">Builds the final task from a node that evaluates to the combined partial.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <param name="final">The final key.</param>
    /// <returns>The graph with the reduction's layer.</returns>
    internal LayeredGraph Reduce<TPartial>(string name, Func<Node, int, Node> partial, Func<Node, Node> combine, Func<Node, Node> finish, int splitEvery, out Key final)
    {
        if (splitEvery < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(splitEvery), splitEvery, $"A reduction combines at least 2 partials per task; {splitEvery} was given.");
        }

        string prefix = KeyNames.Split(name);
        string token = name[(prefix.Length + 1)..];
        string partName = $"{prefix}-part-{token}";
        string aggName = $"{prefix}-agg-{token}";
        var tasks = new TaskGraph();
        var level = new Node[_parts.Length];
        for (int i = 0; i < level.Length; i++)
        {
            var key = new Key(partName, i);
            tasks.Add(key, partial(_parts[i], i));
            level[i] = Node.Ref(key);
        }

        for (int depth = 0; level.Length > splitEvery; depth++)
        {
            var next = new Node[(level.Length + splitEvery - 1) / splitEvery];
            for (int j = 0; j < next.Length; j++)
            {
                var key = new Key(aggName, depth, j);
                int from = j * splitEvery;
                tasks.Add(key, combine(Node.List<TPartial>(level.AsSpan(from, Math.Min(splitEvery, level.Length - from)))));
                next[j] = Node.Ref(key);
            }

            level = next;
        }

        final = new Key(name, 0);
        tasks.Add(final, finish(combine(Node.List<TPartial>(level))));
        return WithLayer(Dependencies, new MaterializedLayer(name, tasks));
    }

    /// <summary>A lazy value of the final key of a graph.</summary>
    internal static Delayed<TResult> Scalar<TResult>(LayeredGraph graph, Key key) => Delayed.FromGraph<TResult>(key, graph.ToTaskGraph());

    /// <summary>A bag of one partition whose key's value is a <c>TResult[]</c>.</summary>
    internal static Bag<TResult> Single<TResult>(string name, LayeredGraph graph, Key key) =>
        new(name, graph, [Node.Ref(key)], [$"the result of {KeyNames.Split(name)}"], partsAreKeys: true);

    internal static LayeredGraph WithLayer(LayeredGraph graph, Layer layer) =>
        graph.With(layer, graph.Layers.Select(static l => l.Name));

    /// <summary>
    /// Merges the graphs of several collections. Layers of the same name are kept once; when layers of
    /// different names define the same keys (lazy values shared by two bags), the graph is collapsed into
    /// one layer that defines each key once (keys are deterministic, so equal keys mean equal tasks).
    /// </summary>
    internal static LayeredGraph Merge(IEnumerable<LayeredGraph> graphs)
    {
        LayeredGraph merged = LayeredGraph.Merge(graphs);
        var seen = new HashSet<Key>();
        bool duplicates = false;
        foreach (Layer layer in merged.Layers)
        {
            foreach (Key key in layer.Keys)
            {
                duplicates |= !seen.Add(key);
            }
        }

        if (!duplicates)
        {
            return merged;
        }

        var tasks = new TaskGraph(seen.Count);
        foreach (Layer layer in merged.Layers)
        {
            foreach (KeyValuePair<Key, Node> kv in layer.Materialize())
            {
                tasks.TryAdd(kv.Key, kv.Value);
            }
        }

        return LayeredGraph.FromLayer(new MaterializedLayer("merged-" + Tokenizer.Tokenize([.. merged.Layers.Select(static l => (object?)l.Name)]), tasks));
    }

    /// <summary>Adds the tasks of a lazy value to a graph (those it does not define yet), so that nodes can refer to its key.</summary>
    internal static LayeredGraph WithDelayed(LayeredGraph graph, Delayed value)
    {
        string layerName = "delayed-" + value.Key.ToString();
        if (graph.Layers.Any(l => l.Name == layerName))
        {
            return graph;
        }

        var existing = new HashSet<Key>(graph.Layers.SelectMany(static l => l.Keys));
        var tasks = new TaskGraph();
        foreach (KeyValuePair<Key, Node> kv in value.ToGraph())
        {
            if (!existing.Contains(kv.Key))
            {
                tasks.Add(kv.Key, kv.Value);
            }
        }

        return WithLayer(graph, new MaterializedLayer(layerName, tasks));
    }

    private Materialization Materialized()
    {
        if (_materialized is { } m)
        {
            return m;
        }

        Key[] keys;
        LayeredGraph graph;
        if (_partsAreKeys)
        {
            keys = Array.ConvertAll(_parts, static p => ((RefNode)p).Key);
            graph = Dependencies;
        }
        else
        {
            keys = new Key[_parts.Length];
            var tasks = new TaskGraph(keys.Length);
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = new Key(Name, i);
                tasks.Add(keys[i], Node.Call(Fn<T>.ToArray, _parts[i]));
            }

            graph = WithLayer(Dependencies, new MaterializedLayer(Name, tasks));
        }

        return _materialized = new Materialization(graph, keys);
    }

    private sealed record Materialization(LayeredGraph Graph, Key[] Keys);
}
