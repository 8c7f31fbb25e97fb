using CsCheck;

namespace Tessera.Tests;

public sealed class UnitsTests
{
    private const long KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024;

    private static readonly (string Name, long Bytes)[] s_units = [("", 1), ("B", 1), ("kB", 1000), ("KiB", KiB), ("MB", 1_000_000), ("MiB", MiB)];

    public static TheoryData<string, long> Sizes => new()
    {
        { "0", 0 },
        { "1234", 1234 },
        { "50MB", 50 * 1_000_000L },
        { "50 mb", 50 * 1_000_000L },
        { "1.5 GiB", (long)(1.5 * GiB) },
        { "128MiB", 128 * MiB },
        { "1kB", 1000 },
        { "1KiB", KiB },
        { "2k", 2 * 1000 },
        { "3 TB", 3 * 1_000_000_000_000L },
        { "1e3 B", (long)1e3 },
        { "  7 b ", 7 },
    };

    public static TheoryData<string, TimeSpan> Durations => new()
    {
        { "30s", TimeSpan.FromSeconds(30) },
        { "2.5", TimeSpan.FromSeconds(2.5) },
        { "100 ms", TimeSpan.FromMilliseconds(100) },
        { "1.5 minutes", TimeSpan.FromMinutes(1.5) },
        { "2h", TimeSpan.FromHours(2) },
        { "1 day", TimeSpan.FromDays(1) },
        { "250us", TimeSpan.FromMicroseconds(250) },
        { "00:01:30", new TimeSpan(0, 1, 30) },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ParseBytes_ReadsNumbersWithDecimalAndBinaryUnits(string text, long expected) =>
        Assert.Equal(expected, Units.ParseBytes(text));

    [Fact]
    public void ParseBytes_AgreesWithMultiplyingByTheUnit() =>
        Gen.Long[0, 1L << 30].Select(Gen.Int[0, s_units.Length - 1])
            .Sample((n, u) => Assert.Equal(n * s_units[u].Bytes, Units.ParseBytes($"{n}{s_units[u].Name}")));

    [Theory]
    [MemberData(nameof(Durations))]
    public void ParseTimeSpan_ReadsSecondsUnitsAndTimeSpans(string text, TimeSpan expected) =>
        Assert.Equal(expected, Units.ParseTimeSpan(text));

    [Theory]
    [InlineData(true, "")]
    [InlineData(true, "MB")]
    [InlineData(true, "50 parsecs")]
    [InlineData(true, "-1MB")]
    [InlineData(true, "1e30 PB")]
    [InlineData(false, "soon")]
    [InlineData(false, "-3s")]
    [InlineData(false, "5 fortnights")]
    public void Parsing_SomethingElse_IsAFormatErrorNamingTheText(bool bytes, string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => bytes ? Units.ParseBytes(text) : Units.ParseTimeSpan(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }
}
