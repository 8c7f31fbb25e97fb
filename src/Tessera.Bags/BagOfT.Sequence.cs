using Tessera.Bags.Internal;
using Tessera.Graphs;

namespace Tessera.Bags;

public sealed partial class Bag<T>
{
    /// <summary>
    /// The running results of a binary function over the elements (Dask's <c>accumulate</c>, a scan):
    /// element i of the result is <c>binop(result[i-1], element[i])</c>, starting from the first element.
    /// Partitions are computed one after another, each from the previous partition's last result.
    /// </summary>
    /// <param name="binop">The function.</param>
    /// <returns>The lazy bag of running results, with the same partitions.</returns>
    public Bag<T> Accumulate(Func<T, T, T> binop)
    {
        ArgumentNullException.ThrowIfNull(binop);
        Node f = Node.Literal(binop);
        return ScanCore<T>(NewName("accumulate", binop), ScanFn<T>.Carry, ScanFn<T>.Values, Node.Literal((false, default(T))), (carry, p, _) => Node.Call(ScanFn<T>.Scan, f, carry, p));
    }

    /// <summary>
    /// The running results of a function over the elements from <paramref name="initial"/> (Dask's
    /// <c>accumulate(binop, initial=)</c>): the result starts with <paramref name="initial"/> itself,
    /// so it has one element more than the bag, in the first partition.
    /// </summary>
    /// <typeparam name="TAcc">The accumulator type.</typeparam>
    /// <param name="initial">The starting accumulator (not mutated by the operation; the function should not mutate it either).</param>
    /// <param name="binop">Adds an element to an accumulator.</param>
    /// <returns>The lazy bag of running results.</returns>
    public Bag<TAcc> Accumulate<TAcc>(TAcc initial, Func<TAcc, T, TAcc> binop)
    {
        ArgumentNullException.ThrowIfNull(binop);
        Node f = Node.Literal(binop);
        return ScanCore<TAcc>(
            NewName("accumulate", initial, binop),
            ScanFn<TAcc>.Carry,
            ScanFn<TAcc>.Values,
            Node.Literal((true, initial)),
            (carry, p, i) => Node.Call(ScanFn<T, TAcc>.ScanSeeded, f, Node.Literal(i == 0), carry, p));
    }

