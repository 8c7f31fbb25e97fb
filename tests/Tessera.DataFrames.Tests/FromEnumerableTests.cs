using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class FromEnumerableTests
{
    public sealed record Order(long Id, int Quantity, double? Price, string? Customer, bool Paid, DateTime At, DateOnly Day, TimeSpan Wait);

    public sealed record WithList(long Id, List<int> Items);

    private static List<Order> Orders(int n, int seed)
    {
        var r = new Random(seed);
        var start = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        return [.. Enumerable.Range(0, n).Select(i => new Order(
            r.Next(5),
            r.Next(-3, 40),
            r.Next(6) == 0 ? null : Math.Round(r.NextDouble() * 100, 2),
            r.Next(7) == 0 ? null : "c" + r.Next(4),
            r.Next(2) == 0,
            start.AddTicks(r.NextInt64(0, 864_000_000_000) / 10 * 10),
            DateOnly.FromDateTime(start).AddDays(r.Next(30)),
            TimeSpan.FromMilliseconds(r.Next(0, 100_000))))];
    }

    [Fact]
    public void Records_BecomeTypedColumns_AndGroupLikeLinq()
    {
        Gen.Select(Gen.Int[0, 200], Gen.Int[1, 6], Gen.Int[0, 1000]).Sample((n, parts, seed) =>
        {
            List<Order> orders = Orders(n, seed);
            DataFrame df = DataFrame.FromEnumerable(orders, parts);
            Assert.Equal(["Id", "Quantity", "Price", "Customer", "Paid", "At", "Day", "Wait"], df.Columns);
            Assert.Equal(
                [DType.Int64, DType.Int32, DType.Float64, DType.String, DType.Bool, DType.Timestamp, DType.Date, DType.Duration],
                df.Columns.Select(c => df.DTypes[c]));

            Table t = df.Compute();
            Assert.Equal(
                orders.Select(o => new object?[] { o.Id, o.Quantity, o.Price, o.Customer, o.Paid, o.At, o.Day, o.Wait }).ToList(),
                t.ToRows().ToList());

            Table sums = df.GroupBy("Customer")["Quantity"].Sum().Compute();
            var expected = orders.Where(o => o.Customer is not null).GroupBy(o => o.Customer!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Sum(o => o.Quantity))).ToList();
            Assert.Equal(expected, sums.ToRows().Select(r => ((string)r[0]!, Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture))).ToList());
        }, iter: 20);
    }

    [Fact]
    public void BadRecords_FailNamingTheProblem()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => DataFrame.FromEnumerable([new WithList(1, [2])]));
        Assert.Contains("FromEnumerable", e.Message, StringComparison.Ordinal);
        Assert.Contains("WithList.Items", e.Message, StringComparison.Ordinal);
        InvalidOperationException nullRecord = Assert.Throws<InvalidOperationException>(() => DataFrame.FromEnumerable(new Order?[] { null }.Select(o => o!)));
        Assert.StartsWith("FromEnumerable: row 0 of the records is null", nullRecord.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DataFrame.FromEnumerable(new[] { new object() }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataFrame.FromEnumerable(Orders(3, 1), 0));
    }
}
