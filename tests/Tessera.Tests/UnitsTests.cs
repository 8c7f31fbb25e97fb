using CsCheck;

namespace Tessera.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1234", 1234L)]
    [InlineData("50MB", 50_000_000L)]
    [InlineData("50 mb", 50_000_000L)]
    [InlineData("1.5 GiB", 1_610_612_736L)]
    [InlineData("128MiB", 134_217_728L)]
    [InlineData("1kB", 1000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("2k", 2000L)]
    [InlineData("3 TB", 3_000_000_000_000L)]
    [InlineData("1e3 B", 1000L)]
    [InlineData("  7 b ", 7L)]
    public void ParseBytes_ReadsNumbersWithDecimalAndBinaryUnits(string text, long expected) =>
        Assert.Equal(expected, Units.ParseBytes(text));

    private static readonly (string Name, long Bytes)[] s_units = [("", 1), ("B", 1), ("kB", 1000), ("KiB", 1024), ("MB", 1_000_000), ("MiB", 1L << 20)];

    [Fact]
    public void ParseBytes_AgreesWithMultiplyingByTheUnit() =>
        Gen.Long[0, 1L << 30].Select(Gen.Int[0, s_units.Length - 1])
            .Sample((n, u) => Assert.Equal(n * s_units[u].Bytes, Units.ParseBytes($"{n}{s_units[u].Name}")));

    [Theory]
    [InlineData("")]
    [InlineData("MB")]
    [InlineData("50 parsecs")]
    [InlineData("-1MB")]
    [InlineData("1e30 PB")]
    public void ParseBytes_OfSomethingElse_IsAFormatErrorNamingTheText(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => Units.ParseBytes(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30.0)]
    [InlineData("2.5", 2.5)]
    [InlineData("100 ms", 0.1)]
    [InlineData("1.5 minutes", 90.0)]
    [InlineData("2h", 7200.0)]
    [InlineData("1 day", 86400.0)]
    [InlineData("250us", 0.00025)]
    [InlineData("00:01:30", 90.0)]
    public void ParseTimeSpan_ReadsSecondsUnitsAndTimeSpans(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Units.ParseTimeSpan(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("-3s")]
    [InlineData("5 fortnights")]
    public void ParseTimeSpan_OfSomethingElse_IsAFormatErrorNamingTheText(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => Units.ParseTimeSpan(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }
}
