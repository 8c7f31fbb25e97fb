using System.Text.Json.Nodes;
using CsCheck;
using Tessera.Bags;
using Tessera.Collections;
using Tessera.Scheduling;

namespace Tessera.DataFrames.Tests;

public sealed class BagConversionTests
{
    public sealed record Rec(long Id, string? Name, double Score, bool Flag, int? Maybe, DateTime At);

    private sealed record WithList(int Id, List<int> Tags);

    private static readonly Gen<Rec> RecGen =
        Gen.Select(Gen.Long, Gen.String[Gen.Char.AlphaNumeric, 0, 6].Null(), Gen.Double[-1e6, 1e6], Gen.Bool, Gen.Int[-50, 50].Nullable(), Gen.Int[0, 100_000])
           .Select((id, name, score, flag, maybe, minutes) => new Rec(id, name, score, flag, maybe, DateTime.UnixEpoch.AddMinutes(minutes)));

    private static Bag<T> Partitioned<T>(T[][] chunks) =>
        Bag.Concat(chunks.Select(c => Bag.FromSequence(c, partitionSize: Math.Max(1, c.Length))));

    [Fact]
    public void ToDataFrame_OfRecords_HasAColumnPerPropertyAndAPartitionPerPartition() =>
        RecGen.Array[0, 12].Array[1, 6].Sample(chunks =>
        {
            Rec[] all = [.. chunks.SelectMany(c => c)];
            Bag<Rec> bag = Partitioned(chunks);
            DataFrame df = bag.ToDataFrame();
            Assert.Equal(bag.PartitionCount, df.NPartitions);
            Assert.Equal(["Id", "Name", "Score", "Flag", "Maybe", "At"], df.Meta.ColumnNames);
            Assert.Equal([DType.Int64, DType.String, DType.Float64, DType.Bool, DType.Int32, DType.Timestamp], df.Meta.ColumnNames.Select(df.Meta.DTypeOf));

            Table t = df.Compute(Schedulers.Sync);
            Assert.Equal(all.Select(r => (long?)r.Id), t.GetInt64s("Id"));
            Assert.Equal(all.Select(r => r.Name), t.GetStrings("Name"));
            Assert.Equal(all.Select(r => (double?)r.Score), t.GetDoubles("Score"));
            Assert.Equal(all.Select(r => (object?)r.Flag), t.GetValues("Flag"));
            Assert.Equal(all.Select(r => (long?)r.Maybe), t.GetInt64s("Maybe"));
            Assert.Equal(all.Select(r => Kernels.Arrays.ToMicros(r.At)), t.GetInt64s("At").Select(v => v!.Value));
            Assert.Equal(all.Count(r => r.Flag), df[df["Flag"]].Len().Compute(Schedulers.Threaded));
        });