    /// <summary>
    /// Keeps each element with probability <paramref name="probability"/> (Dask's <c>random_sample</c>).
    /// Each partition draws from its own generator, seeded by <paramref name="seed"/> and the partition's
    /// index, so a seeded sample is the same on every scheduler and in every run of the same partitioning.
    /// </summary>
    /// <param name="probability">The probability of keeping an element, from 0 to 1.</param>
    /// <param name="seed">The seed; null for a seed drawn now (the bag then samples the same elements each time it is computed).</param>
    /// <returns>The lazy bag of kept elements, in their order, with the same partitions.</returns>
    public Bag<T> RandomSample(double probability, int? seed = null)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, $"RandomSample: the probability must be from 0 to 1; {probability} was given.");
        }

        Node pr = Node.Literal(probability);
        Node s = Node.Literal(seed ?? Random.Shared.Next());
        return Wrap<T>(NewName("random-sample", probability, ((LiteralNode)s).Value), (p, i) => Node.Call(ScanFn<T>.Sample, pr, s, Node.Literal(i), p));
    }

    /// <summary>Drops the elements that satisfy a predicate (Dask's <c>remove</c>: the inverse of <see cref="Where"/>).</summary>
    /// <param name="predicate">The predicate.</param>
    /// <returns>The lazy bag of the other elements, with the same partitions.</returns>
    public Bag<T> Remove(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Node f = Node.Literal(predicate);
        return Wrap<T>(NewName("remove", predicate), (p, _) => Node.Call(ScanFn<T>.Remove, f, p));
    }

    /// <summary>
    /// Pairs the elements of this bag and another one with the same partitioning (Dask's <c>zip</c>):
    /// the bags must have the same number of partitions, and partitions of the same index the same
    /// number of elements, as bags derived element-wise from one bag do.
    /// </summary>
    /// <typeparam name="TOther">The other bag's element type.</typeparam>
    /// <param name="other">The other bag.</param>
    /// <returns>The lazy bag of pairs, with this bag's partitions. Computing it fails with <see cref="InvalidOperationException"/> (naming the partition and both lengths) where partitions differ in length.</returns>
    /// <exception cref="ArgumentException">The bags have different numbers of partitions.</exception>
    public Bag<(T First, TOther Second)> Zip<TOther>(Bag<TOther> other) => Zip(other, SequenceKernels.Pair);

    /// <summary>Combines the elements of this bag and another one with the same partitioning pairwise; see <see cref="Zip{TOther}(Bag{TOther})"/>.</summary>
    /// <typeparam name="TOther">The other bag's element type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="other">The other bag.</param>
    /// <param name="resultSelector">Combines an element of this bag and the element of the other bag at the same position.</param>
    /// <returns>The lazy bag of results, with this bag's partitions.</returns>
    /// <exception cref="ArgumentException">The bags have different numbers of partitions.</exception>
    public Bag<TResult> Zip<TOther, TResult>(Bag<TOther> other, Func<T, TOther, TResult> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(resultSelector);
        if (other.PartitionCount != PartitionCount)
        {
            throw new ArgumentException(
                $"Zip: the bags have {PartitionCount} and {other.PartitionCount} partitions; zipped bags need the same partitioning (Repartition one of them, or zip bags derived from one bag).",
                nameof(other));
        }

        Node f = Node.Literal(resultSelector);
        ReadOnlySpan<Node> right = other.Parts;
        var parts = new Node[_parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Node.Call(ZipFn<T, TOther, TResult>.Zip, f, Node.Literal(_origins[i]), _parts[i], right[i]);
        }

        return new Bag<TResult>(NewName("zip", other.Name, resultSelector), Merge([Dependencies, other.Dependencies]), parts, _origins, partsAreKeys: false);
    }

    /// <summary>
    /// A custom tree reduction (Dask's <c>reduction(perpartition, aggregate, split_every)</c>):
    /// <paramref name="perPartition"/> reduces each partition to a partial result, and
    /// <paramref name="aggregate"/> reduces up to <paramref name="splitEvery"/> partials at a time, level
    /// after level, to one. <paramref name="aggregate"/> must therefore accept its own results as partials.
    /// </summary>
    /// <typeparam name="TPartial">The type of a partial result and of the result.</typeparam>
    /// <param name="perPartition">Reduces one partition's elements (possibly none).</param>
    /// <param name="aggregate">Reduces a list of partials (at least one).</param>
    /// <param name="splitEvery">How many partials one aggregate task takes.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<TPartial> Reduction<TPartial>(Func<IReadOnlyList<T>, TPartial> perPartition, Func<IReadOnlyList<TPartial>, TPartial> aggregate, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(perPartition);
        ArgumentNullException.ThrowIfNull(aggregate);
        Node pp = Node.Literal(perPartition);
        Node ag = Node.Literal(aggregate);
        LayeredGraph g = Reduce<TPartial>(
            NewName("reduction", perPartition, aggregate),
            (p, _) => Node.Call(ScanFn<T, TPartial>.Partial, pp, p),
            list => Node.Call(ScanFn<T, TPartial>.Aggregate, ag, list),
            static n => n,
            splitEvery,
            out Key final);
        return Scalar<TPartial>(g, final);
    }

    /// <summary>A scan: task i runs over partition i from the carry of task i-1; the bag's partitions are the tasks' values.</summary>
    private Bag<TAcc> ScanCore<TAcc>(string name, TaskFunction carryOf, TaskFunction valuesOf, Node firstCarry, Func<Node, Node, int, Node> step)
    {
        string prefix = KeyNames.Split(name);
        string partName = $"{prefix}-part-{name[(prefix.Length + 1)..]}";
        var tasks = new TaskGraph(_parts.Length);
        var parts = new Node[_parts.Length];
        Node carry = firstCarry;
        for (int i = 0; i < parts.Length; i++)
        {
            var key = new Key(partName, i);
            tasks.Add(key, step(carry, _parts[i], i));
            parts[i] = Node.Call(valuesOf, Node.Ref(key));
            carry = Node.Call(carryOf, Node.Ref(key));
        }

        return new Bag<TAcc>(name, WithLayer(Dependencies, new MaterializedLayer(partName, tasks)), parts, _origins, partsAreKeys: false);
    }
}
