using System.Collections.Immutable;

namespace Tessera.Graphs;

/// <summary>
/// One named layer of a <see cref="LayeredGraph"/>: the tasks one collection operation adds.
/// </summary>
/// <remarks>
/// Layers keep a graph's high-level structure for optimization passes, for grouping on progress
/// displays and for compact submission. Collections may add layer kinds that describe their tasks
/// symbolically (a blockwise operation, say) and materialize them only when needed.
/// </remarks>
public abstract class Layer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="name">The layer's name, unique in its graph.</param>
    protected Layer(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>Gets the layer's name.</summary>
    public string Name { get; }

    /// <summary>Gets the number of tasks in the layer.</summary>
    public abstract int Count { get; }

    /// <summary>Gets the keys the layer defines.</summary>
    public abstract IEnumerable<Key> Keys { get; }

    /// <summary>Produces the layer's tasks.</summary>
    /// <returns>The key → node entries.</returns>
    public abstract IEnumerable<KeyValuePair<Key, Node>> Materialize();
}

/// <summary>A layer whose tasks are held explicitly in a <see cref="TaskGraph"/>.</summary>
public sealed class MaterializedLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="tasks">The layer's tasks.</param>
    public MaterializedLayer(string name, TaskGraph tasks)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Tasks = tasks;
    }

    /// <summary>Gets the layer's tasks.</summary>
    public TaskGraph Tasks { get; }

    /// <inheritdoc/>
    public override int Count => Tasks.Count;

    /// <inheritdoc/>
    public override IEnumerable<Key> Keys => Tasks.Keys;

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<Key, Node>> Materialize() => Tasks;
}

/// <summary>
/// A graph made of named layers with dependencies between layers (Dask's <c>HighLevelGraph</c>).
/// Immutable: merging and culling return new graphs that share layers.
/// </summary>
public sealed class LayeredGraph
{
    private readonly ImmutableArray<Layer> _layers;
    private readonly ImmutableDictionary<string, int> _byName;

    private LayeredGraph(ImmutableArray<Layer> layers, ImmutableDictionary<string, ImmutableArray<string>> dependencies)
    {
        _layers = layers;
        _byName = layers.Select((l, i) => KeyValuePair.Create(l.Name, i)).ToImmutableDictionary(StringComparer.Ordinal);
        Dependencies = dependencies;
    }

    /// <summary>Gets an empty graph.</summary>
    public static LayeredGraph Empty { get; } = new([], ImmutableDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Gets the layers in the order they were added.</summary>
    public ImmutableArray<Layer> Layers => _layers;

    /// <summary>Gets, for each layer name, the names of the layers it depends on.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> Dependencies { get; }

    /// <summary>Gets the total number of tasks over all layers.</summary>
    public int TaskCount => _layers.Sum(l => l.Count);

    /// <summary>Gets a layer by name.</summary>
    /// <param name="name">The layer's name.</param>
    /// <returns>The layer.</returns>
    public Layer this[string name] =>
        _byName.TryGetValue(name, out int i) ? _layers[i] : throw new KeyNotFoundException($"Layer '{name}' is not in the graph.");

    /// <summary>Creates a graph of one layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="dependsOn">The names of the layers it depends on (they arrive when graphs are merged).</param>
    /// <returns>The graph.</returns>
    public static LayeredGraph FromLayer(Layer layer, params IEnumerable<string> dependsOn) => Empty.With(layer, dependsOn);

    /// <summary>Returns this graph with one more layer.</summary>
    /// <param name="layer">The layer; its name must be new to this graph.</param>
    /// <param name="dependsOn">The names of the layers it depends on.</param>
    /// <returns>The new graph.</returns>
    public LayeredGraph With(Layer layer, params IEnumerable<string> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(dependsOn);
        if (_byName.ContainsKey(layer.Name))
        {
            throw new ArgumentException($"Layer '{layer.Name}' is already in the graph; give each layer a unique name.", nameof(layer));
        }

        return new LayeredGraph(_layers.Add(layer), Dependencies.SetItem(layer.Name, [.. dependsOn.Distinct(StringComparer.Ordinal)]));
    }

    /// <summary>Merges graphs; a layer present in several (by name) is kept once.</summary>
    /// <param name="graphs">The graphs.</param>
    /// <returns>The merged graph.</returns>
    public static LayeredGraph Merge(params IEnumerable<LayeredGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ImmutableArray<Layer>.Builder layers = ImmutableArray.CreateBuilder<Layer>();
        ImmutableDictionary<string, ImmutableArray<string>>.Builder deps = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (LayeredGraph g in graphs)
        {
            foreach (Layer l in g._layers)
            {
                if (!deps.ContainsKey(l.Name))
                {
                    layers.Add(l);
                    deps[l.Name] = g.Dependencies[l.Name];
                }
            }
        }

        return new LayeredGraph(layers.ToImmutable(), deps.ToImmutable());
    }

    /// <summary>Keeps only the layers that the layers named in <paramref name="layerNames"/> need, directly or not.</summary>
    /// <param name="layerNames">The layers whose results are wanted.</param>
    /// <returns>The culled graph.</returns>
    public LayeredGraph CullLayers(IEnumerable<string> layerNames)
    {
        ArgumentNullException.ThrowIfNull(layerNames);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(layerNames);
        while (stack.Count > 0)
        {
            string name = stack.Pop();
            if (!_byName.ContainsKey(name))
            {
                throw new KeyNotFoundException($"Layer '{name}' is not in the graph.");
            }

            if (needed.Add(name))
            {
                foreach (string d in Dependencies[name])
                {
                    if (_byName.ContainsKey(d))
                    {
                        stack.Push(d);
                    }
                }
            }
        }

        ImmutableArray<Layer> kept = [.. _layers.Where(l => needed.Contains(l.Name))];
        return new LayeredGraph(kept, Dependencies.Where(kv => needed.Contains(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal));
    }

    /// <summary>Materializes every layer into one low-level graph.</summary>
    /// <returns>The task graph.</returns>
    /// <exception cref="ArgumentException">Two layers define the same key.</exception>
    public TaskGraph ToTaskGraph()
    {
        var graph = new TaskGraph(TaskCount);
        foreach (Layer layer in _layers)
        {
            foreach (KeyValuePair<Key, Node> kv in layer.Materialize())
            {
                if (!graph.TryAdd(kv.Key, kv.Value))
                {
                    throw new ArgumentException($"Key {kv.Key} of layer '{layer.Name}' is defined by another layer too; each key belongs to one layer.");
                }
            }
        }

        return graph;
    }
}
