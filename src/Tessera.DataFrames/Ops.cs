using System.Numerics.Tensors;
using Apache.Arrow;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// The functions tasks call on partitions. They are static methods taking only tables and plain data
/// (strings, numbers, arrays of them), so tasks ship to worker processes as method identities plus
/// literal arguments, with no closures.
/// </summary>
internal static class Ops
{
    public static readonly TaskFunction SelectColumns = TaskFunction.Create<Table, string[], Table>(Select, "select");
    public static readonly TaskFunction SeriesOfColumn = TaskFunction.Create<Table, string, Table>(Column, "getitem");
    public static readonly TaskFunction ArithSeries = TaskFunction.Create<Table, Table, int, int, Table>(Arith, "arith");
    public static readonly TaskFunction ArithWithScalar = TaskFunction.Create<Table, object, bool, int, int, Table>(ArithScalar, "arith");
    public static readonly TaskFunction CompareSeries = TaskFunction.Create<Table, Table, int, Table>(Compare, "compare");
    public static readonly TaskFunction CompareWithScalar = TaskFunction.Create<Table, object, int, Table>(CompareScalar, "compare");
    public static readonly TaskFunction LogicalSeries = TaskFunction.Create<Table, Table, int, Table>(Logical, "logical");
    public static readonly TaskFunction NotSeries = TaskFunction.Create<Table, Table>(Not, "not");
    public static readonly TaskFunction NegateSeries = TaskFunction.Create<Table, Table>(Negate, "neg");
    public static readonly TaskFunction FilterRows = TaskFunction.Create<Table, Table, Table>(Filter, "filter");
    public static readonly TaskFunction AssignColumn = TaskFunction.Create<Table, Table, string, Table>(Assign, "assign");
    public static readonly TaskFunction AssignScalarColumn = TaskFunction.Create<Table, string, object, Table>(AssignScalar, "assign");
    public static readonly TaskFunction RenameColumns = TaskFunction.Create<Table, string[], string[], Table>(Rename, "rename");
    public static readonly TaskFunction DropColumns = TaskFunction.Create<Table, string[], Table>(Drop, "drop");
    public static readonly TaskFunction CastColumns = TaskFunction.Create<Table, string[], int[], Table>(Cast, "astype");
    public static readonly TaskFunction FillNaColumns = TaskFunction.Create<Table, object, Table>(FillNa, "fillna");
    public static readonly TaskFunction IsNaColumns = TaskFunction.Create<Table, Table>(IsNa, "isna");
    public static readonly TaskFunction DropNaRows = TaskFunction.Create<Table, string[], Table>(DropNa, "dropna");
    public static readonly TaskFunction RowCount = TaskFunction.Create<Table, long>(CountRows, "len-chunk");
    public static readonly TaskFunction SumCounts = TaskFunction.Create<long[], long>(Sum, "len-agg");
    public static readonly TaskFunction HeadRows = TaskFunction.Create<Table[], int, Table>(Head, "head");
    public static readonly TaskFunction ReduceChunk = TaskFunction.Create<Table, double[]>(Reduce, "reduce-chunk");
    public static readonly TaskFunction ReduceCombine = TaskFunction.Create<double[][], double[]>(CombineStates, "reduce-combine");
    public static readonly TaskFunction ReduceFinal = TaskFunction.Create<double[][], int, double>(FinishReduction, "reduce-agg");
    public static readonly TaskFunction CountFinal = TaskFunction.Create<double[][], long>(FinishCount, "count-agg");
    public static readonly TaskFunction UniqueChunk = TaskFunction.Create<Table, Table>(Unique, "unique-chunk");
    public static readonly TaskFunction UniqueCombine = TaskFunction.Create<Table[], Table>(UniqueOf, "unique-combine");
    public static readonly TaskFunction UniqueCount = TaskFunction.Create<Table[], long>(CountUnique, "nunique-agg");
    public static readonly TaskFunction ConcatTables = TaskFunction.Create<Table[], Table>(Table.Concat, "concat");
    public static readonly TaskFunction RenameSeries = TaskFunction.Create<Table, string, Table>(RenameOne, "rename");
    public static readonly TaskFunction SortByCount = TaskFunction.Create<Table, string, bool, Table>(SortByColumn, "sort");
    public static readonly TaskFunction Pick = TaskFunction.Create<Table[], int, Table>(PickPart, "getitem");

    public static long CountRows(Table t) => t.RowCount;

    public static long CountUnique(Table[] parts) => UniqueOf(parts).RowCount;

    public static Table PickPart(Table[] parts, int i) => parts[i];

