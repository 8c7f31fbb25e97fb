using System.Numerics;

namespace Tessera.Bags.Internal;

// Per-partition steps, combine steps (over the partials of up to split-every partitions) and final
// steps of the bag reductions. Partials are plain data (numbers, tuples, arrays, dictionaries) so
// that they can travel between worker processes.
internal static class Reductions
{
    public static T Identity<T>(T value) => value;

    // ---- Count

    public static long Count<T>(IEnumerable<T> items)
    {
        if (items.TryGetNonEnumeratedCount(out int n))
        {
            return n;
        }

        long count = 0;
        using IEnumerator<T> e = items.GetEnumerator();
        while (e.MoveNext())
        {
            count++;
        }

        return count;
    }

    public static long SumInt64(long[] partials)
    {
        long total = 0;
        foreach (long p in partials)
        {
            total = checked(total + p);
        }

        return total;
    }

    // ---- Sum

    public static T Sum<T>(IEnumerable<T> items)
        where T : INumber<T>
    {
        T total = T.Zero;
        if (items is T[] array)
        {
            for (int i = 0; i < array.Length; i++)
            {
                total = checked(total + array[i]);
            }

            return total;
        }

        foreach (T item in items)
        {
            total = checked(total + item);
        }

        return total;
    }

    public static T SumPartials<T>(T[] partials)
        where T : INumber<T> => Sum<T>(partials);

    // ---- Min, Max: a partial is (has a value, the value); nulls are skipped as LINQ does.

    public static (bool, T) Extreme<T>(int sign, IEnumerable<T> items)
    {
        Comparer<T> comparer = Comparer<T>.Default;
        bool has = false;
        T best = default!;
        foreach (T item in items)
        {
            if (item is null)
            {
                continue;
            }

            if (!has || sign * comparer.Compare(item, best) > 0)
            {
                best = item;
                has = true;
            }
        }

        return (has, best);
    }

    public static (bool, T) CombineExtremes<T>(int sign, (bool, T)[] partials)
    {
        Comparer<T> comparer = Comparer<T>.Default;
        bool has = false;
        T best = default!;
        foreach ((bool h, T v) in partials)
        {
            if (h && (!has || sign * comparer.Compare(v, best) > 0))
            {
                best = v;
                has = true;
            }
        }

        return (has, best);
    }

    public static T FinishExtreme<T>(string operation, (bool, T) result)
    {
        (bool has, T value) = result;
        if (has)
        {
            return value;
        }

        return default(T) is null ? default! : throw Kernels.Empty(operation);
    }

    // ---- Mean, Var, Std: a partial is (count, mean, sum of squared deviations), merged with Chan's formulas.

    public static (long, double, double) Moments<T>(IEnumerable<T> items)
        where T : INumberBase<T>
    {
        long n = 0;
        double mean = 0;
        double m2 = 0;
        foreach (T item in items)
        {
            double x = double.CreateChecked(item);
            n++;
            double delta = x - mean;
            mean += delta / n;
            m2 += delta * (x - mean);
        }

        return (n, mean, m2);
    }

    public static (long, double, double) CombineMoments((long, double, double)[] partials)
    {
        long n = 0;
        double mean = 0;
        double m2 = 0;
        foreach ((long nb, double meanB, double m2B) in partials)
        {
            if (nb == 0)
            {
                continue;
            }

            long total = n + nb;
            double delta = meanB - mean;
            mean += delta * nb / total;
            m2 += m2B + (delta * delta * n * nb / total);
            n = total;
        }

        return (n, mean, m2);
    }

    public static double FinishMean((long, double, double) moments) =>
        moments.Item1 == 0 ? throw Kernels.Empty("Mean") : moments.Item2;

    public static double FinishVariance(int ddof, (long, double, double) moments)
    {
        (long n, _, double m2) = moments;
        if (n == 0)
        {
            throw Kernels.Empty("Var");
        }

        return n - ddof <= 0 ? double.NaN : m2 / (n - ddof);
    }

    public static double FinishStd(int ddof, (long, double, double) moments) => Math.Sqrt(FinishVariance(ddof, moments));

    // ---- Any, All

    public static bool Any<T>(Func<T, bool>? predicate, IEnumerable<T> items) => predicate is null ? items.Any() : items.Any(predicate);

    public static bool All<T>(Func<T, bool> predicate, IEnumerable<T> items) => items.All(predicate);

