using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class MergeTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(1500, seed: 11, keys: 30);

    private static DataFrame Right(int npartitions, int keys = 20) => DataFrame.FromTable(
        Table.FromColumns(("id", Enumerable.Range(0, keys).Select(i => (long)i).ToArray()), ("attr", Enumerable.Range(0, keys).Select(i => i * 0.5).ToArray()), ("x", Enumerable.Range(0, keys).Select(i => -i * 1.0).ToArray())),
        npartitions);

    [Theory]
    [InlineData(1, JoinHow.Inner, null)]
    [InlineData(4, JoinHow.Inner, false)]
    [InlineData(4, JoinHow.Left, null)]
    [InlineData(3, JoinHow.Left, true)]
    [InlineData(2, JoinHow.Right, null)]
    [InlineData(2, JoinHow.Outer, null)]
    public void Merge_MatchesLinq(int rightPartitions, JoinHow how, bool? broadcast)
    {
        DataFrame left = TestData.Frame(s_rows, 6);
        DataFrame right = Right(rightPartitions);
        DataFrame merged = left.Merge(right, ["id"], how, broadcast: broadcast);
        Assert.Equal(["id", "x_x", "y", "name", "flag", "attr", "x_y"], merged.Columns);
        Table t = merged.Compute();
        int inRight = s_rows.Count(r => r.Id < 20);
        int expected = how switch
        {
            JoinHow.Inner => inRight,
            JoinHow.Left => s_rows.Count,
            JoinHow.Right => inRight + Enumerable.Range(0, 20).Count(k => s_rows.All(r => r.Id != k)),
            _ => s_rows.Count + Enumerable.Range(0, 20).Count(k => s_rows.All(r => r.Id != k)),
        };
        Assert.Equal(expected, t.RowCount);
        long?[] ids = t.GetInt64s("id");
        double?[] attr = t.GetDoubles("attr");
        double?[] xs = t.GetDoubles("x_x");
        var leftSum = s_rows.Where(r => how is JoinHow.Left or JoinHow.Outer || r.Id < 20).Sum(r => r.X);
        TestData.Close(leftSum, xs.Sum(v => v ?? 0), 1e-9);
        for (int i = 0; i < t.RowCount; i++)
        {
            if (ids[i] < 20)
            {
                Assert.Equal(ids[i] * 0.5, attr[i]);
            }
            else
            {
                Assert.Null(attr[i]);
            }
        }

        Assert.Equal(expected, merged.Len().Compute());
    }

    [Fact]
    public void Merge_BadKeys_FailAtGraphBuildTime()
    {
        DataFrame left = TestData.Frame(s_rows, 2);
        var e = Assert.Throws<ArgumentException>(() => left.Merge(Right(1), ["nope"]));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        DataFrame strings = DataFrame.FromTable(Table.FromColumns(("id", new[] { "a" })));
        e = Assert.Throws<ArgumentException>(() => left.Merge(strings, ["id"]));
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
        Assert.Contains("string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_IntKeysOfDifferentWidths_ArePromoted()
    {
        DataFrame left = TestData.Frame(s_rows, 3);
        DataFrame right = DataFrame.FromTable(Table.FromColumns(("id", new[] { 1, 2, 3 }), ("tag", new[] { "a", "b", "c" })), 2);
        Table t = left.Merge(right, ["id"], broadcast: false).Compute();
        Assert.Equal(s_rows.Count(r => r.Id is >= 1 and <= 3), t.RowCount);
    }

    [Fact]
    public void Shuffle_PutsEqualKeysTogether_AndKeepsEveryRow()
    {
        DataFrame df = TestData.Frame(s_rows, 5).Shuffle(["name"], 4);
        Assert.Equal(4, df.NPartitions);
        Assert.Equal(s_rows.Count, df.Len().Compute());
        Table[] parts = [.. df.ToDelayed<Table>().Select(d => d.Compute())];
        var seen = new Dictionary<string, int>();
        for (int p = 0; p < parts.Length; p++)
        {
            foreach (string? n in parts[p].GetStrings("name"))
            {
                Assert.Equal(p, seen.TryGetValue(n!, out int q) ? q : seen[n!] = p);
            }
        }
    }
}

/// <summary>Joins on the index: partition-aligned when divisions are known, shuffled when not; checked against LINQ.</summary>
public sealed class IndexJoinTests
{
    [Fact]
    public void JoinOnSortedIndexes_IsPartitionAlignedAndMatchesLinq()
    {
        Gen.Select(Gen.Int[1, 200], Gen.Int[1, 200], Gen.Int[1, 6], Gen.Int[1, 6], Gen.Int[0, 3], Gen.Bool).Sample((nl, nr, pl, pr, howCode, known) =>
        {
            var how = (JoinHow)howCode;
            long[] lk = [.. Enumerable.Range(0, nl).Select(i => (long)(i * 2))];
            long[] rk = [.. Enumerable.Range(0, nr).Select(i => (long)(i * 3))];
            Table lt = Table.FromColumns(("k", lk), ("a", lk.Select(k => k * 10.0).ToArray())).WithIndexForTests("k");
            Table rt = Table.FromColumns(("k", rk), ("a", rk.Select(k => -k * 1.0).ToArray()), ("b", rk.Select(k => "r" + k).ToArray())).WithIndexForTests("k");
            DataFrame left = DataFrame.FromTable(lt, pl);
            DataFrame right = DataFrame.FromTable(rt, pr);
            if (!known)
            {
                left = left.Shuffle(["k"]);
                right = right.Shuffle(["k"]);
            }

            DataFrame joined = left.Join(right, how);
            Assert.Equal(known, joined.KnownDivisions);
            Assert.Equal(known, !joined.Graph.Layers.Any(layer => layer.Name.StartsWith("shuffle", StringComparison.Ordinal)));
            Table t = joined.Compute();
            Assert.Equal(["k"], t.IndexNames);
            Assert.Equal(["a_x", "a_y", "b"], t.ColumnNames);

            IEnumerable<long> keys = how switch
            {
                JoinHow.Inner => lk.Intersect(rk),
                JoinHow.Left => lk,
                JoinHow.Right => rk,
                _ => lk.Union(rk),
            };
            var expected = keys.Order().Select(k => new object?[]
            {
                k,
                lk.Contains(k) ? k * 10.0 : null,
                rk.Contains(k) ? -k * 1.0 : null,
                rk.Contains(k) ? "r" + k : null,
            }).ToList();
            Assert.Equal(expected, t.ToRows().OrderBy(r => (long)r[0]!).ToList());
        }, iter: 40);
    }

    [Fact]
    public void Join_WithoutAnIndexOrWithDifferentIndexTypes_FailsNamingTheProblem()
    {
        DataFrame plain = DataFrame.FromTable(Table.FromColumns(("k", new long[] { 1, 2 })));
        DataFrame indexed = DataFrame.FromTable(Table.FromColumns(("k", new long[] { 1, 2 }), ("v", new[] { 1.0, 2.0 })).WithIndexForTests("k"));
        DataFrame byDouble = DataFrame.FromTable(Table.FromColumns(("d", new[] { 1.0, 2.0 }), ("w", new[] { 1L, 2L })).WithIndexForTests("d"));
        Assert.Contains("one-column index", Assert.Throws<ArgumentException>(() => plain.Join(indexed)).Message, StringComparison.Ordinal);
        Assert.Contains("int64 on the left", Assert.Throws<ArgumentException>(() => indexed.Join(byDouble)).Message, StringComparison.Ordinal);
    }
}
