using System.Text;
using Apache.Arrow;
using CsCheck;
using Tessera.Collections;
using Tessera.DataFrames.IO;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames.Tests;

/// <summary>The fast kernels (scatter split, one-pass group stats, string take and concat, join) and the CSV block reader against naive oracles.</summary>
public sealed class KernelPropertyTests
{
    private static readonly string[] s_words = ["", "a", "bc", "hello", "fifteen-bytes!!", "exactly16bytes!!", "a string longer than sixteen bytes", "ünïcödé"];

    /// <summary>A seeded table of n rows: int64 and float64 with nulls (and NaN), strings with nulls, bools.</summary>
    private static Table RandomTable(int n, int seed)
    {
        var r = new Random(seed);
        object?[] ids = [.. Enumerable.Range(0, n).Select(_ => r.Next(8) == 0 ? null : (object)(long)r.Next(-5, 50))];
        object?[] xs = [.. Enumerable.Range(0, n).Select(_ => r.Next(10) switch { 0 => null, 1 => (object)double.NaN, _ => (r.NextDouble() * 10) - 5 })];
        object?[] names = [.. Enumerable.Range(0, n).Select(_ => r.Next(9) == 0 ? null : (object)s_words[r.Next(s_words.Length)])];
        object?[] flags = [.. Enumerable.Range(0, n).Select(_ => r.Next(7) == 0 ? null : (object)(r.Next(2) == 0))];
        return Table.Create(
            [],
            [
                ("id", Kernels.Arrays.FromValues(DType.Int64, ids)),
                ("x", Kernels.Arrays.FromValues(DType.Float64, xs)),
                ("name", Kernels.Arrays.FromValues(DType.String, names)),
                ("flag", Kernels.Arrays.FromValues(DType.Bool, flags)),
            ]);
    }

    private static List<object?> Values(IArrowArray a) => [.. Enumerable.Range(0, a.Length).Select(i => Kernels.Arrays.GetValue(a, i))];

