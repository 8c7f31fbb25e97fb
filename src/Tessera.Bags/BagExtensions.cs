using System.Numerics;
using System.Text;
using Tessera.Bags.Internal;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Bags;

/// <summary>Bag operations that apply to bags of particular element types: numbers, sequences, tuples, strings.</summary>
public static class BagExtensions
{
    /// <summary>
    /// Counts how often each distinct element occurs (Dask's <c>frequencies</c>): a dictionary per
    /// partition, merged by a tree of combine tasks; one partition of (element, count) pairs.
    /// </summary>
    /// <typeparam name="T">The element type (no null elements).</typeparam>
    /// <param name="bag">The bag.</param>
    /// <param name="sort">Order by count, largest first (equal counts in order of first occurrence); otherwise in order of first occurrence.</param>
    /// <param name="splitEvery">How many partials one combine task takes.</param>
    /// <returns>The lazy bag of (element, count) pairs.</returns>
    public static Bag<KeyValuePair<T, long>> Frequencies<T>(this Bag<T> bag, bool sort = false, int splitEvery = Bag<T>.DefaultSplitEvery)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(bag);
        string name = bag.NewName("frequencies", sort);
        Node s = Node.Literal(sort);
        TextPipeline? text = typeof(T) == typeof(string) && bag.Text is { Stage: TextStage.Words } t ? t : null;
        LayeredGraph g = bag.Reduce<Dictionary<T, long>>(
            name,
            (p, i) => text is not null ? WordCount.PartitionNode(text, i) : Node.Call(CountsFn<T>.CountPartition, p),
            static list => Node.Call(CountsFn<T>.MergeCounts, list),
            n => Node.Call(CountsFn<T>.FinishCounts, s, n),
            splitEvery,
            out Key final);
        return Bag<KeyValuePair<T, long>>.Single<KeyValuePair<T, long>>(name, g, final);
    }

    /// <summary>Adds the elements (checked: integer overflow throws, as in LINQ).</summary>
    /// <typeparam name="T">A number type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy sum; zero for an empty bag.</returns>
    public static Delayed<T> Sum<T>(this Bag<T> bag)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(bag);
        LayeredGraph g = bag.Reduce<T>(
            bag.NewName("sum"),
            static (p, _) => Node.Call(NumberFn<T>.Sum, p),
            static list => Node.Call(NumberFn<T>.SumPartials, list),
            static n => n,
            Bag<T>.DefaultSplitEvery,
            out Key final);
        return Bag<T>.Scalar<T>(g, final);
    }

    /// <summary>The arithmetic mean of the elements.</summary>
    /// <typeparam name="T">A number type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy mean; computing it fails with <see cref="InvalidOperationException"/> on an empty bag.</returns>
    public static Delayed<double> Mean<T>(this Bag<T> bag)
        where T : INumber<T> => Moments(bag, "mean", static n => Node.Call(ScalarFn.FinishMean, n));

    /// <summary>The variance of the elements, population variance by default (Dask's <c>var</c>, <c>ddof=0</c>).</summary>
    /// <typeparam name="T">A number type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <param name="ddof">Delta degrees of freedom: the divisor is <c>n - ddof</c> (1 for the sample variance).</param>
    /// <returns>The lazy variance (NaN when <c>n &lt;= ddof</c>); computing it fails on an empty bag.</returns>
    public static Delayed<double> Var<T>(this Bag<T> bag, int ddof = 0)
        where T : INumber<T> => Moments(bag, "var", n => Node.Call(ScalarFn.FinishVariance, Node.Literal(ddof), n), ddof);

    /// <summary>The standard deviation of the elements, population by default (Dask's <c>std</c>, <c>ddof=0</c>).</summary>
    /// <typeparam name="T">A number type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <param name="ddof">Delta degrees of freedom.</param>
    /// <returns>The lazy standard deviation; computing it fails on an empty bag.</returns>
    public static Delayed<double> Std<T>(this Bag<T> bag, int ddof = 0)
        where T : INumber<T> => Moments(bag, "std", n => Node.Call(ScalarFn.FinishStd, Node.Literal(ddof), n), ddof);

    /// <summary>Flattens a bag of arrays (Dask's <c>flatten</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy bag of the arrays' elements; null arrays contribute nothing.</returns>
    public static Bag<T> Flatten<T>(this Bag<T[]> bag)
    {
        ArgumentNullException.ThrowIfNull(bag);
        TextPipeline? text = bag.Text is { Stage: TextStage.SplitOnWhitespace } t && typeof(T) == typeof(string) ? t.Then(TextStage.Words) : null;
        return bag.Wrap<T>(bag.NewName("flatten"), static (p, _) => Node.Call(FlattenFn<T[], T>.Flatten, p), text);
    }

    /// <summary>Flattens a bag of lists (Dask's <c>flatten</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy bag of the lists' elements.</returns>
    public static Bag<T> Flatten<T>(this Bag<List<T>> bag)
    {
        ArgumentNullException.ThrowIfNull(bag);
        return bag.Wrap<T>(bag.NewName("flatten"), static (p, _) => Node.Call(FlattenFn<List<T>, T>.Flatten, p));
    }

    /// <summary>Flattens a bag of read-only lists (Dask's <c>flatten</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy bag of the lists' elements.</returns>
    public static Bag<T> Flatten<T>(this Bag<IReadOnlyList<T>> bag)
    {
        ArgumentNullException.ThrowIfNull(bag);
        return bag.Wrap<T>(bag.NewName("flatten"), static (p, _) => Node.Call(FlattenFn<IReadOnlyList<T>, T>.Flatten, p));
    }

    /// <summary>Flattens a bag of sequences (Dask's <c>flatten</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy bag of the sequences' elements.</returns>
    public static Bag<T> Flatten<T>(this Bag<IEnumerable<T>> bag)
    {
        ArgumentNullException.ThrowIfNull(bag);
        return bag.Wrap<T>(bag.NewName("flatten"), static (p, _) => Node.Call(FlattenFn<IEnumerable<T>, T>.Flatten, p));
    }

    /// <summary>Applies a function to the items of each pair (Dask's <c>starmap</c>).</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="bag">The bag of pairs.</param>
    /// <param name="function">The function.</param>
    /// <returns>The lazy bag of results.</returns>
    public static Bag<TResult> StarMap<T1, T2, TResult>(this Bag<(T1, T2)> bag, Func<T1, T2, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(bag);
        ArgumentNullException.ThrowIfNull(function);
        Node f = Node.Literal(function);
        return bag.Wrap<TResult>(bag.NewName("starmap", function), (p, _) => Node.Call(Fn<T1, T2, TResult>.StarMap, f, p));
    }

    /// <summary>Applies a function to the items of each triple (Dask's <c>starmap</c>).</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="bag">The bag of triples.</param>
    /// <param name="function">The function.</param>
    /// <returns>The lazy bag of results.</returns>
    public static Bag<TResult> StarMap<T1, T2, T3, TResult>(this Bag<(T1, T2, T3)> bag, Func<T1, T2, T3, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(bag);
        ArgumentNullException.ThrowIfNull(function);
        Node f = Node.Literal(function);
        return bag.Wrap<TResult>(bag.NewName("starmap", function), (p, _) => Node.Call(StarMap3Fn<T1, T2, T3, TResult>.StarMap, f, p));
    }

    /// <summary>
    /// Writes each partition to a text file, one element per line (Dask's <c>to_textfiles</c>), and
    /// returns the paths. Runs now. Each file is written under a temporary name and renamed when
    /// complete, so no partial file looks finished.
    /// </summary>
    /// <param name="bag">The bag of lines.</param>
    /// <param name="path">
    /// A pattern with one <c>*</c>, replaced by each partition's name (<c>"out/part-*.txt.gz"</c>), or a
    /// directory, which receives <c>NAME.part</c> files.
    /// </param>
    /// <param name="nameFunction">Names partition i; by default its number.</param>
    /// <param name="compression"><c>"infer"</c> (by extension: .gz, .bz2, .zst), <c>"gzip"</c>, <c>"bz2"</c>, <c>"zstd"</c> or null for none.</param>
    /// <param name="encoding">The text encoding; UTF-8 (without a byte order mark) by default.</param>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The written files' paths, one per partition.</returns>
    public static IReadOnlyList<string> ToTextFiles(
        this Bag<string> bag, string path, Func<int, string>? nameFunction = null, string? compression = "infer", Encoding? encoding = null,
        IScheduler? scheduler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bag);
        ArgumentException.ThrowIfNullOrEmpty(path);
        nameFunction ??= static i => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int stars = path.Count(static c => c == '*');
        if (stars > 1)
        {
            throw new ArgumentException($"ToTextFiles: path '{path}' has {stars} '*'; use one '*' for the partition name, or a directory.", nameof(path));
        }

        string encodingName = (encoding ?? Encoding.UTF8).WebName;
        var paths = new string[bag.PartitionCount];
        for (int i = 0; i < paths.Length; i++)
        {
            string partName = nameFunction(i);
            paths[i] = Path.GetFullPath(stars == 1 ? path.Replace("*", partName, StringComparison.Ordinal) : Path.Combine(path, partName + ".part"));
        }

        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Length)
        {
            throw new ArgumentException($"ToTextFiles: the name function gives two partitions the same file name under '{path}'; return a different name for each partition.", nameof(nameFunction));
        }

        string name = bag.NewName("to-textfiles", paths, compression, encodingName);
        var tasks = new TaskGraph();
        var keys = new Key[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            keys[i] = new Key(name, i);
            string codec = Compression.Resolve(compression, paths[i], "ToTextFiles");
            tasks.Add(keys[i], Node.Call(ScalarFn.WriteLines, Node.Literal(paths[i]), Node.Literal(codec), Node.Literal(encodingName), bag.Parts[i]));
        }

        TaskGraph graph = Bag<string>.WithLayer(bag.Dependencies, new MaterializedLayer(name, tasks)).ToTaskGraph();
        object?[] written = (scheduler ?? Schedulers.Default).Get(GraphOptimizer.Optimize(GraphOptimizations.Cull(graph, keys), keys), keys, cancellationToken);
        return Array.ConvertAll(written, static w => (string)w!);
    }

    private static Delayed<double> Moments<T>(Bag<T> bag, string operation, Func<Node, Node> finish, int ddof = 0)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(bag);
        LayeredGraph g = bag.Reduce<(long, double, double)>(
            bag.NewName(operation, ddof),
            static (p, _) => Node.Call(NumberFn<T>.Moments, p),
            static list => Node.Call(ScalarFn.CombineMoments, list),
            finish,
            Bag<T>.DefaultSplitEvery,
            out Key final);
        return Bag<T>.Scalar<double>(g, final);
    }
}
