using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Tessera.Graphs;

/// <summary>
/// A low-level task graph: a mapping from keys to the nodes that compute them, in insertion order.
/// </summary>
/// <remarks>
/// This is Dask's graph dictionary. A graph is built, optimized and then handed to a scheduler;
/// schedulers do not change it. Enumeration follows insertion order, which keeps every derived
/// ordering deterministic.
/// </remarks>
public sealed class TaskGraph : IReadOnlyDictionary<Key, Node>
{
    private readonly Dictionary<Key, Node> _nodes;

    /// <summary>Creates an empty graph.</summary>
    public TaskGraph()
    {
        _nodes = [];
    }

    /// <summary>Creates an empty graph with room for <paramref name="capacity"/> keys.</summary>
    /// <param name="capacity">The expected number of keys.</param>
    public TaskGraph(int capacity)
    {
        _nodes = new Dictionary<Key, Node>(capacity);
    }

    /// <summary>Creates a graph holding a copy of <paramref name="entries"/>.</summary>
    /// <param name="entries">The key → node entries.</param>
    public TaskGraph(IEnumerable<KeyValuePair<Key, Node>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _nodes = [];
        foreach (KeyValuePair<Key, Node> kv in entries)
        {
            this[kv.Key] = kv.Value;
        }
    }

    /// <inheritdoc/>
    public int Count => _nodes.Count;

    /// <inheritdoc/>
    public IEnumerable<Key> Keys => _nodes.Keys;

    /// <inheritdoc/>
    public IEnumerable<Node> Values => _nodes.Values;

    /// <summary>Gets the entries for allocation-free enumeration by optimization passes (read only; do not modify).</summary>
    internal Dictionary<Key, Node> Entries => _nodes;

    /// <summary>Gets or sets the node that computes <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The node.</returns>
    /// <exception cref="KeyNotFoundException">The graph has no such key (on get).</exception>
    public Node this[Key key]
    {
        get => _nodes.TryGetValue(key, out Node? node) ? node : throw new KeyNotFoundException($"Key {key} is not in the graph.");
        set
        {
            CheckKey(key);
            ArgumentNullException.ThrowIfNull(value);
            _nodes[key] = value;
        }
    }

    /// <summary>Adds a key; fails if it is already present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="node">The node that computes it.</param>
    /// <exception cref="ArgumentException">The key is already in the graph.</exception>
    public void Add(Key key, Node node)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(node);
        if (!_nodes.TryAdd(key, node))
        {
            throw new ArgumentException($"Key {key} is already in the graph; each key is computed by one node.", nameof(key));
        }
    }

    /// <summary>Adds a key unless it is already present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="node">The node that computes it.</param>
    /// <returns><see langword="true"/> when the key was added.</returns>
    public bool TryAdd(Key key, Node node)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(node);
        return _nodes.TryAdd(key, node);
    }

    /// <summary>Removes a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the key was present.</returns>
    public bool Remove(Key key) => _nodes.Remove(key);

    /// <inheritdoc/>
    public bool ContainsKey(Key key) => _nodes.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(Key key, [MaybeNullWhen(false)] out Node value) => _nodes.TryGetValue(key, out value);

    /// <summary>Gets the distinct keys that <paramref name="key"/>'s node refers to, in first-use order.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The dependencies.</returns>
    public IReadOnlyList<Key> GetDependencies(Key key) => Distinct(this[key].GetReferences());

    /// <summary>Computes the dependencies of every key.</summary>
    /// <returns>Key → distinct keys it refers to.</returns>
    public Dictionary<Key, IReadOnlyList<Key>> GetAllDependencies()
    {
        var result = new Dictionary<Key, IReadOnlyList<Key>>(_nodes.Count);
        foreach (KeyValuePair<Key, Node> kv in _nodes)
        {
            result[kv.Key] = Distinct(kv.Value.GetReferences());
        }

        return result;
    }

    /// <summary>Computes the dependents of every key: the keys whose nodes refer to it.</summary>
    /// <returns>Key → keys that refer to it (every key of the graph is present, possibly with none).</returns>
    public Dictionary<Key, List<Key>> GetAllDependents()
    {
        var result = new Dictionary<Key, List<Key>>(_nodes.Count);
        foreach (Key k in _nodes.Keys)
        {
            result[k] = [];
        }

        var refs = new List<Key>();
        foreach (KeyValuePair<Key, Node> kv in _nodes)
        {
            refs.Clear();
            kv.Value.CollectReferences(refs);
            foreach (Key dep in Distinct(refs))
            {
                if (result.TryGetValue(dep, out List<Key>? list))
                {
                    list.Add(kv.Key);
                }
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<Key, Node>> GetEnumerator() => _nodes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static IReadOnlyList<Key> Distinct(IReadOnlyList<Key> keys)
    {
        if (keys.Count <= 1)
        {
            return keys;
        }

        var seen = new HashSet<Key>(keys.Count);
        var result = new List<Key>(keys.Count);
        foreach (Key k in keys)
        {
            if (seen.Add(k))
            {
                result.Add(k);
            }
        }

        return result;
    }

    private static void CheckKey(Key key)
    {
        if (key.IsDefault)
        {
            throw new ArgumentException("The default key cannot be added to a graph; give the key a name.", nameof(key));
        }
    }
}