    public static bool Or(bool[] partials) => Array.IndexOf(partials, true) >= 0;

    public static bool And(bool[] partials) => Array.IndexOf(partials, false) < 0;

    // ---- Fold (Dask's fold): binop over each partition from initial, then combine over the partials.

    public static TAcc FoldPartition<T, TAcc>(Func<TAcc, T, TAcc> binop, TAcc initial, IEnumerable<T> items)
    {
        TAcc acc = initial;
        foreach (T item in items)
        {
            acc = binop(acc, item);
        }

        return acc;
    }

    public static TAcc FoldPartitionNew<T, TAcc>(Func<TAcc, T, TAcc> binop, Func<TAcc> initial, IEnumerable<T> items) =>
        FoldPartition(binop, initial(), items);

    public static TAcc CombineFolds<TAcc>(Func<TAcc, TAcc, TAcc> combine, TAcc[] partials)
    {
        TAcc acc = partials[0];
        for (int i = 1; i < partials.Length; i++)
        {
            acc = combine(acc, partials[i]);
        }

        return acc;
    }

    public static (bool, T) ReducePartition<T>(Func<T, T, T> binop, IEnumerable<T> items)
    {
        bool has = false;
        T acc = default!;
        foreach (T item in items)
        {
            acc = has ? binop(acc, item) : item;
            has = true;
        }

        return (has, acc);
    }

    public static (bool, T) CombineReduced<T>(Func<T, T, T> binop, (bool, T)[] partials)
    {
        bool has = false;
        T acc = default!;
        foreach ((bool h, T v) in partials)
        {
            if (h)
            {
                acc = has ? binop(acc, v) : v;
                has = true;
            }
        }

        return (has, acc);
    }

    public static T FinishReduced<T>((bool, T) result) => result.Item1 ? result.Item2 : throw Kernels.Empty("Fold");

    // ---- Distinct, DistinctBy: partials keep the first occurrence of each item, in order.

    public static T[] DistinctPartition<T>(IEnumerable<T> items) => [.. items.Distinct()];

    public static T[] CombineDistinct<T>(T[][] partials) => [.. partials.SelectMany(static p => p).Distinct()];

    public static T[] DistinctByPartition<T, TKey>(Func<T, TKey> key, IEnumerable<T> items) => [.. items.DistinctBy(key)];

    public static T[] CombineDistinctBy<T, TKey>(Func<T, TKey> key, T[][] partials) => [.. partials.SelectMany(static p => p).DistinctBy(key)];

    // ---- Frequencies: one dictionary per partition, merged in partition order (first occurrence order).

    public static Dictionary<T, long> CountPartition<T>(IEnumerable<T> items)
        where T : notnull
    {
        var counts = new Dictionary<T, long>();
        foreach (T item in items)
        {
            if (item is null)
            {
                throw new InvalidOperationException("Frequencies: the bag contains a null item; filter nulls out first (Where(x => x is not null)).");
            }

            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, item, out _)++;
        }

