using Tessera.Bags.Internal;
using Tessera.Graphs;

namespace Tessera.Bags;

public sealed partial class Bag<T>
{
    /// <summary>
    /// Groups the elements by key with a full shuffle (Dask's <c>groupby</c>, tasks method): each
    /// partition is split by a stable hash of the key, then each output partition gathers its split
    /// from every input and groups it. The hash of a key is the same in every process (Dask's process
    /// scheduler gets wrong groups for string keys because Python randomizes string hashes).
    /// </summary>
    /// <typeparam name="TKey">The key type: strings, numbers, enums, dates, Guids, tuples of these, or records of plain data.</typeparam>
    /// <param name="keySelector">The key of an element.</param>
    /// <param name="partitionCount">The number of output partitions; by default this bag's.</param>
    /// <returns>The lazy bag of (key, elements) pairs; each key appears once, its elements in input order.</returns>
    public Bag<KeyValuePair<TKey, IReadOnlyList<T>>> GroupBy<TKey>(Func<T, TKey> keySelector, int? partitionCount = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        int n = partitionCount ?? PartitionCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(partitionCount));
        string name = NewName("groupby", keySelector, n);
        string token = name["groupby-".Length..];
        Node f = Node.Literal(keySelector);
        Node count = Node.Literal(n);
        var tasks = new TaskGraph();
        var buckets = new Node[_parts.Length, n];
        for (int i = 0; i < _parts.Length; i++)
        {
            var split = new Key("groupby-split-" + token, i);
            tasks.Add(split, Node.Call(Fn<T, TKey>.SplitByHash, f, count, _parts[i]));
            for (int j = 0; j < n; j++)
            {
                var bucket = new Key("groupby-bucket-" + token, i, j);
                tasks.Add(bucket, Node.Call(Fn<T>.Piece, Node.Literal(j), Node.Ref(split)));
                buckets[i, j] = Node.Ref(bucket);
            }
        }

        var parts = new Node[n];
        var origins = new string[n];
        for (int j = 0; j < n; j++)
        {
            var inputs = new Node[_parts.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = buckets[i, j];
            }

            var key = new Key(name, j);
            tasks.Add(key, Node.Call(GroupFn<T, TKey>.Group, f, Node.List<T[]>(inputs)));
            parts[j] = Node.Ref(key);
            origins[j] = $"partition {j} of {name}";
        }

        LayeredGraph graph = WithLayer(Dependencies, new MaterializedLayer(name, tasks));
        return new Bag<KeyValuePair<TKey, IReadOnlyList<T>>>(name, graph, parts, origins, partsAreKeys: true);
    }

    /// <summary>
    /// Changes the number of partitions, keeping the elements' order (Dask's <c>repartition</c>):
    /// fewer partitions concatenate neighbours; more split each partition into even pieces.
    /// </summary>
    /// <param name="partitionCount">The new number of partitions.</param>
    /// <returns>The lazy bag with <paramref name="partitionCount"/> partitions.</returns>
    public Bag<T> Repartition(int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        int m = _parts.Length;
        int n = partitionCount;
        if (n == m)
        {
            return this;
        }

        string name = NewName("repartition", n);
        var parts = new Node[n];
        var origins = new string[n];
        if (n < m)
        {
            // Output j concatenates inputs [m*j/n, m*(j+1)/n), read through their keys.
            Key[] inputs = Materialized().Keys;
            for (int j = 0; j < n; j++)
            {
                int from = (int)((long)m * j / n);
                int to = (int)((long)m * (j + 1) / n);
                var refs = new Node[to - from];
                for (int i = from; i < to; i++)
                {
                    refs[i - from] = Node.Ref(inputs[i]);
                }

                parts[j] = Node.Call(Fn<T>.Concat, Node.List<T[]>(refs));
                origins[j] = $"partition {j} of {name}";
            }

            return new Bag<T>(name, Graph, parts, origins, partsAreKeys: false);
        }

        // Input i is split into the pieces of outputs [n*i/m, n*(i+1)/m).
        string token = name["repartition-".Length..];
        var tasks = new TaskGraph();
        for (int i = 0; i < m; i++)
        {
            int from = (int)((long)n * i / m);
            int to = (int)((long)n * (i + 1) / m);
            var split = new Key("repartition-split-" + token, i);
            tasks.Add(split, Node.Call(Fn<T>.SplitEven, Node.Literal(to - from), _parts[i]));
            for (int j = from; j < to; j++)
            {
                parts[j] = Node.Call(Fn<T>.Piece, Node.Literal(j - from), Node.Ref(split));
                origins[j] = $"partition {j} of {name}";
            }
        }

        return new Bag<T>(name, WithLayer(Dependencies, new MaterializedLayer("repartition-split-" + token, tasks)), parts, origins, partsAreKeys: false);
    }

    /// <summary>
    /// The Cartesian product with another bag (Dask's <c>product</c>): one partition per pair of
    /// partitions, <c>PartitionCount * other.PartitionCount</c> in all, pairs of partition i before i+1.
    /// </summary>
    /// <typeparam name="TOther">The other bag's element type.</typeparam>
    /// <param name="other">The other bag.</param>
    /// <returns>The lazy bag of pairs.</returns>
    public Bag<(T, TOther)> Product<TOther>(Bag<TOther> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        string name = NewName("product", other.Name);
        IReadOnlyList<Key> left = PartKeys;
        IReadOnlyList<Key> right = other.PartKeys;
        var parts = new Node[left.Count * right.Count];
        var origins = new string[parts.Length];
        for (int i = 0; i < left.Count; i++)
        {
            for (int j = 0; j < right.Count; j++)
            {
                int p = (i * right.Count) + j;
                parts[p] = Node.Call(Fn<T, TOther>.Product, Node.Ref(left[i]), Node.Ref(right[j]));
                origins[p] = $"partition {p} of {name}";
            }
        }

        return new Bag<(T, TOther)>(name, Merge([Graph, other.Graph]), parts, origins, partsAreKeys: false);
    }
}
