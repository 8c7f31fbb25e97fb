using Tessera.Bags.Internal;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Bags;

public sealed partial class Bag<T>
{
    /// <summary>The default number of partials one combine task of a reduction takes (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = 8;

    /// <summary>Counts the elements.</summary>
    /// <returns>The lazy count.</returns>
    public Delayed<long> Count()
    {
        string name = NewName("count");
        LayeredGraph g = Reduce<long>(
            name,
            static (p, _) => Node.Call(Fn<T>.Count, p),
            static list => Node.Call(ScalarFn.SumInt64, list),
            static n => n,
            DefaultSplitEvery,
            out Key final);
        return Scalar<long>(g, final);
    }

    /// <summary>Tells whether the bag has any element.</summary>
    /// <returns>The lazy answer.</returns>
    public Delayed<bool> Any() => AnyCore(null);

    /// <summary>Tells whether any element satisfies a predicate.</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The lazy answer.</returns>
    public Delayed<bool> Any(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AnyCore(predicate);
    }

    /// <summary>Tells whether every element satisfies a predicate (true for an empty bag).</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The lazy answer.</returns>
    public Delayed<bool> All(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Node f = Node.Literal(predicate);
        LayeredGraph g = Reduce<bool>(
            NewName("all", predicate),
            (p, _) => Node.Call(Fn<T>.All, f, p),
            static list => Node.Call(ScalarFn.And, list),
            static n => n,
            DefaultSplitEvery,
            out Key final);
        return Scalar<bool>(g, final);
    }

    /// <summary>Finds the smallest element by the default comparer (nulls are ignored, as in LINQ).</summary>
    /// <returns>The lazy minimum; computing it fails with <see cref="InvalidOperationException"/> on an empty bag of a value type (null for reference types).</returns>
    public Delayed<T> Min() => Extreme("Min", -1);

    /// <summary>Finds the largest element by the default comparer (nulls are ignored, as in LINQ).</summary>
    /// <returns>The lazy maximum; computing it fails with <see cref="InvalidOperationException"/> on an empty bag of a value type (null for reference types).</returns>
    public Delayed<T> Max() => Extreme("Max", 1);

    /// <summary>
    /// Reduces the elements with a binary function (Dask's <c>fold(binop)</c>): each partition from its
    /// first element, then the partials with the same function. The function should be associative.
    /// </summary>
    /// <param name="binop">The function.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy result; computing it fails with <see cref="InvalidOperationException"/> on an empty bag.</returns>
    public Delayed<T> Fold(Func<T, T, T> binop, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(binop);
        Node f = Node.Literal(binop);
        LayeredGraph g = Reduce<(bool, T)>(
            NewName("fold", binop),
            (p, _) => Node.Call(Fn<T>.Reduce, f, p),
            list => Node.Call(Fn<T>.CombineReduced, f, list),
            static n => Node.Call(Fn<T>.FinishReduced, n),
            splitEvery,
            out Key final);
        return Scalar<T>(g, final);
    }

