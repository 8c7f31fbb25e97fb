using System.Runtime.CompilerServices;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera;

/// <summary>
/// A lazy value: the key of a task and what it takes to compute it (Dask's <c>delayed</c>).
/// Wrap functions with <c>Delayed.Of</c>, call them on values or on other lazy values to build a
/// graph, then compute it once.
/// </summary>
/// <remarks>
/// <para>Building costs no scheduling work: each call creates one small node, and the graph is
/// materialized when it is computed. Calls of a function wrapped with <c>pure: true</c> get
/// deterministic keys (the same function on the same arguments has the same key in every process,
/// so equal calls are computed once); other calls get unique keys, as Dask's default.</para>
/// <para>Lists and tuples made with <see cref="List{T}(IEnumerable{Delayed{T}})"/> and
/// <see cref="Tuple{T1, T2}(Delayed{T1}, Delayed{T2})"/>, and plain values converted implicitly,
/// are embedded in the task that uses them rather than becoming tasks of their own.</para>
/// </remarks>
public abstract partial class Delayed
{
    private readonly Node _node;
    private Key _key;
    private RefNode? _reference;

    private protected Delayed(Key key, Node node, Delayed[] dependencies, bool inline)
    {
        _key = key;
        _node = node;
        Dependencies = dependencies;
        IsInline = inline;
    }

    /// <summary>Gets the key of the task that computes this value.</summary>
    public Key Key
    {
        get
        {
            if (_key.IsDefault)
            {
                lock (this)
                {
                    if (_key.IsDefault)
                    {
                        _key = UniqueIds.NextKey(KeyNames.Split(ResultTypeName));
                    }
                }
            }

            return _key;
        }
    }

    /// <summary>Gets the type of the computed value.</summary>
    public abstract Type ResultType { get; }

    /// <summary>Gets the node that computes this value.</summary>
    public Node Node => _node;

    /// <summary>Gets the lazy values this one's node refers to by key.</summary>
    internal Delayed[] Dependencies { get; }

    /// <summary>Gets the tasks of a collection this value was taken from (see <see cref="FromGraph{T}"/>), or null.</summary>
    internal TaskGraph? Attached { get; init; }

    /// <summary>Gets a value indicating whether this value is embedded into the tasks that use it instead of being a task.</summary>
    internal bool IsInline { get; }

    private string ResultTypeName => ResultType.Name.ToLowerInvariant().Replace('`', '_');

    /// <summary>Builds the task graph of this value: its task and every task it needs.</summary>
    /// <returns>The graph.</returns>
    public TaskGraph ToGraph() => Materialize([this]);

    /// <summary>
    /// Draws this value's task graph (Dask's <c>visualize</c>) into a file whose format follows the
    /// extension: <c>.dot</c>, or <c>.svg</c>, <c>.png</c> and <c>.pdf</c> with Graphviz installed.
    /// See <see cref="GraphvizWriter.Write"/>.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <exception cref="ArgumentException">The extension is not supported, or the graph has more than <see cref="GraphvizOptions.DefaultMaxTasks"/> keys.</exception>
    /// <exception cref="FileNotFoundException">An image was asked for and Graphviz's <c>dot</c> program is not installed.</exception>
    public void Visualize(string path) => GraphvizWriter.Write(ToGraph(), path);

    /// <inheritdoc/>
    public override string ToString() => $"Delayed({Key})";

    /// <summary>Builds the graph of several values; shared parts appear once.</summary>
    internal static TaskGraph Materialize(ReadOnlySpan<Delayed> outputs)
    {
        var graph = new TaskGraph();
        var stack = new Stack<Delayed>();
        foreach (Delayed d in outputs)
        {
            ArgumentNullException.ThrowIfNull(d, nameof(outputs));
            stack.Push(d);
        }

        List<TaskGraph>? attached = null;
        while (stack.Count > 0)
        {
            Delayed d = stack.Pop();
            if (graph.TryAdd(d.Key, d._node))
            {
                if (d.Attached is { } a && !(attached ??= []).Contains(a))
                {
                    attached.Add(a);
                }

                foreach (Delayed dep in d.Dependencies)
                {
                    if (!graph.ContainsKey(dep.Key))
                    {
                        stack.Push(dep);
                    }
                }
            }
        }

        if (attached is null)
        {
            return graph;
        }

        // Values taken from collections bring their collection's whole graph; keep what the outputs need.
        foreach (TaskGraph a in attached)
        {
            foreach (KeyValuePair<Key, Node> kv in a)
            {
                graph.TryAdd(kv.Key, kv.Value);
            }
        }

        var outputKeys = new Key[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputKeys[i] = outputs[i].Key;
        }

        return GraphOptimizations.Cull(graph, outputKeys);
    }

    /// <summary>
    /// Returns the lazy value of one key of a task graph, for example one partition of a collection
    /// (Dask's <c>Delayed(key, graph)</c>). Computing it runs the tasks of <paramref name="graph"/> that the key needs.
    /// </summary>
    /// <typeparam name="T">The type of the key's value.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="graph">A graph that defines <paramref name="key"/> and everything it needs; it must not change afterwards.</param>
    /// <returns>The lazy value.</returns>
    /// <exception cref="KeyNotFoundException"><paramref name="key"/> is not in <paramref name="graph"/>.</exception>
    public static Delayed<T> FromGraph<T>(Key key, TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!graph.TryGetValue(key, out Node? node))
        {
            throw new KeyNotFoundException($"Delayed.FromGraph: key {key} is not in the graph.");
        }