    [Fact]
    public void ScatterSplit_EqualsTakingEachPartitionsRows()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 9], Gen.Int[0, 1000], Gen.Int[0, 40]).Sample((n, parts, seed, sliceAt) =>
        {
            Table whole = RandomTable(n + sliceAt, seed);

            // A sliced table: its arrays have a non-zero offset.
            Table t = whole.Slice(Math.Min(sliceAt, whole.RowCount), n);
            var r = new Random(seed + 1);
            int[] targets = [.. Enumerable.Range(0, n).Select(_ => r.Next(parts))];
            Table[] pieces = Scatter.Split(t, targets, parts);
            Assert.Equal(parts, pieces.Length);
            for (int p = 0; p < parts; p++)
            {
                int part = p;
                int[] rows = [.. Enumerable.Range(0, n).Where(i => targets[i] == part)];
                Table expected = t.Take(rows);
                Assert.Equal(rows.Length, pieces[p].RowCount);
                for (int c = 0; c < t.Batch.ColumnCount; c++)
                {
                    Assert.Equal(Values(expected.ColumnAt(c)), Values(pieces[p].ColumnAt(c)));
                    Assert.Equal(expected.ColumnAt(c).NullCount, pieces[p].ColumnAt(c).NullCount);
                }
            }
        });
    }

    [Fact]
    public void FactorizeStrings_NumbersDistinctStringsInOrderOfFirstAppearance()
    {
        // Lengths around the 8- and 16-byte words of the short-key path, shared prefixes, zero bytes,
        // missing values, a sliced array (a short key near the end of the byte buffer), and up to
        // thousands of distinct strings, past the 512 that make the table (1,024 entries) grow.
        int grown = 0;
        Gen<(int, int)> sizes = Gen.OneOf(Gen.Select(Gen.Int[0, 400], Gen.Int[1, 40]), Gen.Select(Gen.Int[600, 4000], Gen.Int[600, 3000]));
        Gen.Select(sizes, Gen.Int[0, 100_000], Gen.Int[0, 5]).Sample(((int N, int Distinct) size, int seed, int sliceAt) =>
        {
            (int n, int distinct) = size;
            var r = new Random(seed);
            string[] pool = [.. Enumerable.Range(0, distinct).Select(_ => new string([.. Enumerable.Range(0, r.Next(0, 25)).Select(_ => "ab\0é"[r.Next(4)])]))];
            object?[] values = [.. Enumerable.Range(0, n + sliceAt).Select(_ => r.Next(10) == 0 ? null : (object)pool[r.Next(pool.Length)])];
            IArrowArray a = Kernels.Arrays.FromValues(DType.String, values);
            if (sliceAt > 0)
            {
                a = ArrowArrayFactory.Slice(a, sliceAt, n);
                values = values[sliceAt..];
            }

            Factorization f = Hashing.Factorize([a]);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var firstRows = new List<int>();
            for (int i = 0; i < n; i++)
            {
                if (values[i] is not string v)
                {
                    Assert.Equal(-1, f.Codes[i]);
                    continue;
                }

                if (!seen.TryGetValue(v, out int code))
                {
                    code = seen.Count;
                    seen[v] = code;
                    firstRows.Add(i);
                }

                Assert.Equal(code, f.Codes[i]);
            }

            Assert.Equal(seen.Count, f.Count);
            Assert.Equal(firstRows, f.FirstRows);
            if (seen.Count > 512)
            {
                Interlocked.Increment(ref grown);
            }
        }, iter: 200);
        Assert.True(grown > 0, "no sample had enough distinct strings to grow the table");
    }

    [Fact]
    public void KeepBytes_BothBranches_KeepExactlyTheFirstLengthBytes()
    {
        Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, 16]).Sample((lo, hi, length) =>
        {
            // The oracle: the 16 little-endian bytes with those from length on zeroed.
            Span<byte> bytes = stackalloc byte[16];
            BitConverter.TryWriteBytes(bytes, lo);
            BitConverter.TryWriteBytes(bytes[8..], hi);
            bytes[length..].Clear();
            (ulong Lo, ulong Hi) expected = (BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]));
            Assert.Equal(expected, Hashing.KeepBytes(lo, hi, length));
            Assert.Equal(expected, Hashing.KeepBytesWithShifts(lo, hi, length));
        }, iter: 2_000);
    }

    [Fact]
    public void GroupByChunk_Float64States_MatchNaiveGroups_OnBothPaths()
    {
        // States of a float64 column: several of count, sum, min and max (m2 only with count and sum),
        // sometimes first or last too. A string column's "first" keeps the chunk off the all-float64 path.
        int[] choices =
        [
            GroupAgg.CountState | GroupAgg.SumState,
            GroupAgg.CountState | GroupAgg.SumState | GroupAgg.M2State,
            GroupAgg.MinState | GroupAgg.MaxState,
            GroupAgg.SumState | GroupAgg.MaxState,
            GroupAgg.CountState | GroupAgg.SumState | GroupAgg.M2State | GroupAgg.MinState | GroupAgg.MaxState,
        ];
        Gen.Select(Gen.Int[0, 500], Gen.Int[1, 40], Gen.Int[0, 1000], Gen.Int[0, choices.Length - 1], Gen.Bool).Sample((n, groups, seed, choice, withLast) =>
        {
            var r = new Random(seed);
            object?[] xs = [.. Enumerable.Range(0, n).Select(_ => r.Next(12) switch
            {
                0 => null,
                1 => (object)double.NaN,
                2 => (object)(r.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity),
                3 => (object)-0.0,
                _ => Math.Round((r.NextDouble() * 200) - 100, 3),
            })];
            string?[] keys = [.. Enumerable.Range(0, n).Select(_ => r.Next(10) == 0 ? null : "k" + r.Next(groups))];
            Table part = Table.Create(
                [],
                [
                    ("k", Kernels.Arrays.FromValues(DType.String, keys)),
                    ("x", Kernels.Arrays.FromValues(DType.Float64, xs)),
                    ("s", Kernels.Arrays.FromValues(DType.String, keys)),
                ]);
            int states = choices[choice] | (withLast ? GroupAgg.LastState : 0);
            Table mixed = GroupAgg.Chunk(part, ["k"], ["x", "s"], [states, GroupAgg.FirstState], size: false);

            // Naive oracle: the groups in order of first appearance, each with its values that are neither null nor NaN.
            string[] order = [.. keys.OfType<string>().Distinct()];
            List<double>[] present = [.. order.Select(k => Enumerable.Range(0, n).Where(i => keys[i] == k && xs[i] is double d && !double.IsNaN(d)).Select(i => (double)xs[i]!).ToList())];
            Assert.Equal(order.Cast<object?>(), mixed.GetValues("k"));
            if ((states & GroupAgg.CountState) != 0)
            {
                Assert.Equal(present.Select(v => (object?)(long)v.Count), mixed.GetValues("x\u001fcount"));
            }

            if ((states & GroupAgg.SumState) != 0)
            {
                // Rows are added in order, as this loop adds them.
                Assert.Equal(present.Select(v => (object?)v.Aggregate(0.0, (a, b) => a + b)), mixed.GetValues("x\u001fsum"));
            }

            if ((states & GroupAgg.M2State) != 0)
            {
                object?[] m2 = mixed.GetValues("x\u001fm2");
                for (int g = 0; g < order.Length; g++)
                {
                    List<double> v = present[g];
                    double mean = v.Count == 0 ? 0 : v.Average();
                    double expected = v.Count == 0 ? 0 : v.Sum(x => (x - mean) * (x - mean));
                    double got = (double)m2[g]!;
                    Assert.True(double.IsNaN(expected) ? double.IsNaN(got) || double.IsInfinity(got) : Math.Abs(got - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"m2 of group {g}: {got} against {expected}");
                }
            }

            if ((states & GroupAgg.MinState) != 0)
            {
                Assert.Equal(present.Select(v => v.Count == 0 ? null : (object)v.Min()), mixed.GetValues("x\u001fmin"));
            }

            if ((states & GroupAgg.MaxState) != 0)
            {
                Assert.Equal(present.Select(v => v.Count == 0 ? null : (object)v.Max()), mixed.GetValues("x\u001fmax"));
            }

            if (withLast)
            {
                Assert.Equal(present.Select(v => v.Count == 0 ? null : (object)v[^1]), mixed.GetValues("x\u001flast"));
            }

            Assert.Equal(order.Cast<object?>(), mixed.GetValues("s\u001ffirst"));

            // Without the string column (and without last) every column fuses: the same float64 states.
            int fusable = states & ~GroupAgg.LastState;
            Table fused = GroupAgg.Chunk(part, ["k"], ["x"], [fusable], size: false);
            foreach (string name in fused.ColumnNames)
            {
                Assert.Equal(fused.GetValues(name), mixed.GetValues(name));
            }
        });
    }

    [Fact]
    public void TakeAndConcatOfStrings_EqualTheNaiveResult()
    {
        Gen.Select(Gen.Int[0, 200], Gen.Int[0, 200], Gen.Int[0, 1000]).Sample((n, m, seed) =>
        {
            Table t = RandomTable(n + 3, seed);
            IArrowArray names = t.Slice(3, n).ColumnAt(2);
            List<object?> values = Values(names);
            var r = new Random(seed);
            int[] indices = [.. Enumerable.Range(0, m).Select(_ => n == 0 ? -1 : r.Next(-1, n))];
            IArrowArray taken = Kernels.Arrays.Take(names, indices);
            Assert.Equal([.. indices.Select(i => i < 0 ? null : values[i])], Values(taken));

            Table other = RandomTable(m, seed + 7);
            IArrowArray joined = Kernels.Arrays.Concat([names, taken, other.ColumnAt(2)], names.Data.DataType);
            Assert.Equal([.. values, .. Values(taken), .. Values(other.ColumnAt(2))], Values(joined));
            Assert.Equal(names.NullCount + taken.NullCount + other.ColumnAt(2).NullCount, joined.NullCount);
        });
    }

    [Fact]
    public void HashJoin_EqualsANestedLoopJoin()
    {
        Gen.Select(Gen.Int[0, 60], Gen.Int[0, 60], Gen.Int[0, 3], Gen.Int[0, 1000]).Sample((nl, nr, how, seed) =>
        {
            var r = new Random(seed);
            long?[] lk = [.. Enumerable.Range(0, nl).Select(_ => r.Next(8) == 0 ? null : (long?)r.Next(12))];
            long?[] rk = [.. Enumerable.Range(0, nr).Select(_ => r.Next(8) == 0 ? null : (long?)r.Next(12))];
            Table left = Table.FromColumns(("k", lk), ("a", Enumerable.Range(0, nl).Select(i => (long)i).ToArray()));
            Table right = Table.FromColumns(("k", rk), ("b", Enumerable.Range(0, nr).Select(i => (long)(1000 + i)).ToArray()));
            Table joined = Join.HashJoin(left, right, ["k"], ["k"], how, ["_x", "_y"]);

            // Oracle: pandas' merge semantics by nested loops (missing keys never match).
            var expected = new List<(long?, long?, long?)>();
            var rightMatched = new bool[nr];
            for (int i = 0; i < nl; i++)
            {
                bool any = false;
                for (int j = 0; j < nr; j++)
                {
                    if (lk[i] is not null && lk[i] == rk[j])
                    {
                        expected.Add((lk[i], i, 1000 + j));
                        rightMatched[j] = true;
                        any = true;
                    }
                }

                if (!any && (JoinHow)how is JoinHow.Left or JoinHow.Outer)
                {
                    expected.Add((lk[i], i, null));
                }
            }

            if ((JoinHow)how is JoinHow.Right or JoinHow.Outer)
            {
                for (int j = 0; j < nr; j++)
                {
                    if (!rightMatched[j])
                    {
                        expected.Add((rk[j], null, 1000 + j));
                    }
                }
            }

            var actual = Enumerable.Range(0, joined.RowCount)
                .Select(i => ((long?)Kernels.Arrays.GetValue(joined["k"], i), (long?)Kernels.Arrays.GetValue(joined["a"], i), (long?)Kernels.Arrays.GetValue(joined["b"], i)))
                .ToList();
            Assert.Equal(expected.Order(), actual.Order());
        });
    }

    [Fact]
    public void CsvReadBlock_ReadsLikeCsvHelper_InAnyBlocks()
    {
        string[] tokens = ["1", "-2.5", "", " sp ", "abc", "ü"];
        Gen.Select(Gen.Int[0, 80], Gen.Int[0, 1000], Gen.Int[16, 400]).Sample((lines, seed, blockSize) =>
        {
            // Samples run in parallel: a file each.
            string path = Path.Combine(Path.GetTempPath(), "tessera-csv-blocks-" + Guid.NewGuid().ToString("N") + ".csv");
            try
            {
                // Plain lines, empty lines, quoted fields (one with a separator in it) and CRLF
                // endings, in blocks of any size (new column builders, estimated capacity). A quoted
                // newline would be cut by the block split, as in Dask, so there is none here.
                var r = new Random(seed);
                var text = new StringBuilder("a,b,c\n");
                for (int i = 0; i < lines; i++)
                {
                    int kind = r.Next(12);
                    string line = kind switch
                    {
                        0 => string.Empty,
                        1 => "\"x,y\",\"q\"," + tokens[r.Next(tokens.Length)],
                        _ => string.Join(',', Enumerable.Range(0, 3).Select(_ => tokens[r.Next(tokens.Length)])),
                    };
                    text.Append(line).Append(kind == 2 ? "\r\n" : "\n");
                }

                File.WriteAllText(path, text.ToString());
                byte[] bytes = File.ReadAllBytes(path);

                // Oracle: CsvHelper over the whole file, header skipped, fields c and a.
                var expected = new List<(string, string)>();
                using (CsvHelper.CsvReader reader = CsvReader.OpenReader(bytes, ','))
                {
                    bool header = true;
                    while (reader.Read())
                    {
                        if (!header)
                        {
                            expected.Add((reader.GetString(2), reader.GetString(0)));
                        }

                        header = false;
                    }
                }

                var actual = new List<(string, string)>();
                foreach ((long start, long end) in CsvReader.Blocks(path, blockSize))
                {
                    Table t = CsvReader.ReadBlock(path, start, end, header: true, ',', ["c", "a"], [2, 0], [(int)DType.String, (int)DType.String], skipBadLines: false);

                    actual.AddRange(Enumerable.Range(0, t.RowCount).Select(i => ((string)Kernels.Arrays.GetValue(t["c"], i)!, (string)Kernels.Arrays.GetValue(t["a"], i)!)));
                }

                Assert.Equal(expected, actual);
            }
            finally
            {
                File.Delete(path);
            }
        });
    }

    [Fact]
    public void GroupByMinMax_KeepsInfinities_AcrossPartitions()
    {
        Table t = Table.FromColumns(("k", new long[] { 1, 1, 2, 2, 3 }), ("v", new[] { double.NegativeInfinity, double.NegativeInfinity, double.PositiveInfinity, double.PositiveInfinity, 1.5 }));
        foreach (int parts in new[] { 1, 2, 3 })
        {
            DataFrame df = DataFrame.FromTable(t, parts);
            Assert.Equal([double.NegativeInfinity, double.PositiveInfinity, 1.5], df.GroupBy("k")["v"].Max().Compute().GetDoubles("v"));
            Assert.Equal([double.NegativeInfinity, double.PositiveInfinity, 1.5], df.GroupBy("k")["v"].Min().Compute().GetDoubles("v"));
            Assert.Equal([double.NegativeInfinity, double.PositiveInfinity, 1.5], df.GroupBy("k").Agg(new Dictionary<string, Aggregation[]> { ["v"] = [Aggregation.Min, Aggregation.Max] }).Compute().GetDoubles("v_max"));
        }
    }
}