    /// <summary>
    /// Folds each partition from <paramref name="initial"/> with <paramref name="binop"/>, then combines
    /// the partials with <paramref name="combine"/> (Dask's <c>fold(binop, combine, initial)</c>:
    /// the initial value is used once per partition).
    /// </summary>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="initial">The initial accumulator of each partition; partitions share it, so it must not be mutated (use the factory overload for mutable accumulators).</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<TAcc> Fold<TAcc>(TAcc initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(binop);
        ArgumentNullException.ThrowIfNull(combine);
        return FoldCore(NewName("fold", initial, binop, combine), FoldFn<T, TAcc>.Fold, Node.Literal(initial), binop, combine, splitEvery);
    }

    /// <summary>Folds each partition from a fresh accumulator made by <paramref name="initial"/>, then combines the partials.</summary>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="initial">Makes each partition's initial accumulator.</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<TAcc> Fold<TAcc>(Func<TAcc> initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(binop);
        ArgumentNullException.ThrowIfNull(combine);
        return FoldCore(NewName("fold", initial, binop, combine), FoldFn<T, TAcc>.FoldNew, Node.Literal(initial), binop, combine, splitEvery);
    }

    /// <summary>LINQ's name for <see cref="Fold(Func{T, T, T}, int)"/>.</summary>
    /// <param name="func">An associative function.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<T> Aggregate(Func<T, T, T> func) => Fold(func);

    /// <summary>LINQ's name for <see cref="Fold{TAcc}(TAcc, Func{TAcc, T, TAcc}, Func{TAcc, TAcc, TAcc}, int)"/>; the seed is used once per partition.</summary>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="seed">The initial accumulator of each partition (not mutated).</param>
    /// <param name="func">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<TAcc> Aggregate<TAcc>(TAcc seed, Func<TAcc, T, TAcc> func, Func<TAcc, TAcc, TAcc> combine) => Fold(seed, func, combine);

    /// <summary>The distinct elements, in the order of their first occurrence; one partition.</summary>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of distinct elements.</returns>
    public Bag<T> Distinct(int splitEvery = DefaultSplitEvery)
    {
        string name = NewName("distinct");
        LayeredGraph g = Reduce<T[]>(
            name,
            static (p, _) => Node.Call(Fn<T>.Distinct, p),
            static list => Node.Call(Fn<T>.CombineDistinct, list),
            static n => n,
            splitEvery,
            out Key final);
        return Single<T>(name, g, final);
    }

    /// <summary>The first element of each distinct key, in the order of first occurrence; one partition (Dask's <c>distinct(key=)</c>).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The key of an element.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of distinct elements.</returns>
    public Bag<T> DistinctBy<TKey>(Func<T, TKey> keySelector, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        Node f = Node.Literal(keySelector);
        string name = NewName("distinct", keySelector);
        LayeredGraph g = Reduce<T[]>(
            name,
            (p, _) => Node.Call(Fn<T, TKey>.DistinctBy, f, p),
            list => Node.Call(Fn<T, TKey>.CombineDistinctBy, f, list),
            static n => n,
            splitEvery,
            out Key final);
        return Single<T>(name, g, final);
    }

    /// <summary>The <paramref name="k"/> largest elements by the default comparer, largest first; one partition.</summary>
    /// <param name="k">How many to keep.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of at most <paramref name="k"/> elements.</returns>
    public Bag<T> TopK(int k, int splitEvery = DefaultSplitEvery) => TopK(k, Reductions.Identity<T>, splitEvery);

    /// <summary>
    /// The <paramref name="k"/> elements with the largest keys, largest first, earlier elements first among
    /// equal keys (LINQ's <c>OrderByDescending(key).Take(k)</c>); one partition. Each partition keeps
    /// its best <paramref name="k"/> in a bounded heap.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="k">How many to keep.</param>
    /// <param name="keySelector">The key of an element.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of at most <paramref name="k"/> elements.</returns>
    public Bag<T> TopK<TKey>(int k, Func<T, TKey> keySelector, int splitEvery = DefaultSplitEvery)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentNullException.ThrowIfNull(keySelector);
        Node kk = Node.Literal(k);
        Node f = Node.Literal(keySelector);
        string name = NewName("topk", k, keySelector);
        LayeredGraph g = Reduce<(T, long)[]>(
            name,
            (p, i) => Node.Call(Fn<T, TKey>.TopPartition, kk, f, Node.Literal(i), p),
            list => Node.Call(Fn<T, TKey>.MergeTop, kk, f, list),
            static n => Node.Call(Fn<T>.FinishTop, n),
            splitEvery,
            out Key final);
        return Single<T>(name, g, final);
    }

    /// <summary>
    /// Groups by key and folds each group without a full shuffle (Dask's <c>foldby</c>): each partition
    /// folds its elements per key from <paramref name="initial"/>, then the per-key partials are combined;
    /// one partition of (key, result) pairs in the order of first occurrence.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="keySelector">The key of an element (not null).</param>
    /// <param name="initial">Each key's initial accumulator in each partition (not mutated).</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators of the same key.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of (key, accumulator) pairs.</returns>
    public Bag<KeyValuePair<TKey, TAcc>> FoldBy<TKey, TAcc>(
        Func<T, TKey> keySelector, TAcc initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, int splitEvery = DefaultSplitEvery)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(binop);
        ArgumentNullException.ThrowIfNull(combine);
        return FoldByCore(NewName("foldby", keySelector, initial, binop, combine), FoldByFn<T, TKey, TAcc>.Fold, keySelector, Node.Literal(initial), binop, combine, false, default!, splitEvery);
    }

    /// <summary>
    /// Groups by key and folds each group (Dask's <c>foldby</c> with <c>combine_initial</c>): the per-key
    /// partials are combined starting from <paramref name="combineInitial"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="keySelector">The key of an element (not null).</param>
    /// <param name="initial">Each key's initial accumulator in each partition (not mutated).</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators of the same key.</param>
    /// <param name="combineInitial">The accumulator the combine step starts from for each key (not mutated).</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of (key, accumulator) pairs.</returns>
    public Bag<KeyValuePair<TKey, TAcc>> FoldBy<TKey, TAcc>(
        Func<T, TKey> keySelector, TAcc initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, TAcc combineInitial, int splitEvery = DefaultSplitEvery)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(binop);
        ArgumentNullException.ThrowIfNull(combine);
        return FoldByCore(NewName("foldby", keySelector, initial, binop, combine, combineInitial), FoldByFn<T, TKey, TAcc>.Fold, keySelector, Node.Literal(initial), binop, combine, true, combineInitial, splitEvery);
    }

    /// <summary>Groups by key and folds each group, each key of each partition starting from a fresh accumulator made by <paramref name="initial"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="keySelector">The key of an element (not null).</param>
    /// <param name="initial">Makes an initial accumulator.</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <param name="combine">Combines two accumulators of the same key.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of (key, accumulator) pairs.</returns>
    public Bag<KeyValuePair<TKey, TAcc>> FoldBy<TKey, TAcc>(
        Func<T, TKey> keySelector, Func<TAcc> initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, int splitEvery = DefaultSplitEvery)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(binop);
        ArgumentNullException.ThrowIfNull(combine);
        return FoldByCore(NewName("foldby", keySelector, initial, binop, combine), FoldByFn<T, TKey, TAcc>.FoldNew, keySelector, Node.Literal(initial), binop, combine, false, default!, splitEvery);
    }

    /// <summary>
    /// The first <paramref name="count"/> elements, computing partitions one at a time from the first
    /// and stopping as soon as enough elements are found (Dask's <c>take</c> with <c>npartitions=-1</c>).
    /// Runs now; a partition is read only as far as needed.
    /// </summary>
    /// <param name="count">How many elements.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>Up to <paramref name="count"/> elements (fewer if the bag is smaller).</returns>
    public IReadOnlyList<T> Take(int count, IScheduler? scheduler = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<T>(Math.Min(count, 1 << 16));
        if (count == 0)
        {
            return result;
        }

        IScheduler s = scheduler ?? Schedulers.Default;
        TaskGraph graph = Dependencies.ToTaskGraph();
        string name = NewName("take", count);
        for (int i = 0; i < _parts.Length && result.Count < count; i++)
        {
            var key = new Key(name, i);
            graph[key] = Node.Call(Fn<T>.TakeFirst, Node.Literal(count - result.Count), _parts[i]);
            Key[] keys = [key];
            TaskGraph run = GraphOptimizer.Optimize(GraphOptimizations.Cull(graph, keys), keys);
            result.AddRange((T[])s.Get(run, keys, cancellationToken)[0]!);
        }

        return result;
    }

    private Delayed<bool> AnyCore(Func<T, bool>? predicate)
    {
        Node f = Node.Literal(predicate);
        LayeredGraph g = Reduce<bool>(
            NewName("any", predicate),
            (p, _) => Node.Call(Fn<T>.Any, f, p),
            static list => Node.Call(ScalarFn.Or, list),
            static n => n,
            DefaultSplitEvery,
            out Key final);
        return Scalar<bool>(g, final);
    }

    private Delayed<T> Extreme(string operation, int sign)
    {
        Node s = Node.Literal(sign);
        LayeredGraph g = Reduce<(bool, T)>(
            NewName(operation.ToLowerInvariant()),
            (p, _) => Node.Call(Fn<T>.Extreme, s, p),
            list => Node.Call(Fn<T>.CombineExtremes, s, list),
            n => Node.Call(Fn<T>.FinishExtreme, Node.Literal(operation), n),
            DefaultSplitEvery,
            out Key final);
        return Scalar<T>(g, final);
    }

    private Delayed<TAcc> FoldCore<TAcc>(string name, TaskFunction perPartition, Node initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine, int splitEvery)
    {
        Node b = Node.Literal(binop);
        Node c = Node.Literal(combine);
        LayeredGraph g = Reduce<TAcc>(
            name,
            (p, _) => Node.Call(perPartition, b, initial, p),
            list => Node.Call(FoldFn<T, TAcc>.Combine, c, list),
            static n => n,
            splitEvery,
            out Key final);
        return Scalar<TAcc>(g, final);
    }

    private Bag<KeyValuePair<TKey, TAcc>> FoldByCore<TKey, TAcc>(
        string name, TaskFunction perPartition, Func<T, TKey> keySelector, Node initial, Func<TAcc, T, TAcc> binop, Func<TAcc, TAcc, TAcc> combine,
        bool hasCombineInitial, TAcc combineInitial, int splitEvery)
        where TKey : notnull
    {
        Node k = Node.Literal(keySelector);
        Node b = Node.Literal(binop);
        Node c = Node.Literal(combine);
        Node h = Node.Literal(hasCombineInitial);
        Node ci = Node.Literal(combineInitial);
        LayeredGraph g = Reduce<Dictionary<TKey, TAcc>>(
            name,
            (p, _) => Node.Call(perPartition, k, b, initial, p),
            list => Node.Call(FoldByFn<T, TKey, TAcc>.Combine, c, h, ci, list),
            static n => Node.Call(FoldByFn<T, TKey, TAcc>.Finish, n),
            splitEvery,
            out Key final);
        return Single<KeyValuePair<TKey, TAcc>>(name, g, final);
    }
}