        return new Delayed<T>(key, node, [], inline: false) { Attached = graph };
    }

    /// <summary>How this value appears as an argument of another task.</summary>
    internal Node AsArgument() => IsInline ? _node : _reference ??= Node.Ref(Key);

    /// <summary>Computes several lazy values together; parts they share are computed once.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The results, in order.</returns>
    public static object?[] Compute(params Delayed[] values) => ComputeCore(values, scheduler: null, CancellationToken.None);

    /// <summary>Computes two lazy values together; parts they share are computed once.</summary>
    /// <typeparam name="T1">The first value's type.</typeparam>
    /// <typeparam name="T2">The second value's type.</typeparam>
    /// <param name="first">The first value.</param>
    /// <param name="second">The second value.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <returns>Both results.</returns>
    public static (T1, T2) Compute<T1, T2>(Delayed<T1> first, Delayed<T2> second, IScheduler? scheduler = null)
    {
        object?[] r = ComputeCore([first, second], scheduler, CancellationToken.None);
        return (Cast<T1>(r[0]), Cast<T2>(r[1]));
    }

    /// <summary>Computes three lazy values together; parts they share are computed once.</summary>
    /// <typeparam name="T1">The first value's type.</typeparam>
    /// <typeparam name="T2">The second value's type.</typeparam>
    /// <typeparam name="T3">The third value's type.</typeparam>
    /// <param name="first">The first value.</param>
    /// <param name="second">The second value.</param>
    /// <param name="third">The third value.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <returns>The three results.</returns>
    public static (T1, T2, T3) Compute<T1, T2, T3>(Delayed<T1> first, Delayed<T2> second, Delayed<T3> third, IScheduler? scheduler = null)
    {
        object?[] r = ComputeCore([first, second, third], scheduler, CancellationToken.None);
        return (Cast<T1>(r[0]), Cast<T2>(r[1]), Cast<T3>(r[2]));
    }

    /// <summary>Computes several lazy values together without blocking; parts they share are computed once.</summary>
    /// <param name="values">The values.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The results, in order.</returns>
    public static Task<object?[]> ComputeAsync(IReadOnlyList<Delayed> values, IScheduler? scheduler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        (TaskGraph graph, Key[] keys) = Prepare([.. values]);
        return (scheduler ?? Schedulers.Default).GetAsync(graph, keys, cancellationToken);
    }

    internal static object?[] ComputeCore(ReadOnlySpan<Delayed> values, IScheduler? scheduler, CancellationToken cancellationToken)
    {
        (TaskGraph graph, Key[] keys) = Prepare(values);
        return (scheduler ?? Schedulers.Default).Get(graph, keys, cancellationToken);
    }

    internal static (TaskGraph Graph, Key[] Keys) Prepare(ReadOnlySpan<Delayed> values)
    {
        var keys = new Key[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(values[i], nameof(values));
            keys[i] = values[i].Key;
        }

        TaskGraph graph = Materialize(values);
        return (GraphOptimizer.Optimize(graph, keys), keys);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Cast<T>(object? value) =>
        value is T t ? t
        : value is null && default(T) is null ? default!
        : throw new InvalidCastException($"A computed value of type {(value is null ? "null" : value.GetType().ToString())} is not a {typeof(T)}; the graph's output does not match its declared type.");

    /// <summary>Creates the lazy call of <paramref name="function"/> on <paramref name="args"/>.</summary>
    internal static Delayed<TResult> Call<TResult>(TaskFunction function, bool pure, ReadOnlySpan<Delayed?> args)
    {
        var nodes = new Node[args.Length];
        int depCount = 0;
        foreach (Delayed? a in args)
        {
            if (a is not null)
            {
                depCount += a.IsInline ? a.Dependencies.Length : 1;
            }
        }

        Delayed[] deps = depCount == 0 ? [] : new Delayed[depCount];
        int di = 0;
        for (int i = 0; i < args.Length; i++)
        {
            Delayed? a = args[i];
            if (a is null)
            {
                nodes[i] = s_null;
                continue;
            }

            nodes[i] = a.AsArgument();
            if (a.IsInline)
            {
                a.Dependencies.CopyTo(deps, di);
                di += a.Dependencies.Length;
            }
            else
            {
                deps[di++] = a;
            }
        }

        Key key = pure ? new Key(PureName(function, args)) : UniqueIds.NextKey(function.Name);
        return new Delayed<TResult>(key, new CallNode(function, nodes), deps, inline: false);
    }

    private static readonly LiteralNode s_null = Node.Literal(null);

    private static string PureName(TaskFunction function, ReadOnlySpan<Delayed?> args)
    {
        object?[] parts = new object?[args.Length + 1];
        parts[0] = function.Token;
        for (int i = 0; i < args.Length; i++)
        {
            Delayed? a = args[i];
            parts[i + 1] = a is null ? null : a.IsInline ? a.TokenContent() : a.Key;
        }

        return function.Name + "-" + Tokenizer.Tokenize(parts);
    }

    /// <summary>What identifies an embedded value's content in a token.</summary>
    internal abstract object? TokenContent();
}
