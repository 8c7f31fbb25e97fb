using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using Tessera.Bags.Internal;

namespace Tessera.Bags.Tests.Internal;

public sealed class FlatJsonTests
{
    private static readonly string[] Keys = ["name", "Name", "NAME", "age", "big", "score", "flag", "city", "x_y", "extra", "readOnly", "na\\u006de", "nämé"];

    private static readonly string[] Values =
    [
        "\"abc\"", "\"ünïcødé\"", "\"with \\\"escape\\\"\"", "\"" + new string('l', 60) + "\"", "\"\"",
        "0", "-5", "2147483648", "9223372036854775808", "3.5", "1e3", "\"42\"", "\"NaN\"", "null", "true", "false", "[1, 2]", "{\"a\": {\"b\": 1}}",
    ];

    private static readonly Gen<string> Line = Gen.OneOf(
        Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Values.Length - 1]).Array[0, 8].Select(pairs =>
            "{" + string.Join(", ", pairs.Select(p => $"\"{Keys[p.Item1]}\": {Values[p.Item2]}")) + "}"),
        Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Values.Length - 1], Pick(" x", ",", "}", " {}", " ", "", "\t")).Select((k, v, tail) =>
            $"{{\"{Keys[k]}\": {Values[v]}}}{tail}"),
        Pick("null", "[1]", "{", "\"s\"", "42", "{\"name\": \"a\",}", "{\"name\" \"a\"}", "{} {}", "{\"age\": 1 /* c */}"));

    private static Gen<string> Pick(params string[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    [Theory]
    [InlineData(JsonSerializerDefaults.General)]
    [InlineData(JsonSerializerDefaults.Web)]
    public void Read_GivesWhatTheSerializerGives(JsonSerializerDefaults defaults)
    {
        JsonSerializerOptions options = TextKernels.JsonOptions((int)defaults);
        FlatJson<Record> flat = Assert.IsType<FlatJson<Record>>(FlatJson<Record>.Get((int)defaults));
        Line.Sample(line =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            (Record? Value, Type? Error) expected = Run(() => JsonSerializer.Deserialize<Record>(bytes, options));
            (Record? Value, Type? Error) actual = Run(() => flat.Read(bytes));
            Assert.Equal(expected.Error, actual.Error);
            Assert.Equal(expected.Value?.ToString(), actual.Value?.ToString());
        }, iter: 3000);
    }

    [Fact]
    public void Read_PlainRecords_AreRead()
    {
        FlatJson<Record> flat = FlatJson<Record>.Get((int)JsonSerializerDefaults.Web)!;
        byte[] line = Encoding.UTF8.GetBytes("{\"name\": \"ann\", \"age\": 31, \"city\": \"oslo\", \"flag\": true, \"score\": 2.5}");
        Record a = flat.Read(line)!;
        Record b = flat.Read(line)!;
        Assert.Equal("ann|31|0|2.5|True|oslo||fixed", a.ToString());
        Assert.Equal(a.ToString(), b.ToString());
    }

    [Fact]
    public void Get_RefusesTypesItCannotReadExactly()
    {
        Assert.Null(FlatJson<Positional>.Get((int)JsonSerializerDefaults.Web));
        Assert.Null(FlatJson<WithList>.Get((int)JsonSerializerDefaults.Web));
        Assert.Null(FlatJson<WithRequired>.Get((int)JsonSerializerDefaults.Web));
        Assert.Null(FlatJson<System.Text.Json.Nodes.JsonObject>.Get((int)JsonSerializerDefaults.Web));
        Assert.Null(FlatJson<int>.Get((int)JsonSerializerDefaults.Web));
        Assert.NotNull(FlatJson<Record>.Get((int)JsonSerializerDefaults.Web));
    }

    private static (Record? Value, Type? Error) Run(Func<Record?> read)
    {
        try
        {
            return (read(), null);
        }
        catch (Exception e)
        {
            return (null, e.GetType());
        }
    }

    public sealed class Record
    {
        public string? Name { get; set; } = "default";

        public int Age { get; set; }

        public long Big { get; init; }

        public double Score { get; set; }

        public bool Flag { get; set; }

        public string? City { get; set; }

        [JsonPropertyName("x_y")]
        public string? Renamed { get; set; }

        public string ReadOnly { get; } = "fixed";

        public override string ToString() => $"{Name}|{Age}|{Big}|{Score}|{Flag}|{City}|{Renamed}|{ReadOnly}";
    }

    public sealed record Positional(string Name, int Age);

    public sealed class WithList
    {
        public List<int> Items { get; set; } = [];
    }

    public sealed class WithRequired
    {
        public required string Name { get; set; }
    }
}
