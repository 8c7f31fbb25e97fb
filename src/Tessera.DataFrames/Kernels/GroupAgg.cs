using System.Numerics;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// The three steps of a tree-reduced group-by (Dask's apply-concat-apply): <see cref="Chunk"/> turns
/// a partition into per-group partial states, <see cref="Combine"/> merges concatenated states, and
/// <see cref="Finalize"/> turns states into the requested aggregations.
/// </summary>
/// <remarks>
/// A state table holds the key columns, then one column per (input column, state), named
/// <c>column␟state</c>, then <c>␟size</c> when sizes are wanted. States: count, sum, m2 (the sum of
/// squared deviations from the group mean), min, max, first, last.
/// </remarks>
internal static partial class GroupAgg
{
    public const int CountState = 1;
    public const int SumState = 2;
    public const int M2State = 4;
    public const int MinState = 8;
    public const int MaxState = 16;
    public const int FirstState = 32;
    public const int LastState = 64;
    private const char Sep = '\u001f';
    private static readonly (int Flag, string Name)[] s_states =
    [
        (CountState, "count"), (SumState, "sum"), (M2State, "m2"), (MinState, "min"), (MaxState, "max"), (FirstState, "first"), (LastState, "last"),
    ];

    public static int StatesFor(Aggregation agg) => agg switch
    {
        Aggregation.Sum => SumState,
        Aggregation.Mean => SumState | CountState,
        Aggregation.Count => CountState,
        Aggregation.Min => MinState,
        Aggregation.Max => MaxState,
        Aggregation.Std or Aggregation.Var => CountState | SumState | M2State,
        Aggregation.First => FirstState,
        Aggregation.Last => LastState,
        _ => 0,
    };

    public static Table Chunk(Table part, string[] keys, string[] columns, int[] states, bool size)
    {
        if (CanFuse(part, columns, states))
        {
            return FusedChunk(part, keys, columns, states, size);
        }

        IArrowArray[] keyArrays = [.. keys.Select(k => part[k])];
        Factorization f = Hashing.Factorize(keyArrays);
        int groups = f.Count;
        var output = new List<(string, IArrowArray)>();
        for (int k = 0; k < keys.Length; k++)
        {
            output.Add((keys[k], Arrays.Take(keyArrays[k], f.FirstRows)));
        }

        for (int c = 0; c < columns.Length; c++)
        {
            IArrowArray a = part[columns[c]];
            int s = states[c];
            if (a is DoubleArray doubles && BitOperations.PopCount((uint)(s & (CountState | SumState | MinState | MaxState))) > 1)
            {
                // Float64 (the common case) with several of count, sum, min and max: these and m2 in one
                // pass, as in a chunk whose columns all fuse; first and last still need their own.
                AddDoubleStates(output, columns[c], doubles, f.Codes, groups, s & FusableStates);
                AddOrderStates(output, columns[c], a, s & ~FusableStates, f.Codes, groups);
                continue;
            }

            long[]? count = null;
            IArrowArray? sum = null;
            if ((s & CountState) != 0)
            {
                count = Grouped.Count(a, f.Codes, groups);
                output.Add((Name(columns[c], CountState), Arrays.Primitive<long>(DType.Int64, count)));
            }

            if ((s & SumState) != 0)
            {
                sum = Grouped.Sum(a, f.Codes, groups);
                output.Add((Name(columns[c], SumState), sum));
            }

            if ((s & M2State) != 0)
            {
                ReadOnlySpan<double> sums = Numeric.AsDouble(sum!);
                var means = new double[groups];
                for (int g = 0; g < groups; g++)
                {
                    means[g] = count![g] == 0 ? 0 : sums[g] / count[g];
                }

                output.Add((Name(columns[c], M2State), Arrays.Primitive<double>(DType.Float64, Grouped.M2(a, f.Codes, means))));
            }

            AddOrderStates(output, columns[c], a, s, f.Codes, groups);
        }

        if (size)
        {
            output.Add((Sep + "size", Arrays.Primitive<long>(DType.Int64, Grouped.Size(f.Codes, groups))));
        }

        return Table.Create([], output);
    }

