using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

/// <summary>
/// The one-pass float64 group-by (count, sum, mean, min, max, var, std in one pass over the rows)
/// against a naive LINQ oracle, over keys that take each of its paths: a dense int64 key (slots
/// indexed directly), a sparse int64 key with missing keys and a string key (factorized first).
/// </summary>
public sealed class GroupAggFusedTests
{
    private static readonly Dictionary<string, Aggregation[]> s_aggs = new()
    {
        ["x"] = [Aggregation.Sum, Aggregation.Mean, Aggregation.Min, Aggregation.Max, Aggregation.Count],
        ["y"] = [Aggregation.Mean, Aggregation.Std, Aggregation.Var, Aggregation.Count],
    };

    [Fact]
    public void AnyPartitioning_MatchesNaiveGroupBy()
    {
        Gen.Select(Gen.Int[0, 400], Gen.Int[1, 9], Gen.Int[0, 2], Gen.Int[0, 100_000], Gen.Int[2, 5])
            .Sample((n, parts, keyKind, seed, splitEvery) =>
            {
                var r = new Random(seed);

                // y sits far from zero with a small spread, so a variance that cancels badly shows.
                double offset = r.Next(2) == 0 ? 0 : 1e6;
                var rows = new List<(object? Key, double? X, double? Y)>();
                for (int i = 0; i < n; i++)
                {
                    object? key = keyKind switch
                    {
                        0 => (long)r.Next(-3, 12),
                        1 => r.Next(8) == 0 ? null : (long)r.Next(5) * 1_000_000_007L,
                        _ => r.Next(8) == 0 ? null : "k" + r.Next(6),
                    };
                    double? x = r.Next(9) switch { 0 => double.NaN, 1 => null, _ => Math.Round(r.NextDouble() * 100, 3) };
                    double? y = r.Next(7) == 0 ? null : offset + r.NextDouble();
                    rows.Add((key, x, y));
                }

                Table t = keyKind == 2
                    ? Table.FromColumns(("k", rows.Select(v => (string?)v.Key).ToArray()), ("x", rows.Select(v => v.X).ToArray()), ("y", rows.Select(v => v.Y).ToArray()))
                    : Table.FromColumns(("k", rows.Select(v => (long?)v.Key).ToArray()), ("x", rows.Select(v => v.X).ToArray()), ("y", rows.Select(v => v.Y).ToArray()));
                Table result = DataFrame.FromTable(t, parts).GroupBy("k").Agg(s_aggs, splitEvery).Compute();

                var expected = rows.Where(v => v.Key is not null).GroupBy(v => v.Key!).ToDictionary(g => g.Key, g => g.ToList());
                Assert.Equal(expected.Count, result.RowCount);
                object?[] keys = result.GetValues("k");
                for (int i = 0; i < keys.Length; i++)
                {
                    List<(object? Key, double? X, double? Y)> g = expected[keys[i]!];
                    double[] xs = [.. g.Where(v => v.X is { } d && !double.IsNaN(d)).Select(v => v.X!.Value)];
                    double[] ys = [.. g.Where(v => v.Y is not null).Select(v => v.Y!.Value)];
                    Assert.Equal(xs.Length, result.GetInt64s("x_count")[i]);
                    Assert.Equal(ys.Length, result.GetInt64s("y_count")[i]);
                    TestData.Close(xs.Sum(), result.GetDoubles("x_sum")[i]!.Value);
                    CloseOrMissing(xs.Length == 0 ? null : xs.Average(), result.GetDoubles("x_mean")[i]);
                    CloseOrMissing(xs.Length == 0 ? null : xs.Min(), result.GetDoubles("x_min")[i]);
                    CloseOrMissing(xs.Length == 0 ? null : xs.Max(), result.GetDoubles("x_max")[i]);
                    CloseOrMissing(ys.Length == 0 ? null : ys.Average(), result.GetDoubles("y_mean")[i]);
                    double? var = ys.Length < 2 ? null : ys.Sum(v => (v - ys.Average()) * (v - ys.Average())) / (ys.Length - 1);
                    CloseOrMissing(var, result.GetDoubles("y_var")[i], 1e-7, absolute: 1e-9);
                    CloseOrMissing(var is null ? null : Math.Sqrt(var.Value), result.GetDoubles("y_std")[i], 1e-7, absolute: 1e-6);
                }
            }, iter: 60);
    }

    [Fact]
    public void DenseKey_GroupsComeOutSortedAndKeepNegativeKeys()
    {
        long[] ids = [5, -2, 5, 0, -2, 3];
        double[] x = [1, 2, 3, 4, 5, 6];
        Table t = DataFrame.FromTable(Table.FromColumns(("id", ids), ("x", x)), 2).GroupBy("id").Agg(new Dictionary<string, Aggregation[]> { ["x"] = [Aggregation.Sum, Aggregation.Max] }).Compute();
        IGrouping<long, double>[] groups = [.. ids.Zip(x).GroupBy(p => p.First, p => p.Second).OrderBy(g => g.Key)];
        Assert.Equal(groups.Select(g => g.Key), t.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(groups.Select(g => g.Sum()), t.GetDoubles("x_sum").Select(v => v!.Value));
        Assert.Equal(groups.Select(g => g.Max()), t.GetDoubles("x_max").Select(v => v!.Value));
    }

    private static void CloseOrMissing(double? expected, double? actual, double tolerance = 1e-9, double absolute = 0)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        if (Math.Abs(expected.Value - actual.Value) > absolute)
        {
            TestData.Close(expected.Value, actual.Value, tolerance);
        }
    }
}
