using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using ICSharpCode.SharpZipLib.BZip2;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class TextInputTests
{
    /// <summary>The lines of a text as ReadText defines them: split at \n, a \r before it dropped, no empty last line.</summary>
    private static string[] Lines(string text)
    {
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        if (text.Length == 0)
        {
            return [];
        }

        List<string> lines = [.. text.Split('\n')];
        if (text[^1] == '\n')
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return [.. lines.Select(l => l.EndsWith('\r') ? l[..^1] : l)];
    }

    [Theory]
    [InlineData("a\nb\n")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb\r\n\r\nc")]
    [InlineData("\n\n")]
    [InlineData("")]
    [InlineData("\uFEFFfirst\nsecond\n")]
    [InlineData("ünïcödé ✓\nline 2\n")]
    public void ReadText_WholeFile_GivesTheLines(string text)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.txt"), text, new UTF8Encoding(false));
        Assert.Equal(Lines(text), Bag.ReadText(dir.File("a.txt")).Compute());
    }

    [Fact]
    public void ReadText_LinesLongerThanTheBuffer_AreRead()
    {
        using var dir = new TempDirectory();
        string[] lines = ["short", new string('x', 3 << 20), "tail"];
        File.WriteAllLines(dir.File("long.txt"), lines);
        Assert.Equal(lines, Bag.ReadText(dir.File("long.txt")).Compute());
        Assert.Equal(lines, Bag.ReadText(dir.File("long.txt"), blockSize: 1 << 20).Compute());
        Assert.Equal(3, Bag.ReadText(dir.File("long.txt"), blockSize: 1 << 20).Str.Split().Flatten().Frequencies().Compute().Count);
    }

    [Fact]
    public void ReadText_Blocks_GiveEachLineOnce() =>
        Gen.Select(Gen.String[Gen.Char["ab \r"], 0, 12].Array[0, 40], Gen.Int[1, 60], Gen.Bool, Gen.Bool).Sample((lines, blockSize, endWithNewline, crlf) =>
        {
            using var dir = new TempDirectory();
            string nl = crlf ? "\r\n" : "\n";
            string text = string.Join(nl, lines) + (endWithNewline && lines.Length > 0 ? nl : string.Empty);
            File.WriteAllText(dir.File("a.txt"), text);
            Bag<string> whole = Bag.ReadText(dir.File("a.txt"));
            Bag<string> blocks = Bag.ReadText(dir.File("a.txt"), blockSize: blockSize);
            Assert.Equal(Math.Max(1, (text.Length + blockSize - 1) / blockSize), blocks.PartitionCount);
            Assert.Equal(whole.Compute(Schedulers.Sync), blocks.Compute(Schedulers.Sync));
            Assert.Equal(Lines(text), whole.Compute(Schedulers.Sync));
        }, iter: 60);

    [Theory]
    [InlineData("gzip", ".gz")]
    [InlineData("bz2", ".bz2")]
    [InlineData("zstd", ".zst")]
    public void ReadText_CompressedFiles_AreDecompressedByExtension(string codec, string extension)
    {
        using var dir = new TempDirectory();
        string[] lines = [.. Enumerable.Range(0, 5000).Select(i => $"line {i} {new string('x', i % 50)}")];
        string path = dir.File("data.txt" + extension);
        WriteCompressed(path, codec, string.Join('\n', lines) + "\n");
        Assert.Equal(lines, Bag.ReadText(path).Compute());
        Assert.Equal(lines, Bag.ReadText(path, compression: codec).Compute());
        Assert.Equal(lines.Length, Bag.ReadText(dir.File("*" + extension)).Count().Compute());
        ArgumentException e = Assert.Throws<ArgumentException>(() => Bag.ReadText(path, blockSize: 1000));
        Assert.Contains("compressed", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadText_Patterns_ExpandInOrder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("sub/deeper"));
        File.WriteAllText(dir.File("b.txt"), "b\n");
        File.WriteAllText(dir.File("a.txt"), "a\n");
        File.WriteAllText(dir.File("c.log"), "c\n");
        File.WriteAllText(dir.File("sub/d.txt"), "d\n");
        File.WriteAllText(dir.File("sub/deeper/e.txt"), "e\n");
        Assert.Equal(["a", "b"], Bag.ReadText(dir.File("*.txt")).Compute());
        Assert.Equal(["a", "b", "c"], Bag.ReadText(dir.File("?.*")).Compute());
        Assert.Equal(["a", "c"], Bag.ReadText(dir.File("[ac].*")).Compute());
        Assert.Equal(["b"], Bag.ReadText(dir.File("[!ac].*")).Compute());
        Assert.Equal(["a", "b", "d", "e"], Bag.ReadText(dir.File("**/*.txt")).Compute());
        Assert.Equal(["c", "a"], Bag.ReadText([dir.File("c.log"), dir.File("a.txt")]).Compute());
        Assert.Equal(2, Bag.ReadText(dir.File("*.txt")).PartitionCount);
    }

    [Fact]
    public void ReadText_MissingInput_FailsWhenTheBagIsBuilt()
    {
        using var dir = new TempDirectory();
        FileNotFoundException none = Assert.Throws<FileNotFoundException>(() => Bag.ReadText(dir.File("*.txt")));
        Assert.Contains("ReadText: no files match", none.Message, StringComparison.Ordinal);
        FileNotFoundException missing = Assert.Throws<FileNotFoundException>(() => Bag.ReadText(dir.File("missing.txt")));
        Assert.Contains("missing.txt", missing.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Bag.ReadJsonLines<Person>(dir.File("missing.jsonl")));
        File.WriteAllText(dir.File("x.txt"), "x");
        Assert.Throws<ArgumentException>(() => Bag.ReadText(dir.File("x.txt"), compression: "lzma"));
        Assert.Throws<ArgumentException>(() => Bag.ReadText(dir.File("x.txt"), blockSize: 10, encoding: Encoding.Unicode));
    }

    [Fact]
    public void ReadText_OtherEncodings_AreDecoded()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("u16.txt"), "héllo\nwörld\n", Encoding.Unicode);
        Assert.Equal(["héllo", "wörld"], Bag.ReadText(dir.File("u16.txt"), encoding: Encoding.Unicode).Compute());
        File.WriteAllText(dir.File("latin1.txt"), "café\nnaïve\n", Encoding.Latin1);
        Assert.Equal(["café", "naïve"], Bag.ReadText(dir.File("latin1.txt"), blockSize: 4, encoding: Encoding.Latin1).Compute());
    }

    [Fact]
    public void ReadJsonLines_ReadsTypedRecords_InBlocks()
    {
        using var dir = new TempDirectory();
        Person[] people = [.. Enumerable.Range(0, 500).Select(i => new Person($"n{i % 17}", i % 90, $"c{i % 5}"))];
        File.WriteAllLines(dir.File("p.jsonl"), people.Select(p => JsonSerializer.Serialize(p, JsonSerializerOptions.Web)).Append(string.Empty));
        Assert.Equal(people, Bag.ReadJsonLines<Person>(dir.File("p.jsonl")).Compute());
        Assert.Equal(people, Bag.ReadJsonLines<Person>(dir.File("p.jsonl"), blockSize: 1000).Compute());
        Assert.Equal(
            people.Where(p => p.Age > 30).Select(p => p.Name).GroupBy(n => n).Select(g => KeyValuePair.Create(g.Key, g.LongCount())).OrderByDescending(kv => kv.Value).Take(3),
            Bag.ReadJsonLines<Person>(dir.File("p.jsonl"), blockSize: 2000).Where(p => p.Age > 30).Select(p => p.Name).Frequencies().TopK(3, kv => kv.Value).Compute());
        Assert.Equal(
            people.Select(p => p.City),
            Bag.ReadJsonLines<JsonObject>(dir.File("p.jsonl")).Pluck<string>("city").Compute());
        Assert.Equal(
            people.Select(p => p.City),
            Bag.ReadText(dir.File("p.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)).Pluck<string>("city").Compute());
    }

    [Fact]
    public void ReadJsonLines_MalformedLine_NamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        var lines = Enumerable.Range(0, 300).Select(i => $"{{\"name\":\"n{i}\",\"age\":{i}}}").ToList();
        lines[206] = "{\"name\": \"broken\", ";
        File.WriteAllLines(dir.File("p.jsonl"), lines);
        foreach (long? blockSize in new long?[] { null, 1000 })
        {
            MalformedLineException e = TestBags.Inner<MalformedLineException>(() => Bag.ReadJsonLines<Person>(dir.File("p.jsonl"), blockSize).Compute(Schedulers.Sync));
            Assert.Equal(207, e.LineNumber);
            Assert.Equal(dir.File("p.jsonl"), e.Path);
            Assert.Contains($"'{dir.File("p.jsonl")}' at line 207", e.Message, StringComparison.Ordinal);
        }

        lines[10] = "not json";
        File.WriteAllLines(dir.File("p.jsonl"), lines);
        Bag<Person> good = Bag.ReadJsonLines<Person>(dir.File("p.jsonl"), out Delayed<long> skipped, blockSize: 2000);
        (long count, long bad) = Delayed.Compute(good.Count(), skipped);
        Assert.Equal(298, count);
        Assert.Equal(2, bad);
        Assert.Equal(298, good.Compute().Count);
    }

    [Fact]
    public void ToTextFiles_RoundTrips_WithCompressionAndNames()
    {
        using var dir = new TempDirectory();
        Bag<string> b = Bag.Range(0, 1000, 3).Select(i => $"row {i}");
        IReadOnlyList<string> plain = b.ToTextFiles(dir.File("out"));
        Assert.Equal([dir.File("out/0.part"), dir.File("out/1.part"), dir.File("out/2.part")], plain);
        Assert.Equal(b.Compute(), Bag.ReadText(plain).Compute());

        IReadOnlyList<string> gz = b.ToTextFiles(dir.File("gz/part-*.txt.gz"), i => $"{i:D3}");
        Assert.Equal(dir.File("gz/part-002.txt.gz"), gz[2]);
        Assert.Equal(b.Compute(), Bag.ReadText(dir.File("gz/*.gz")).Compute());
        foreach (string codec in new[] { "bz2", "zstd" })
        {
            IReadOnlyList<string> files = b.ToTextFiles(dir.File($"{codec}/*.txt"), compression: codec);
            Assert.Equal(b.Compute(), Bag.ReadText(files, compression: codec).Compute());
        }

        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Throws<ArgumentException>(() => b.ToTextFiles(dir.File("x/*-*.txt")));
        Assert.Throws<ArgumentException>(() => b.ToTextFiles(dir.File("x/*.txt"), _ => "same"));
    }

    [Fact]
    public void WordFrequencies_OfTextFiles_MatchTheUnfusedChain() =>
        Gen.Select(Gen.String[Gen.Char["abcab \t\u00a0\u2003é\r"], 0, 150].Array[0, 30], Gen.Int[1, 400]).Sample((lines, blockSize) =>
        {
            using var dir = new TempDirectory();
            File.WriteAllText(dir.File("a.txt"), string.Join('\n', lines));
            File.WriteAllText(dir.File("b.txt"), string.Join("\r\n", lines.Reverse()));
            Bag<string> text = Bag.ReadText(dir.File("*.txt"), blockSize: blockSize);
            var expected = text.Compute(Schedulers.Sync).SelectMany(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .GroupBy(w => w).Select(g => KeyValuePair.Create(g.Key, g.LongCount())).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, text.Str.Split().Flatten().Frequencies().Compute(Schedulers.Sync).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal));
            Assert.Equal(expected, text.SelectMany(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Frequencies().Compute().OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal));
        }, iter: 40);

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(200)]
    public void WordFrequencies_LongAsciiLines_AreSplitLikeStringSplit(int length)
    {
        using var dir = new TempDirectory();
        var rng = new Random(length);
        string[] lines = [.. Enumerable.Range(0, 50).Select(_ => new string([.. Enumerable.Range(0, length).Select(_ => "abcdefghij \t"[rng.Next(12)])]))];
        File.WriteAllLines(dir.File("a.txt"), lines);
        var expected = lines.SelectMany(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).GroupBy(w => w).Select(g => KeyValuePair.Create(g.Key, g.LongCount()));
        Assert.Equal(expected, Bag.ReadText(dir.File("a.txt")).Str.Split().Flatten().Frequencies().Compute());
    }

    private static void WriteCompressed(string path, string codec, string text)
    {
        using Stream file = File.Create(path);
        using Stream z = codec switch
        {
            "gzip" => new GZipStream(file, CompressionLevel.Fastest),
            "bz2" => new BZip2OutputStream(file),
            _ => new ZstdSharp.CompressionStream(file),
        };
        z.Write(Encoding.UTF8.GetBytes(text));
    }

    public sealed record Person(string Name, int Age, string? City = null);
}