    public static Table Combine(IReadOnlyList<Table> partials, string[] keys, string[] columns, int[] states, bool size)
    {
        Table all = Table.Concat(partials);
        IArrowArray[] keyArrays = [.. keys.Select(k => all[k])];
        Factorization f = Hashing.Factorize(keyArrays);
        int groups = f.Count;
        var output = new List<(string, IArrowArray)>();
        for (int k = 0; k < keys.Length; k++)
        {
            output.Add((keys[k], Arrays.Take(keyArrays[k], f.FirstRows)));
        }

        for (int c = 0; c < columns.Length; c++)
        {
            int s = states[c];
            long[]? totalCount = null;
            IArrowArray? totalSum = null;
            if ((s & CountState) != 0)
            {
                IArrowArray counts = all[Name(columns[c], CountState)];
                totalCount = Numeric.As<long>(Grouped.Sum(counts, f.Codes, groups), out _).ToArray();
                output.Add((Name(columns[c], CountState), Arrays.Primitive<long>(DType.Int64, totalCount)));
            }

            if ((s & SumState) != 0)
            {
                totalSum = Grouped.Sum(all[Name(columns[c], SumState)], f.Codes, groups);
                output.Add((Name(columns[c], SumState), totalSum));
            }

            if ((s & M2State) != 0)
            {
                double[] m2 = Grouped.CombineM2(
                    Numeric.As<long>(all[Name(columns[c], CountState)], out _),
                    Numeric.AsDouble(all[Name(columns[c], SumState)]),
                    Numeric.AsDouble(all[Name(columns[c], M2State)]),
                    f.Codes,
                    totalCount!,
                    Numeric.AsDouble(totalSum!).ToArray());
                output.Add((Name(columns[c], M2State), Arrays.Primitive<double>(DType.Float64, m2)));
            }

            if ((s & MinState) != 0)
            {
                output.Add((Name(columns[c], MinState), Grouped.MinMax(all[Name(columns[c], MinState)], f.Codes, groups, max: false)));
            }

            if ((s & MaxState) != 0)
            {
                output.Add((Name(columns[c], MaxState), Grouped.MinMax(all[Name(columns[c], MaxState)], f.Codes, groups, max: true)));
            }

            if ((s & FirstState) != 0)
            {
                output.Add((Name(columns[c], FirstState), Grouped.FirstLast(all[Name(columns[c], FirstState)], f.Codes, groups, last: false)));
            }

            if ((s & LastState) != 0)
            {
                output.Add((Name(columns[c], LastState), Grouped.FirstLast(all[Name(columns[c], LastState)], f.Codes, groups, last: true)));
            }
        }

        if (size)
        {
            output.Add((Sep + "size", Grouped.Sum(all[Sep + "size"], f.Codes, groups)));
        }

        return Table.Create([], output);
    }

    public static Table Finalize(Table state, string[] keys, string[] outputs, string?[] columns, int[] aggs, bool sort)
    {
        int groups = state.RowCount;
        var result = new List<(string, IArrowArray)>();
        for (int o = 0; o < outputs.Length; o++)
        {
            var agg = (Aggregation)aggs[o];
            string? c = columns[o];
            IArrowArray value = agg switch
            {
                Aggregation.Size => state[Sep + "size"],
                Aggregation.Count => state[Name(c!, CountState)],
                Aggregation.Sum => state[Name(c!, SumState)],
                Aggregation.Min => state[Name(c!, MinState)],
                Aggregation.Max => state[Name(c!, MaxState)],
                Aggregation.First => state[Name(c!, FirstState)],
                Aggregation.Last => state[Name(c!, LastState)],
                Aggregation.Mean => Mean(state[Name(c!, SumState)], state[Name(c!, CountState)]),
                _ => Variance(state[Name(c!, CountState)], state[Name(c!, M2State)], agg == Aggregation.Std),
            };
            result.Add((outputs[o], value));
        }

        Table t = Table.Create([.. keys.Select(k => (k, state[k]))], result);
        if (sort && groups > 1)
        {
            int[] order = Sorting.ArgSort([.. keys.Select(k => state[k])], [.. keys.Select(_ => true)]);
            t = t.Take(order);
        }

        return t;
    }

    private static IArrowArray Mean(IArrowArray sum, IArrowArray count)
    {
        ReadOnlySpan<double> s = Numeric.AsDouble(sum);
        ReadOnlySpan<long> n = Numeric.As<long>(count, out _);
        var mean = new double[s.Length];
        var valid = new BitmapBuilder(s.Length);
        for (int g = 0; g < mean.Length; g++)
        {
            if (n[g] > 0)
            {
                mean[g] = s[g] / n[g];
                valid.Set(g);
            }
        }

        int nulls = s.Length - valid.Ones;
        return Arrays.Primitive<double>(DType.Float64, mean, nulls == 0 ? null : valid.Bits, nulls);
    }

    private static IArrowArray Variance(IArrowArray count, IArrowArray m2, bool std)
    {
        ReadOnlySpan<long> n = Numeric.As<long>(count, out _);
        ReadOnlySpan<double> m = Numeric.AsDouble(m2);
        var result = new double[n.Length];
        var valid = new BitmapBuilder(n.Length);
        for (int g = 0; g < result.Length; g++)
        {
            if (n[g] > 1)
            {
                double v = Math.Max(0, m[g] / (n[g] - 1));
                result[g] = std ? Math.Sqrt(v) : v;
                valid.Set(g);
            }
        }

        int nulls = n.Length - valid.Ones;
        return Arrays.Primitive<double>(DType.Float64, result, nulls == 0 ? null : valid.Bits, nulls);
    }

    private static void AddOrderStates(List<(string, IArrowArray)> output, string column, IArrowArray a, int s, int[] codes, int groups)
    {
        if ((s & MinState) != 0)
        {
            output.Add((Name(column, MinState), Grouped.MinMax(a, codes, groups, max: false)));
        }

        if ((s & MaxState) != 0)
        {
            output.Add((Name(column, MaxState), Grouped.MinMax(a, codes, groups, max: true)));
        }

        if ((s & FirstState) != 0)
        {
            output.Add((Name(column, FirstState), Grouped.FirstLast(a, codes, groups, last: false)));
        }

        if ((s & LastState) != 0)
        {
            output.Add((Name(column, LastState), Grouped.FirstLast(a, codes, groups, last: true)));
        }
    }

    private static string Name(string column, int state) => column + Sep + s_states.First(s => s.Flag == state).Name;
}
