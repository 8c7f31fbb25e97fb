using Apache.Arrow;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Describe: summary statistics of the numeric columns.</summary>
public sealed partial class DataFrame
{
    private const int DescribeSample = 20_000;
    private static readonly string[] s_statistics = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];
    private static readonly TaskFunction s_describeChunk = TaskFunction.Create<Table, string[], int, Table>(DescribeChunk, "describe-chunk");
    private static readonly TaskFunction s_describeFinal = TaskFunction.Create<Table[], string[], Table>(DescribeFinal, "describe");

    /// <summary>
    /// Summary statistics of the numeric (and bool) data columns, like pandas' <c>describe</c>: count,
    /// mean, std, min, 25%, 50%, 75%, max, as a one-partition frame indexed by <c>statistic</c>.
    /// Count, mean, std, min and max are exact; the percentiles interpolate linearly (as pandas does)
    /// and are exact while each partition has at most 20,000 values, approximate (from a seeded
    /// sample) above that, as Dask's are.
    /// </summary>
    /// <returns>The lazy frame: one float64 column per numeric column.</returns>
    /// <exception cref="ArgumentException">The frame has no numeric column.</exception>
    public DataFrame Describe()
    {
        string[] columns = [.. Columns.Where(c => Meta.DTypeOf(c).IsNumeric())];
        if (columns.Length == 0)
        {
            throw new ArgumentException($"describe: the frame has no numeric column; its columns are: {string.Join(", ", Columns.Select(c => $"'{c}' ({Meta.DTypeOf(c).Name()})"))}.");
        }

        string name = Plan.Name("describe", [Layer, .. columns]);
        var tasks = new TaskGraph(NPartitions + 1);
        var chunks = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(s_describeChunk, Node.Ref(new Key(Layer, i)), Node.Literal(columns), Node.Literal(i)));
            chunks[i] = Node.Ref(key);
        }

        tasks.TryAdd(new Key(name, 0), Node.Call(s_describeFinal, Node.List<Table>(chunks), Node.Literal(columns)));
        Table meta = DescribeFinal([DescribeChunk(Meta, columns, 0)], columns).Empty();
        return new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, 1, meta, Plan.UnknownDivisions(1));
    }

    /// <summary>Per column: five state rows (count, sum, m2, min, max; kind 0) and the sampled values with their weights (kind 1).</summary>
    private static Table DescribeChunk(Table part, string[] columns, int seed)
    {
        var column = new List<int>();
        var kind = new List<long>();
        var values = new List<double>();
        var weights = new List<double>();
        for (int c = 0; c < columns.Length; c++)
        {
            double[] state = Ops.Reduce(Ops.Column(part, columns[c]));
            foreach (double s in state)
            {
                column.Add(c);
                kind.Add(0);
                values.Add(s);
                weights.Add(0);
            }

            Table sample = Ranges.Sample(part[columns[c]], DescribeSample, seed);
            ReadOnlySpan<double> v = Numeric.AsDouble(sample["v"]);
            ReadOnlySpan<double> w = Numeric.AsDouble(sample["w"]);
            for (int i = 0; i < v.Length; i++)
            {
                column.Add(c);
                kind.Add(1);
                values.Add(v[i]);
                weights.Add(w[i]);
            }
        }

        return Table.FromColumns(("c", column.ToArray()), ("k", kind.ToArray()), ("v", values.ToArray()), ("w", weights.ToArray()));
    }

    private static Table DescribeFinal(Table[] chunks, string[] columns)
    {
        Table all = Table.Concat(chunks);
        ReadOnlySpan<int> c = Numeric.As<int>(all["c"], out _);
        ReadOnlySpan<long> k = Numeric.As<long>(all["k"], out _);
        ReadOnlySpan<double> v = Numeric.AsDouble(all["v"]);
        ReadOnlySpan<double> w = Numeric.AsDouble(all["w"]);
        var output = new List<(string, IArrowArray)>();
        for (int col = 0; col < columns.Length; col++)
        {
            var states = new List<double[]>();
            var sample = new List<(double Value, double Weight)>();
            for (int i = 0; i < c.Length; i++)
            {
                if (c[i] != col)
                {
                    continue;
                }

                if (k[i] == 0)
                {
                    states.Add([v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4]]);
                    i += 4;
                }
                else
                {
                    sample.Add((v[i], w[i]));
                }
            }

            double[] s = Ops.CombineStates([.. states]);
            double n = s[0];
            sample.Sort((a, b) => a.Value.CompareTo(b.Value));
            double[] stats =
            [
                n,
                n > 0 ? s[1] / n : double.NaN,
                n > 1 ? Math.Sqrt(s[2] / (n - 1)) : double.NaN,
                n > 0 ? s[3] : double.NaN,
                Quantile(sample, 0.25),
                Quantile(sample, 0.5),
                Quantile(sample, 0.75),
                n > 0 ? s[4] : double.NaN,
            ];
            output.Add((columns[col], Arrays.Primitive<double>(DType.Float64, stats)));
        }

        return Table.Create([("statistic", Arrays.FromValues(DType.String, s_statistics))], output);
    }

    /// <summary>
    /// The q-quantile of weighted sorted values. With every weight 1 (no sampling) it is pandas' linear
    /// interpolation; with sampled values, the weighted value at that rank. Weight-0 rows (the extremes
    /// added to samples) are skipped.
    /// </summary>
    private static double Quantile(List<(double Value, double Weight)> sorted, double q)
    {
        List<(double Value, double Weight)> items = [.. sorted.Where(x => x.Weight > 0)];
        if (items.Count == 0)
        {
            return double.NaN;
        }

        if (items.All(x => x.Weight == 1))
        {
            double pos = q * (items.Count - 1);
            int lo = (int)Math.Floor(pos);
            int hi = Math.Min(lo + 1, items.Count - 1);
            return items[lo].Value + ((pos - lo) * (items[hi].Value - items[lo].Value));
        }

        double total = items.Sum(x => x.Weight);
        double target = q * total;
        double cumulative = 0;
        foreach ((double value, double weight) in items)
        {
            cumulative += weight;
            if (cumulative >= target)
            {
                return value;
            }
        }

        return items[^1].Value;
    }
}