    public static Table Select(Table t, string[] columns)
    {
        var result = new List<(string, IArrowArray)>(columns.Length);
        foreach (string c in columns)
        {
            result.Add((c, t.ColumnAt(t.Find(c, "select"))));
        }

        return t.WithColumns(result);
    }

    public static Table Column(Table t, string column) => t.WithColumns([(column, t.ColumnAt(t.Find(column, "getitem")))]);

    public static IArrowArray Values(Table series) => series.ColumnAt(series.IndexCount);

    public static string NameOf(Table series) => series.ColumnNames[0];

    public static Table Arith(Table a, Table b, int op, int result) =>
        a.WithColumns([(NameOf(a), Compute.Arith((ArithOp)op, Values(a), Values(b), (DType)result))]);

    public static Table ArithScalar(Table a, object scalar, bool scalarOnLeft, int op, int result) =>
        a.WithColumns([(NameOf(a), Compute.ArithScalar((ArithOp)op, Values(a), scalar, scalarOnLeft, (DType)result))]);

    public static Table Compare(Table a, Table b, int op) =>
        a.WithColumns([(NameOf(a), Kernels.Compute.Compare((CompareOp)op, Values(a), Values(b)))]);

    public static Table CompareScalar(Table a, object scalar, int op) =>
        a.WithColumns([(NameOf(a), Kernels.Compute.CompareScalar((CompareOp)op, Values(a), scalar))]);

    public static Table Logical(Table a, Table b, int op) =>
        a.WithColumns([(NameOf(a), Kernels.Compute.Logical((LogicalOp)op, Values(a), Values(b)))]);

    public static Table Not(Table a) => a.WithColumns([(NameOf(a), Kernels.Compute.Not(Values(a)))]);

    public static Table Negate(Table a) => a.WithColumns([(NameOf(a), Kernels.Compute.Negate(Values(a)))]);

    public static Table Filter(Table t, Table mask)
    {
        IArrowArray m = Values(mask);
        if (m.Length != t.RowCount)
        {
            throw new InvalidOperationException($"filter: the mask's partition has {m.Length} rows but the frame's has {t.RowCount}; the mask must come from the same frame.");
        }

        int[] rows = Kernels.Compute.MaskToIndices(m);
        return rows.Length == t.RowCount ? t : t.Take(rows);
    }

    public static Table Assign(Table t, Table values, string name)
    {
        IArrowArray v = Values(values);
        if (v.Length != t.RowCount)
        {
            throw new InvalidOperationException($"assign '{name}': the series' partition has {v.Length} rows but the frame's has {t.RowCount}; assign a series derived from the same frame.");
        }

        return WithColumn(t, name, v);
    }

    public static Table AssignScalar(Table t, string name, object value)
    {
        DType type = Kernels.Compute.ScalarType(value);
        object?[] values = new object?[t.RowCount];
        System.Array.Fill(values, value);
        return WithColumn(t, name, Arrays.FromValues(type, values));
    }

    private static Table WithColumn(Table t, string name, IArrowArray v)
    {
        var columns = t.DataColumns().ToList();
        int at = columns.FindIndex(c => c.Name == name);
        if (at >= 0)
        {
            columns[at] = (name, v);
        }
        else
        {
            columns.Add((name, v));
        }

        return t.WithColumns(columns);
    }