        return counts;
    }

    public static Dictionary<T, long> MergeCounts<T>(Dictionary<T, long>[] partials)
        where T : notnull
    {
        if (partials.Length == 1)
        {
            return partials[0];
        }

        var total = new Dictionary<T, long>(partials.Max(static p => p.Count));
        foreach (Dictionary<T, long> p in partials)
        {
            foreach (KeyValuePair<T, long> kv in p)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(total, kv.Key, out _) += kv.Value;
            }
        }

        return total;
    }

    public static KeyValuePair<T, long>[] FinishCounts<T>(bool sort, Dictionary<T, long> counts)
        where T : notnull
    {
        KeyValuePair<T, long>[] result = [.. counts];
        if (sort)
        {
            // Stable: equal counts keep their first-occurrence order.
            KeyValuePair<T, long>[] sorted = [.. result.OrderByDescending(static kv => kv.Value)];
            return sorted;
        }

        return result;
    }

    // ---- FoldBy: one dictionary of accumulators per partition, merged with combine.

    public static Dictionary<TKey, TAcc> FoldByPartition<T, TKey, TAcc>(Func<T, TKey> key, Func<TAcc, T, TAcc> binop, TAcc initial, IEnumerable<T> items)
        where TKey : notnull => FoldBy(key, binop, initial, null, items);

    public static Dictionary<TKey, TAcc> FoldByPartitionNew<T, TKey, TAcc>(Func<T, TKey> key, Func<TAcc, T, TAcc> binop, Func<TAcc> initial, IEnumerable<T> items)
        where TKey : notnull => FoldBy(key, binop, default!, initial, items);

    private static Dictionary<TKey, TAcc> FoldBy<T, TKey, TAcc>(Func<T, TKey> key, Func<TAcc, T, TAcc> binop, TAcc initial, Func<TAcc>? factory, IEnumerable<T> items)
        where TKey : notnull
    {
        var accs = new Dictionary<TKey, TAcc>();
        foreach (T item in items)
        {
            TKey k = key(item) ?? throw new InvalidOperationException("FoldBy: the key function returned null for an item; return a non-null key.");
            ref TAcc? slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(accs, k, out bool exists);
            slot = binop(exists ? slot! : factory is null ? initial : factory(), item);
        }

        return accs;
    }

    public static Dictionary<TKey, TAcc> CombineFoldBy<TKey, TAcc>(Func<TAcc, TAcc, TAcc> combine, bool hasCombineInitial, TAcc combineInitial, Dictionary<TKey, TAcc>[] partials)
        where TKey : notnull
    {
        if (partials.Length == 1 && !hasCombineInitial)
        {
            return partials[0];
        }

        var total = new Dictionary<TKey, TAcc>();
        foreach (Dictionary<TKey, TAcc> p in partials)
        {
            foreach (KeyValuePair<TKey, TAcc> kv in p)
            {
                ref TAcc? slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(total, kv.Key, out bool exists);
                slot = exists ? combine(slot!, kv.Value) : hasCombineInitial ? combine(combineInitial, kv.Value) : kv.Value;
            }
        }

        return total;
    }

    public static KeyValuePair<TKey, TAcc>[] FinishFoldBy<TKey, TAcc>(Dictionary<TKey, TAcc> accs)
        where TKey : notnull => [.. accs];

    // ---- TopK: each partition keeps its k largest (key descending, earlier items first among equal
    // keys) with a bounded heap; partials are merged the same way. Positions make ties deterministic.

    public static (T, long)[] TopPartition<T, TKey>(int k, Func<T, TKey> key, int partition, IEnumerable<T> items)
    {
        var heap = new PriorityQueue<(T Item, long Position), (TKey Key, long Position)>(k + 1, WorstFirst<TKey>.Instance);
        long position = (long)partition << 32;
        foreach (T item in items)
        {
            Offer(heap, k, item, key(item), position++);
        }

        return Drain(heap);
    }

    public static (T, long)[] MergeTop<T, TKey>(int k, Func<T, TKey> key, (T, long)[][] partials)
    {
        var heap = new PriorityQueue<(T Item, long Position), (TKey Key, long Position)>(k + 1, WorstFirst<TKey>.Instance);
        foreach ((T, long)[] p in partials)
        {
            foreach ((T item, long position) in p)
            {
                Offer(heap, k, item, key(item), position);
            }
        }

        return Drain(heap);
    }

    public static T[] FinishTop<T>((T, long)[] top) => Array.ConvertAll(top, static t => t.Item1);

    private static void Offer<T, TKey>(PriorityQueue<(T Item, long Position), (TKey Key, long Position)> heap, int k, T item, TKey key, long position)
    {
        if (k <= 0)
        {
            return;
        }

        if (heap.Count < k)
        {
            heap.Enqueue((item, position), (key, position));
        }
        else if (heap.TryPeek(out _, out (TKey Key, long Position) worst) && WorstFirst<TKey>.Instance.Compare((key, position), worst) > 0)
        {
            heap.DequeueEnqueue((item, position), (key, position));
        }
    }

    private static (T, long)[] Drain<T, TKey>(PriorityQueue<(T Item, long Position), (TKey Key, long Position)> heap)
    {
        var result = new (T, long)[heap.Count];
        for (int i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }

        return result;
    }

    /// <summary>Orders (key, position) so that the worst kept item comes first: smaller keys, then later positions.</summary>
    private sealed class WorstFirst<TKey> : IComparer<(TKey Key, long Position)>
    {
        public static readonly WorstFirst<TKey> Instance = new();
        private readonly Comparer<TKey> _keys = Comparer<TKey>.Default;

        public int Compare((TKey Key, long Position) x, (TKey Key, long Position) y)
        {
            int c = _keys.Compare(x.Key, y.Key);
            return c != 0 ? c : y.Position.CompareTo(x.Position);
        }
    }
}
