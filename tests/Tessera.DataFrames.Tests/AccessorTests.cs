using System.Text.RegularExpressions;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class AccessorTests
{
    private static readonly string?[] s_words = ["Apple", "banana", null, "Cherry pie", "äpfel", "apple,pear,plum", "", "kiwi,lime"];

    private static DataFrame Words(int npartitions) => DataFrame.FromTable(Table.FromColumns(("w", s_words)), npartitions);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Str_MatchesDotNetStringMethods(int npartitions)
    {
        DataFrame df = Words(npartitions);
        Series w = df["w"];
        Assert.Equal(s_words.Select(s => s is null ? (bool?)null : s.Contains("pp", StringComparison.Ordinal)), w.Str.Contains("pp").Compute().GetValues("w").Cast<bool?>());
        Assert.Equal(s_words.Select(s => s is null ? (bool?)null : Regex.IsMatch(s, "^[a-z]+$")), w.Str.Contains("^[a-z]+$", regex: true).Compute().GetValues("w").Cast<bool?>());
        Assert.Equal(s_words.Select(s => s is null ? (bool?)null : s.StartsWith("ap", StringComparison.Ordinal)), w.Str.StartsWith("ap").Compute().GetValues("w").Cast<bool?>());
        Assert.Equal(s_words.Select(s => s?.ToLowerInvariant()), w.Str.Lower().Compute().GetStrings("w"));
        Assert.Equal(s_words.Select(s => s?.ToUpperInvariant()), w.Str.Upper().Compute().GetStrings("w"));
        Assert.Equal(s_words.Select(s => s is null ? (long?)null : s.EnumerateRunes().Count()), w.Str.Len().Compute().GetInt64s("w"));
        Assert.Equal(s_words.Select(s => s?.Replace("p", "P", StringComparison.Ordinal)), w.Str.Replace("p", "P").Compute().GetStrings("w"));
        Assert.Equal(s_words.Select(s => s is null ? null : Regex.Replace(s, "[aeiou]", "_")), w.Str.Replace("[aeiou]", "_", regex: true).Compute().GetStrings("w"));

        // Filtering on a string predicate.
        Assert.Equal(s_words.Count(s => s?.Contains(',', StringComparison.Ordinal) == true), df[w.Str.Contains(",")].Len().Compute());
    }

    [Fact]
    public void Str_Split_ExpandsIntoColumns()
    {
        Table t = Words(2)["w"].Str.Split(",", 1).Compute();
        Assert.Equal(["0", "1"], t.ColumnNames);
        Assert.Equal(s_words.Select(s => s?.Split(',', 2)[0]), t.GetStrings("0"));
        Assert.Equal(s_words.Select(s => s is null ? null : s.Split(',', 2) is { Length: 2 } p ? p[1] : null), t.GetStrings("1"));
    }

    [Fact]
    public void Dt_PartsAndFloor_MatchDateTime()
    {
        var r = new Random(4);
        DateTime[] times = [.. Enumerable.Range(0, 500).Select(_ => new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(r.NextInt64(0, 40L * 365 * 86400)))];
        DataFrame df = DataFrame.FromTable(Table.FromColumns(("t", times)), 4);
        Series t = df["t"];
        Assert.Equal(times.Select(x => (long)x.Year), t.Dt.Year.Compute().GetInt64s("t").Select(v => v!.Value));
        Assert.Equal(times.Select(x => (long)x.Month), t.Dt.Month.Compute().GetInt64s("t").Select(v => v!.Value));
        Assert.Equal(times.Select(x => (long)x.Day), t.Dt.Day.Compute().GetInt64s("t").Select(v => v!.Value));
        Assert.Equal(times.Select(x => (long)x.Hour), t.Dt.Hour.Compute().GetInt64s("t").Select(v => v!.Value));
        Assert.Equal(times.Select(x => (long)(((int)x.DayOfWeek + 6) % 7)), t.Dt.DayOfWeek.Compute().GetInt64s("t").Select(v => v!.Value));
        Assert.Equal(DType.Int32, t.Dt.Year.DType);
        Assert.Equal(times.Select(x => (object)new DateTime(x.Year, x.Month, x.Day, x.Hour, 0, 0, DateTimeKind.Utc)), t.Dt.Floor(TimeSpan.FromHours(1)).Compute().GetValues("t"));
        Assert.Equal(times.Select(x => (object)x.Date), t.Dt.Floor(TimeSpan.FromDays(1)).Compute().GetValues("t"));
    }

    [Fact]
    public void Accessors_OnTheWrongDType_FailAtGraphBuildTime()
    {
        DataFrame df = TestData.Frame(TestData.Rows(10), 1);
        var e = Assert.Throws<ArgumentException>(() => df["x"].Str);
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => df["name"].Dt);
        Assert.Contains("'name'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => df["name"].Str.Contains("(", regex: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => df["name"].Str.Split(",", 0));
    }
}
