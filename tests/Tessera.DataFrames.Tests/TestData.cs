
namespace Tessera.DataFrames.Tests;

/// <summary>Seeded sample tables shared by the tests.</summary>
internal static class TestData
{
    public sealed record Row(long Id, double X, double? Y, string Name, bool Flag);

    public static List<Row> Rows(int n, int seed = 1, int keys = 10, bool nulls = true)
    {
        var r = new Random(seed);
        var rows = new List<Row>(n);
        for (int i = 0; i < n; i++)
        {
            rows.Add(new Row(
                r.Next(keys),
                Math.Round(r.NextDouble(), 6),
                nulls && r.Next(10) == 0 ? null : Math.Round((r.NextDouble() * 2) - 1, 6),
                "n" + r.Next(keys / 2 + 1),
                r.Next(2) == 0));
        }

        return rows;
    }

    public static Table ToTable(IReadOnlyList<Row> rows) => Table.FromColumns(
        ("id", rows.Select(r => r.Id).ToArray()),
        ("x", rows.Select(r => r.X).ToArray()),
        ("y", rows.Select(r => r.Y).ToArray()),
        ("name", rows.Select(r => r.Name).ToArray()),
        ("flag", rows.Select(r => r.Flag).ToArray()));

    public static DataFrame Frame(IReadOnlyList<Row> rows, int npartitions) => DataFrame.FromTable(ToTable(rows), npartitions);

    public static void Close(double expected, double actual, double tolerance = 1e-9)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"expected NaN, got {actual}");
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
    }
}

internal static class TableTestExtensions
{
    public static Table WithIndexForTests(this Table t, string column) => Table.FromArrow(t.ToArrow(), column);
}
