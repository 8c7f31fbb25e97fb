using Tessera.Bags.Internal;
using Tessera.Graphs;

namespace Tessera.Bags;

public sealed partial class Bag<T>
{
    /// <summary>Applies a function to each element (Dask's <c>map</c>).</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="selector">The function.</param>
    /// <returns>The lazy bag of results, with the same partitions.</returns>
    public Bag<TResult> Select<TResult>(Func<T, TResult> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        Node f = Node.Literal(selector);
        return Wrap<TResult>(NewName("select", selector), (p, _) => Node.Call(Fn<T, TResult>.Select, f, p));
    }

    /// <summary>
    /// Applies a function to each element and one lazy value that is computed once and passed to every
    /// partition (Dask's <c>map</c> with a lazy argument, for example a bag's maximum).
    /// </summary>
    /// <typeparam name="TArg">The type of the lazy argument.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="selector">The function of an element and the argument.</param>
    /// <param name="argument">The lazy argument.</param>
    /// <returns>The lazy bag of results, with the same partitions.</returns>
    public Bag<TResult> Select<TArg, TResult>(Func<T, TArg, TResult> selector, Delayed<TArg> argument)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(argument);
        Node f = Node.Literal(selector);
        Node a = Node.Ref(argument.Key);
        LayeredGraph graph = WithDelayed(Dependencies, argument);
        return Wrap<TResult>(NewName("select", selector, argument.Key), (p, _) => Node.Call(Fn<T, TArg, TResult>.SelectWith, f, a, p), dependencies: graph);
    }

    /// <summary>Keeps the elements that satisfy a predicate (Dask's <c>filter</c>).</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The lazy bag of kept elements, with the same partitions.</returns>
    public Bag<T> Where(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Node f = Node.Literal(predicate);
        return Wrap<T>(NewName("where", predicate), (p, _) => Node.Call(Fn<T>.Where, f, p));
    }

    /// <summary>Maps each element to a sequence and flattens the sequences (Dask's <c>map</c> then <c>flatten</c>).</summary>
    /// <typeparam name="TResult">The element type of the sequences.</typeparam>
    /// <param name="selector">The function.</param>
    /// <returns>The lazy flattened bag, with the same partitions.</returns>
    public Bag<TResult> SelectMany<TResult>(Func<T, IEnumerable<TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        Node f = Node.Literal(selector);
        return Wrap<TResult>(NewName("select-many", selector), (p, _) => Node.Call(Fn<T, TResult>.SelectMany, f, p));
    }

    /// <summary>Applies a function to each whole partition (Dask's <c>map_partitions</c>).</summary>
    /// <typeparam name="TResult">The element type of the new partitions.</typeparam>
    /// <param name="function">Receives a partition's elements and returns the new partition's elements.</param>
    /// <returns>The lazy bag, with one new partition per partition.</returns>
    public Bag<TResult> MapPartitions<TResult>(Func<IReadOnlyList<T>, IEnumerable<TResult>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Node f = Node.Literal(function);
        return Wrap<TResult>(NewName("map-partitions", function), (p, _) => Node.Call(Fn<T, TResult>.MapPartition, f, p));
    }

    /// <summary>
    /// Takes one member of each record by key (Dask's <c>pluck</c>): a property of a JSON object
    /// (<c>JsonObject</c>, <c>JsonElement</c>) or an entry of a dictionary with string keys.
    /// </summary>
    /// <typeparam name="TValue">The member's type (JSON values are converted to it).</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The lazy bag of values. Computing it fails with <see cref="KeyNotFoundException"/> (naming the key, the partition and the record) when a record lacks the key.</returns>
    public Bag<TValue> Pluck<TValue>(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PluckCore(key, hasDefault: false, default(TValue)!);
    }

    /// <summary>Takes one member of each record by key, or <paramref name="defaultValue"/> where a record lacks it.</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value for records without the key.</param>
    /// <returns>The lazy bag of values.</returns>
    public Bag<TValue> Pluck<TValue>(string key, TValue defaultValue)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PluckCore(key, hasDefault: true, defaultValue);
    }

    /// <summary>Takes one member of each record by position (lists, arrays, tuples, JSON arrays).</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="index">The position.</param>
    /// <returns>The lazy bag of values. Computing it fails when a record is too short.</returns>
    public Bag<TValue> Pluck<TValue>(int index) => PluckCore(index, hasDefault: false, default(TValue)!);

    /// <summary>Takes one member of each record by position, or <paramref name="defaultValue"/> where a record is too short.</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="index">The position.</param>
    /// <param name="defaultValue">The value for records that are too short.</param>
    /// <returns>The lazy bag of values.</returns>
    public Bag<TValue> Pluck<TValue>(int index, TValue defaultValue) => PluckCore(index, hasDefault: true, defaultValue);

    /// <summary>
    /// Correlates the elements with an in-memory sequence by key (Dask's <c>join</c>, a hash join
    /// against a small collection; LINQ's <c>Join</c>). The sequence is held once in the graph and
    /// shared by the partitions.
    /// </summary>
    /// <typeparam name="TInner">The element type of the sequence.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="inner">The sequence (read now).</param>
    /// <param name="outerKeySelector">The key of a bag element.</param>
    /// <param name="innerKeySelector">The key of a sequence element.</param>
    /// <param name="resultSelector">Makes a result from a matching pair.</param>
    /// <returns>The lazy bag of results, in LINQ's order within each partition.</returns>
    public Bag<TResult> Join<TInner, TKey, TResult>(
        IEnumerable<TInner> inner, Func<T, TKey> outerKeySelector, Func<TInner, TKey> innerKeySelector, Func<T, TInner, TResult> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        TInner[] table = [.. inner];
        string name = NewName("join", table, outerKeySelector, innerKeySelector, resultSelector);
        var innerKey = new Key(name + "-other");
        LayeredGraph graph = WithLayer(Dependencies, new MaterializedLayer(innerKey.Name, new TaskGraph { [innerKey] = Node.Literal(table) }));
        Node ok = Node.Literal(outerKeySelector);
        Node ik = Node.Literal(innerKeySelector);
        Node rs = Node.Literal(resultSelector);
        Node t = Node.Ref(innerKey);
        return Wrap<TResult>(name, (p, _) => Node.Call(JoinFn<T, TInner, TKey, TResult>.Join, ok, ik, rs, t, p), dependencies: graph);
    }

    /// <summary>Appends another bag's partitions after this bag's (Dask's <c>concat</c>).</summary>
    /// <param name="other">The other bag.</param>
    /// <returns>The lazy bag with the partitions of both.</returns>
    public Bag<T> Concat(Bag<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Bag.Concat([this, other]);
    }

    private Bag<TValue> PluckCore<TValue>(string key, bool hasDefault, TValue defaultValue)
    {
        Node k = Node.Literal(key);
        Node h = Node.Literal(hasDefault);
        Node d = Node.Literal(defaultValue);
        return Wrap<TValue>(
            NewName("pluck", key, hasDefault, defaultValue),
            (p, i) => Node.Call(Fn<T, TValue>.PluckKey, k, h, d, Node.Literal(_origins[i]), p));
    }

    private Bag<TValue> PluckCore<TValue>(int index, bool hasDefault, TValue defaultValue)
    {
        Node k = Node.Literal(index);
        Node h = Node.Literal(hasDefault);
        Node d = Node.Literal(defaultValue);
        return Wrap<TValue>(
            NewName("pluck", index, hasDefault, defaultValue),
            (p, i) => Node.Call(Fn<T, TValue>.PluckIndex, k, h, d, Node.Literal(_origins[i]), p));
    }
}