    [Fact]
    public void ToDataFrame_OfJsonRecords_ReadsTheMetaColumns() =>
        Gen.Select(Gen.Int[0, 40], Gen.String[Gen.Char.AlphaNumeric, 1, 5], Gen.Int[0, 3]).Array[0, 10].Array[1, 5].Sample(chunks =>
        {
            // Some records lack "age", some have it null: both are nulls.
            string Line((int Age, string Name, int Shape) r) => r.Shape switch
            {
                0 => $"{{\"name\":\"{r.Name}\",\"age\":{r.Age},\"score\":{r.Age}.5}}",
                1 => $"{{\"name\":\"{r.Name}\",\"score\":1e2}}",
                2 => $"{{\"name\":\"{r.Name}\",\"age\":null,\"score\":-3}}",
                _ => $"{{\"age\":{r.Age},\"extra\":[1,2]}}",
            };

            var all = chunks.SelectMany(c => c).Select(r => JsonNode.Parse(Line(r))!.AsObject()).ToArray();
            Bag<JsonObject> bag = Partitioned(chunks).Select(r => JsonNode.Parse(Line(r))!.AsObject());
            Table t = bag.ToDataFrame([("name", DType.String), ("age", DType.Int64), ("score", DType.Float64)]).Compute(Schedulers.Threaded);
            Assert.Equal(all.Select(o => (string?)o["name"]), t.GetStrings("name"));
            Assert.Equal(all.Select(o => (long?)o["age"]), t.GetInt64s("age"));
            Assert.Equal(all.Select(o => (double?)o["score"]), t.GetDoubles("score"));

            Bag<Dictionary<string, object?>> dicts = bag.Select(o => o.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue(out long l) ? (object?)l : kv.Value?.ToString()));
            Assert.Equal(t.GetInt64s("age"), dicts.ToDataFrame([("age", DType.Int64)]).Compute(Schedulers.Sync).GetInt64s("age"));
        });

    [Fact]
    public void ToDataFrame_BadInput_IsAClearError()
    {
        NotSupportedException list = Assert.Throws<NotSupportedException>(() => Bag.FromSequence([new WithList(1, [2])]).ToDataFrame());
        Assert.Contains("WithList.Tags", list.Message, StringComparison.Ordinal);

        Bag<JsonObject> json = Bag.FromSequence(["{\"age\":1.5}", "{\"age\":\"old\"}"], partitionCount: 2).Select(s => JsonNode.Parse(s)!.AsObject());
        Assert.Contains("pass meta", Assert.Throws<ArgumentException>(() => json.ToDataFrame()).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => json.ToDataFrame([("a", DType.Int64), ("a", DType.Int64)])).Message, StringComparison.Ordinal);
        Assert.Contains("no public property 'Age'", Assert.Throws<ArgumentException>(() => Bag.FromSequence([new WithList(1, [2])]).ToDataFrame([("Age", DType.Int64)])).Message, StringComparison.Ordinal);

        TaskFailedException fraction = Assert.Throws<TaskFailedException>(() => json.ToDataFrame([("age", DType.Int64)]).Compute(Schedulers.Sync));
        Assert.Contains("column 'age' (int64) cannot hold the fraction 1.5 of row 0 of partition 0 ", fraction.InnerException!.Message, StringComparison.Ordinal);
        TaskFailedException text = Assert.Throws<TaskFailedException>(() => json.Select(o => o).ToDataFrame([("age", DType.Float64)]).Compute(Schedulers.Sync));
        Assert.Contains("column 'age' is float64, but row 0 of partition 1 ", text.InnerException!.Message, StringComparison.Ordinal);
        Bag<object?> mixed = Bag.FromSequence<object?>([new Dictionary<string, object?> { ["age"] = 1L }, null, 7], partitionCount: 1);
        TaskFailedException nullRow = Assert.Throws<TaskFailedException>(() => mixed.ToDataFrame([("age", DType.Int64)]).Compute(Schedulers.Sync));
        Assert.StartsWith("ToDataFrame: row 1 of partition 0 ", nullRow.InnerException!.Message, StringComparison.Ordinal);
        Assert.EndsWith(" is null.", nullRow.InnerException!.Message, StringComparison.Ordinal);
        TaskFailedException number = Assert.Throws<TaskFailedException>(() => mixed.Where(o => o is not null).ToDataFrame([("age", DType.Int64)]).Compute(Schedulers.Sync));
        Assert.StartsWith("ToDataFrame: row 1 of partition 0 ", number.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains(" is a Int32, not a JSON object", number.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal([1.5, null], json.Where(o => o["age"]!.GetValueKind() == System.Text.Json.JsonValueKind.Number).Concat(Bag.FromSequence([new JsonObject()])).ToDataFrame([("age", DType.Float64)]).Compute().GetDoubles("age"));
    }

    public sealed record Person
    {
        public string Name { get; init; } = string.Empty;

        public int Age { get; init; }

        public string City { get; init; } = string.Empty;
    }

    [Fact]
    public void DocsExample_BagsMd()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tessera-todf-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllLines(Path.Combine(dir, "p.jsonl"), Enumerable.Range(0, 50).Select(i => $"{{\"name\":\"n{i % 7}\",\"age\":{i},\"city\":\"c{i % 3}\"}}"));
            DataFrame people = Bag.ReadJsonLines<Person>(Path.Combine(dir, "*.jsonl")).ToDataFrame();
            DataFrame untyped = Bag.ReadText(Path.Combine(dir, "*.jsonl"))
                .Select(line => JsonNode.Parse(line)!.AsObject())
                .ToDataFrame([("name", DType.String), ("age", DType.Int64)]);
            long adults = people[people["Age"] >= 18].Len().Compute();
            Assert.Equal(32, adults);
            Assert.Equal(["Name", "Age", "City"], people.Meta.ColumnNames);
            Assert.Equal(people.Compute().GetStrings("Name"), untyped.Compute().GetStrings("name"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
