using System.Runtime.CompilerServices;

namespace Tessera.Bags.Internal;

// The functions bag tasks call. Every one is a static method: a task holds the method and its data
// arguments (the user's delegates among them), so a task can travel to a worker process as a method
// identity plus values, which the distributed serializer supports, and never as a closure over
// Tessera's own types, which it refuses. Element-wise kernels take and return lazy sequences so
// that a chain of them runs as one streaming pass over a partition, inside one task.
internal static class Kernels
{
    public static int[] Range(int start, int count) => [.. Enumerable.Range(start, count)];

    public static T[] ToArray<T>(IEnumerable<T> items) => items as T[] ?? [.. items];

    public static IEnumerable<TResult> Select<T, TResult>(Func<T, TResult> selector, IEnumerable<T> items) => items.Select(selector);

    public static IEnumerable<TResult> SelectIndexed<T, TResult>(Func<T, int, TResult> selector, IEnumerable<T> items) => items.Select(selector);

    public static IEnumerable<TResult> SelectWith<T, TArg, TResult>(Func<T, TArg, TResult> selector, TArg argument, IEnumerable<T> items)
    {
        foreach (T item in items)
        {
            yield return selector(item, argument);
        }
    }

    public static IEnumerable<T> Where<T>(Func<T, bool> predicate, IEnumerable<T> items) => items.Where(predicate);

    public static IEnumerable<TResult> SelectMany<T, TResult>(Func<T, IEnumerable<TResult>> selector, IEnumerable<T> items) => items.SelectMany(selector);

    public static IEnumerable<T> Flatten<TSequence, T>(IEnumerable<TSequence> items)
        where TSequence : IEnumerable<T>?
    {
        foreach (TSequence inner in items)
        {
            if (inner is null)
            {
                continue;
            }

            if (inner is T[] array)
            {
                for (int i = 0; i < array.Length; i++)
                {
                    yield return array[i];
                }

                continue;
            }

            foreach (T item in inner)
            {
                yield return item;
            }
        }
    }

    public static IEnumerable<TResult> MapPartition<T, TResult>(Func<IReadOnlyList<T>, IEnumerable<TResult>> function, IEnumerable<T> items) =>
        function(ToArray(items)) ?? throw new InvalidOperationException("MapPartitions: the function returned null for a partition; return an empty sequence instead.");

    public static IEnumerable<TResult> StarMap<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<(T1, T2)> items)
    {
        foreach ((T1 a, T2 b) in items)
        {
            yield return function(a, b);
        }
    }

    public static IEnumerable<TResult> StarMap3<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, IEnumerable<(T1, T2, T3)> items)
    {
        foreach ((T1 a, T2 b, T3 c) in items)
        {
            yield return function(a, b, c);
        }
    }

    public static IEnumerable<TResult> Join<T, TInner, TKey, TResult>(
        Func<T, TKey> outerKey, Func<TInner, TKey> innerKey, Func<T, TInner, TResult> result, TInner[] inner, IEnumerable<T> items) =>
        items.Join(inner, outerKey, innerKey, result);

    public static IEnumerable<(T, TOther)> Product<T, TOther>(T[] left, TOther[] right)
    {
        foreach (T a in left)
        {
            foreach (TOther b in right)
            {
                yield return (a, b);
            }
        }
    }

    public static T[] TakeFirst<T>(int count, IEnumerable<T> items)
    {
        if (items is T[] array)
        {
            return array.Length <= count ? array : array[..count];
        }

        var result = new List<T>(Math.Min(count, 1024));
        if (count <= 0)
        {
            return [];
        }

        foreach (T item in items)
        {
            result.Add(item);
            if (result.Count == count)
            {
                break;
            }
        }

        return [.. result];
    }

    public static IEnumerable<T> Concat<T>(T[][] parts)
    {
        foreach (T[] part in parts)
        {
            for (int i = 0; i < part.Length; i++)
            {
                yield return part[i];
            }
        }
    }

    public static T[] Piece<T>(int index, T[][] pieces) => pieces[index];

    /// <summary>Splits a partition into <paramref name="count"/> consecutive pieces whose sizes differ by at most one.</summary>
    public static T[][] SplitEven<T>(int count, IEnumerable<T> items)
    {
        T[] all = ToArray(items);
        var pieces = new T[count][];
        for (int p = 0; p < count; p++)
        {
            int start = (int)((long)all.Length * p / count);
            int end = (int)((long)all.Length * (p + 1) / count);
            pieces[p] = all[start..end];
        }

        return pieces;
    }

    /// <summary>Splits a partition by the stable hash of each item's key into <paramref name="count"/> buckets.</summary>
    public static T[][] SplitByHash<T, TKey>(Func<T, TKey> key, int count, IEnumerable<T> items)
    {
        var buckets = new List<T>[count];
        for (int b = 0; b < count; b++)
        {
            buckets[b] = [];
        }

        foreach (T item in items)
        {
            buckets[(int)(StableHash.Of(key(item)) % (uint)count)].Add(item);
        }

        var result = new T[count][];
        for (int b = 0; b < count; b++)
        {
            result[b] = [.. buckets[b]];
        }

        return result;
    }

    /// <summary>Groups the items of one output partition of a shuffle, in the order of the inputs.</summary>
    public static KeyValuePair<TKey, IReadOnlyList<T>>[] Group<T, TKey>(Func<T, TKey> key, T[][] buckets)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, List<T>>();
        List<T>? nullGroup = null;
        var order = new List<TKey>();
        bool nullSeen = false;
        foreach (T[] bucket in buckets)
        {
            foreach (T item in bucket)
            {
                TKey k = key(item);
                if (k is null)
                {
                    nullGroup ??= [];
                    nullGroup.Add(item);
                    nullSeen = true;
                    continue;
                }

                if (!groups.TryGetValue(k, out List<T>? list))
                {
                    groups.Add(k, list = []);
                    order.Add(k);
                }

                list.Add(item);
            }
        }

        var result = new KeyValuePair<TKey, IReadOnlyList<T>>[order.Count + (nullSeen ? 1 : 0)];
        int i = 0;
        foreach (TKey k in order)
        {
            result[i++] = new(k, groups[k].ToArray());
        }

        if (nullSeen)
        {
            result[i] = new(default!, nullGroup!.ToArray());
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static InvalidOperationException Empty(string operation) =>
        new($"{operation}: the bag is empty, so it has no {operation.ToLowerInvariant()}; check the input or filter less.");
}