    public static Table Rename(Table t, string[] from, string[] to)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < from.Length; i++)
        {
            _ = t.Find(from[i], "rename");
            map[from[i]] = to[i];
        }

        return Table.Create(
            [.. t.IndexColumns().Select(c => (map.GetValueOrDefault(c.Name, c.Name), c.Array))],
            [.. t.DataColumns().Select(c => (map.GetValueOrDefault(c.Name, c.Name), c.Array))]);
    }

    public static Table RenameOne(Table t, string name) => t.WithColumns([(name, Values(t))]);

    public static Table Drop(Table t, string[] columns)
    {
        foreach (string c in columns)
        {
            _ = t.Find(c, "drop");
        }

        return t.WithColumns([.. t.DataColumns().Where(c => System.Array.IndexOf(columns, c.Name) < 0)]);
    }

    public static Table Cast(Table t, string[] columns, int[] types)
    {
        var result = t.DataColumns().ToList();
        for (int i = 0; i < columns.Length; i++)
        {
            int at = result.FindIndex(c => c.Name == columns[i]);
            if (at < 0)
            {
                throw Table.UnknownColumn("astype", columns[i], t.ColumnNames);
            }

            result[at] = (columns[i], Kernels.Compute.Cast(result[at].Array, (DType)types[i]));
        }

        return t.WithColumns(result);
    }

    public static Table FillNa(Table t, object value) =>
        t.WithColumns([.. t.DataColumns().Select(c => (c.Name, Kernels.Compute.FillNa(c.Array, value)))]);

    public static Table IsNa(Table t) =>
        t.WithColumns([.. t.DataColumns().Select(c => (c.Name, Kernels.Compute.IsNa(c.Array)))]);

    public static Table DropNa(Table t, string[] subset)
    {
        IEnumerable<IArrowArray> columns = subset.Length == 0 ? t.DataColumns().Select(c => c.Array) : subset.Select(c => t.ColumnAt(t.Find(c, "dropna")));
        bool[]? drop = null;
        foreach (IArrowArray a in columns)
        {
            if (!Kernels.Compute.HasMissing(a))
            {
                continue;
            }

            drop ??= new bool[t.RowCount];
            var isna = (BooleanArray)Kernels.Compute.IsNa(a);
            for (int i = 0; i < drop.Length; i++)
            {
                drop[i] |= Arrays.BoolAt(isna, i);
            }
        }

        if (drop is null)
        {
            return t;
        }

        var keep = new List<int>(t.RowCount);
        for (int i = 0; i < drop.Length; i++)
        {
            if (!drop[i])
            {
                keep.Add(i);
            }
        }

        return t.Take(keep.ToArray());
    }

    public static long Sum(long[] counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        return total;
    }

    public static Table Head(Table[] parts, int n)
    {
        var taken = new List<Table>();
        int remaining = n;
        foreach (Table p in parts)
        {
            if (remaining <= 0)
            {
                break;
            }

            Table slice = p.Slice(0, Math.Min(remaining, p.RowCount));
            taken.Add(slice);
            remaining -= slice.RowCount;
        }

        return Table.Concat(taken);
    }

    /// <summary>(count, sum, m2, min, max) of a numeric series' non-missing values.</summary>
    public static double[] Reduce(Table series)
    {
        IArrowArray a = Values(series);
        DType t = DTypes.Of(a);
        if (!(t.IsNumeric() || t == DType.Bool || t.IsTemporal()))
        {
            throw new ArgumentException($"Column reductions need a numeric column; '{NameOf(series)}' is {t.Name()}.");
        }

        ReadOnlySpan<double> x = Numeric.AsDouble(a);
        if (Kernels.Compute.HasMissing(a))
        {
            var v = new Validity(a);
            var kept = new List<double>(x.Length);
            for (int i = 0; i < x.Length; i++)
            {
                if (v[i] && !double.IsNaN(x[i]))
                {
                    kept.Add(x[i]);
                }
            }

            x = kept.ToArray();
        }

        if (x.Length == 0)
        {
            return [0, 0, 0, double.NaN, double.NaN];
        }

        double sum = TensorPrimitives.Sum(x);
        double mean = sum / x.Length;
        double m2 = 0;
        foreach (double value in x)
        {
            double d = value - mean;
            m2 += d * d;
        }

        return [x.Length, sum, m2, TensorPrimitives.Min(x), TensorPrimitives.Max(x)];
    }

    public static double[] CombineStates(double[][] states)
    {
        double n = 0;
        double sum = 0;
        double min = double.NaN;
        double max = double.NaN;
        foreach (double[] s in states)
        {
            n += s[0];
            sum += s[1];
            if (s[0] > 0)
            {
                min = double.IsNaN(min) ? s[3] : Math.Min(min, s[3]);
                max = double.IsNaN(max) ? s[4] : Math.Max(max, s[4]);
            }
        }

        double mean = n > 0 ? sum / n : 0;
        double m2 = 0;
        foreach (double[] s in states)
        {
            if (s[0] > 0)
            {
                double d = (s[1] / s[0]) - mean;
                m2 += s[2] + (s[0] * d * d);
            }
        }

        return [n, sum, m2, min, max];
    }

    public static double FinishReduction(double[][] states, int aggregation)
    {
        double[] s = CombineStates(states);
        double n = s[0];
        return (Aggregation)aggregation switch
        {
            Aggregation.Sum => s[1],
            Aggregation.Mean => n > 0 ? s[1] / n : double.NaN,
            Aggregation.Min => s[3],
            Aggregation.Max => s[4],
            Aggregation.Var => n > 1 ? s[2] / (n - 1) : double.NaN,
            Aggregation.Std => n > 1 ? Math.Sqrt(s[2] / (n - 1)) : double.NaN,
            Aggregation.Count => n,
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation)),
        };
    }

    public static long FinishCount(double[][] states) => (long)CombineStates(states)[0];

    /// <summary>The distinct non-missing values of a series, in order of first appearance.</summary>
    public static Table Unique(Table series)
    {
        IArrowArray a = Values(series);
        Factorization f = Hashing.Factorize([a]);
        return Table.Create([], [(NameOf(series), Arrays.Take(a, f.FirstRows))]);
    }

    public static Table UniqueOf(Table[] parts) => Unique(Table.Concat(parts));

    public static Table SortByColumn(Table t, string column, bool ascending)
    {
        int[] order = Sorting.ArgSort([t[column]], [ascending]);
        return t.Take(order);
    }
}

