using Tessera.Graphs;

namespace Tessera.Bags.Internal;

// Kernels of the order-dependent operations: scans carried across partitions, seeded sampling, zips.
internal static class SequenceKernels
{
    /// <summary>A running fold of one partition from the previous partition's last value (none before the first element).</summary>
    public static (T[], bool, T) Scan<T>(Func<T, T, T> binop, (bool, T) carry, IEnumerable<T> items)
    {
        (bool has, T acc) = carry;
        var values = new List<T>();
        foreach (T item in items)
        {
            acc = has ? binop(acc, item) : item;
            has = true;
            values.Add(acc);
        }

        return ([.. values], has, acc);
    }

    /// <summary>A running fold of one partition from an accumulator, which the first partition also emits first.</summary>
    public static (TAcc[], bool, TAcc) ScanSeeded<T, TAcc>(Func<TAcc, T, TAcc> binop, bool emitSeed, (bool, TAcc) carry, IEnumerable<T> items)
    {
        TAcc acc = carry.Item2;
        var values = new List<TAcc>();
        if (emitSeed)
        {
            values.Add(acc);
        }

        foreach (T item in items)
        {
            acc = binop(acc, item);
            values.Add(acc);
        }

        return ([.. values], true, acc);
    }

    public static (bool, TAcc) Carry<TAcc>((TAcc[], bool, TAcc) part) => (part.Item2, part.Item3);

    public static TAcc[] Values<TAcc>((TAcc[], bool, TAcc) part) => part.Item1;

    /// <summary>Keeps each element with probability <paramref name="probability"/>, from a generator seeded by the bag's seed and the partition's index.</summary>
    public static IEnumerable<T> Sample<T>(double probability, int seed, int partition, IEnumerable<T> items)
    {
        var random = new Random(PartitionSeed(seed, partition));
        foreach (T item in items)
        {
            if (random.NextDouble() < probability)
            {
                yield return item;
            }
        }
    }

    /// <summary>The seed of one partition's generator: a SplitMix64 mix of the bag's seed and the partition index (the same in every process).</summary>
    public static int PartitionSeed(int seed, int partition)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)partition) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    public static IEnumerable<T> Remove<T>(Func<T, bool> predicate, IEnumerable<T> items)
    {
        foreach (T item in items)
        {
            if (!predicate(item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Pairs the elements of two partitions of the same length.</summary>
    public static IEnumerable<TResult> Zip<T, TOther, TResult>(Func<T, TOther, TResult> result, string origin, IEnumerable<T> left, IEnumerable<TOther> right)
    {
        using IEnumerator<T> l = left.GetEnumerator();
        using IEnumerator<TOther> r = right.GetEnumerator();
        long n = 0;
        while (true)
        {
            bool hasLeft = l.MoveNext();
            bool hasRight = r.MoveNext();
            if (hasLeft != hasRight)
            {
                long longer = n + 1 + (hasLeft ? CountRest(l) : CountRest(r));
                (long leftCount, long rightCount) = hasLeft ? (longer, n) : (n, longer);
                throw new InvalidOperationException(
                    $"Zip: {origin} has {leftCount} elements in the first bag and {rightCount} in the second; zipped bags need partitions of equal lengths (zip bags derived element-wise from one bag, or built with the same partition sizes).");
            }

            if (!hasLeft)
            {
                yield break;
            }

            n++;
            yield return result(l.Current, r.Current);
        }
    }

    public static (T, TOther) Pair<T, TOther>(T left, TOther right) => (left, right);

    public static TPartial Partial<T, TPartial>(Func<IReadOnlyList<T>, TPartial> perPartition, IEnumerable<T> items) =>
        perPartition(Kernels.ToArray(items));

    public static TPartial Aggregate<TPartial>(Func<IReadOnlyList<TPartial>, TPartial> aggregate, TPartial[] partials) => aggregate(partials);

    /// <summary>The lines of several files (or blocks), one after another: a partition of <c>ReadText(filesPerPartition:)</c>.</summary>
    public static IEnumerable<T> Chain<T>(IEnumerable<T>[] parts)
    {
        foreach (IEnumerable<T> part in parts)
        {
            foreach (T item in part)
            {
                yield return item;
            }
        }
    }

    private static long CountRest<TItem>(IEnumerator<TItem> rest)
    {
        long count = 0;
        while (rest.MoveNext())
        {
            count++;
        }

        return count;
    }
}

internal static class ScanFn<T>
{
    public static readonly TaskFunction Scan = TaskFunction.Create<Func<T, T, T>, (bool, T), IEnumerable<T>, (T[], bool, T)>(SequenceKernels.Scan, "accumulate");
    public static readonly TaskFunction Sample = TaskFunction.Create<double, int, int, IEnumerable<T>, IEnumerable<T>>(SequenceKernels.Sample, "random-sample");
    public static readonly TaskFunction Remove = TaskFunction.Create<Func<T, bool>, IEnumerable<T>, IEnumerable<T>>(SequenceKernels.Remove, "remove");
    public static readonly TaskFunction Chain = TaskFunction.Create<IEnumerable<T>[], IEnumerable<T>>(SequenceKernels.Chain, "read-text");
    public static readonly TaskFunction Carry = TaskFunction.Create<(T[], bool, T), (bool, T)>(SequenceKernels.Carry, "accumulate-carry");
    public static readonly TaskFunction Values = TaskFunction.Create<(T[], bool, T), T[]>(SequenceKernels.Values, "accumulate-values");
}

internal static class ScanFn<T, TAcc>
{
    public static readonly TaskFunction ScanSeeded = TaskFunction.Create<Func<TAcc, T, TAcc>, bool, (bool, TAcc), IEnumerable<T>, (TAcc[], bool, TAcc)>(SequenceKernels.ScanSeeded, "accumulate");
    public static readonly TaskFunction Partial = TaskFunction.Create<Func<IReadOnlyList<T>, TAcc>, IEnumerable<T>, TAcc>(SequenceKernels.Partial, "reduction");
    public static readonly TaskFunction Aggregate = TaskFunction.Create<Func<IReadOnlyList<TAcc>, TAcc>, TAcc[], TAcc>(SequenceKernels.Aggregate<TAcc>, "reduction-aggregate");
}

internal static class ZipFn<T, TOther, TResult>
{
    public static readonly TaskFunction Zip = TaskFunction.Create<Func<T, TOther, TResult>, string, IEnumerable<T>, IEnumerable<TOther>, IEnumerable<TResult>>(SequenceKernels.Zip, "zip");
}