/// <summary>Task functions of Series.CumSum, Where and Describe.</summary>
internal static class SeriesOps
{
    public static readonly TaskFunction CumLocal = TaskFunction.Create<Table, Table>(t => t.WithColumns([(Ops.NameOf(t), Cumulative.Local(Ops.Values(t)))]), "cumsum-chunk");
    public static readonly TaskFunction CumStart = TaskFunction.Create<int, Table>(type => Table.Create([], [("carry", Cumulative.Zero((DType)type))]), "cumsum-start");
    public static readonly TaskFunction CumCarry = TaskFunction.Create<Table, Table, Table>((carry, local) => Table.Create([], [("carry", Cumulative.NextCarry(carry.ColumnAt(0), Ops.Values(local)))]), "cumsum-carry");
    public static readonly TaskFunction CumAdd = TaskFunction.Create<Table, Table, Table>((local, carry) => local.WithColumns([(Ops.NameOf(local), Cumulative.AddCarry(Ops.Values(local), carry.ColumnAt(0)))]), "cumsum");
    public static readonly TaskFunction Where = TaskFunction.Create<Table, Table, object?, bool, Table>(DataFrame.WhereRows, "where");
}

/// <summary>Sum, Min and Max of a series in the column's own type: partial results are one-row tables (no row when there is no value).</summary>
internal static class TypedReductions
{
    public static readonly TaskFunction ChunkFn = TaskFunction.Create<Table, int, Table>(Chunk, "reduce-chunk");
    public static readonly TaskFunction CombineFn = TaskFunction.Create<Table[], int, Table>((parts, agg) => Chunk(Table.Concat(parts), agg), "reduce-combine");
    public static readonly TaskFunction FinalFn = TaskFunction.Create<Table[], int, int, object>(Final, "reduce-agg");

    public static Table Chunk(Table series, int agg)
    {
        IArrowArray a = Ops.Values(series);
        string name = Ops.NameOf(series);
        if ((Aggregation)agg != Aggregation.Sum)
        {
            (int min, int max) = Ranges.MinMaxRows(a);
            int row = (Aggregation)agg == Aggregation.Min ? min : max;
            return Table.Create([], [(name, Arrays.Take(a, row < 0 ? [] : [row]))]);
        }

        DType t = DTypes.Of(a);
        var valid = new Validity(a);
        if (t.IsFloat())
        {
            ReadOnlySpan<double> x = Numeric.AsDouble(a);
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                if (valid[i] && !double.IsNaN(x[i]))
                {
                    sum += x[i];
                }
            }

            return Table.Create([], [(name, Arrays.Primitive<double>(DType.Float64, [sum]))]);
        }

        if (t is >= DType.UInt8 and <= DType.UInt64)
        {
            ReadOnlySpan<ulong> u = Numeric.As<ulong>(a, out _);
            ulong total = 0;
            for (int i = 0; i < u.Length; i++)
            {
                if (valid[i])
                {
                    total += u[i];
                }
            }

            return Table.Create([], [(name, Arrays.Primitive<ulong>(DType.UInt64, [total]))]);
        }

        ReadOnlySpan<long> l = Numeric.As<long>(a, out _);
        long s = 0;
        for (int i = 0; i < l.Length; i++)
        {
            if (valid[i])
            {
                s += l[i];
            }
        }

        return Table.Create([], [(name, Arrays.Primitive<long>(DType.Int64, [s]))]);
    }

    public static object Final(Table[] parts, int agg, int type)
    {
        Table t = Chunk(Table.Concat(parts), agg);
        IArrowArray a = t.ColumnAt(0);
        if (a.Length == 0)
        {
            return double.NaN;
        }

        object value = Arrays.GetValue(a, 0)!;
        return ((Aggregation)agg, (DType)type, value) switch
        {
            (Aggregation.Sum, DType.Float32, double d) => (float)d,
            (Aggregation.Sum, DType.Duration, long micros) => TimeSpan.FromTicks(micros * 10),
            _ => value,
        };
    }
}
