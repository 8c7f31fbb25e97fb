using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>Options for writing a Zarr store.</summary>
/// <param name="Format">2 (a <c>.zarray</c> file, keys <c>i.j</c>) or 3 (<c>zarr.json</c>, keys <c>c/i/j</c>).</param>
/// <param name="Compressor">"zlib" (v2 only), "gzip", "zstd", "blosc", or null for none.</param>
/// <param name="Level">The compression level (Blosc's <c>clevel</c> for "blosc").</param>
/// <param name="Overwrite">Whether to replace an existing store at the path.</param>
/// <param name="BloscName">Blosc's inner compressor (<c>cname</c>): "lz4" (numcodecs' default), "lz4hc", "zlib" or "zstd".</param>
/// <param name="Shuffle">Blosc's shuffle filter (numcodecs' default: <see cref="BloscShuffle.Byte"/>).</param>
public sealed record ZarrOptions(int Format = 2, string? Compressor = "zlib", int Level = 1, bool Overwrite = false, string BloscName = "lz4", BloscShuffle Shuffle = BloscShuffle.Byte);

/// <summary>The shuffle filter that Blosc applies to each block before compressing it.</summary>
public enum BloscShuffle
{
    /// <summary>No shuffle.</summary>
    None = 0,

    /// <summary>Byte shuffle: the first bytes of all elements, then the second bytes, and so on.</summary>
    Byte = 1,

    /// <summary>Bit shuffle: the first bits of all elements' first bytes, and so on.</summary>
    Bit = 2,
}

/// <summary>A chunk codec of a Zarr array, written into tasks as its <see cref="Spec"/> string (plain data).</summary>
/// <param name="Id">"zlib", "gzip", "zstd" or "blosc".</param>
/// <param name="Level">The level (Blosc's clevel).</param>
/// <param name="Cname">Blosc's inner compressor.</param>
/// <param name="Shuffle">Blosc's shuffle (0 none, 1 byte, 2 bit).</param>
/// <param name="BlockSize">Blosc's block size (0: chosen when writing).</param>
internal sealed record ZarrCodec(string Id, int Level, string Cname = "lz4", int Shuffle = 1, int BlockSize = 0)
{
    public string Spec => Id == "blosc"
        ? string.Create(CultureInfo.InvariantCulture, $"blosc:{Cname}:{Level}:{Shuffle}:{BlockSize}")
        : string.Create(CultureInfo.InvariantCulture, $"{Id}:{Level}");

    public static ZarrCodec? Parse(string? spec)
    {
        if (spec is null)
        {
            return null;
        }

        string[] p = spec.Split(':');
        return p[0] == "blosc"
            ? new ZarrCodec("blosc", int.Parse(p[2], CultureInfo.InvariantCulture), p[1], int.Parse(p[3], CultureInfo.InvariantCulture), int.Parse(p[4], CultureInfo.InvariantCulture))
            : new ZarrCodec(p[0], int.Parse(p[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>Zarr v2 and v3 directory stores: metadata, chunk keys and codecs (our own code).</summary>
internal static class Zarr
{
    internal sealed record Meta(int Format, long[] Shape, int[] Chunks, DType DType, ZarrCodec? Codec, double Fill, string Separator);

    public static Meta ReadMeta(string path)
    {
        string v2 = Path.Combine(path, ".zarray"), v3 = Path.Combine(path, "zarr.json");
        if (File.Exists(v2))
        {
            JsonNode root = Parse(v2);
            string dtypeText = (string?)root["dtype"] ?? throw Bad(v2, "no 'dtype'");
            DType dtype = DTypes.FromNpyDescr(dtypeText) ?? throw new NotSupportedException($"{v2}: dtype '{dtypeText}' is not supported (little-endian bool, integers, float32, float64).");
            if (root["order"] is JsonNode order && (string?)order != "C")
            {
                throw new NotSupportedException($"{v2}: order '{order}' is not supported; only C order.");
            }

            if (root["filters"] is JsonArray { Count: > 0 })
            {
                throw new NotSupportedException($"{v2}: filters are not supported.");
            }

            ZarrCodec? codec = null;
            if (root["compressor"] is JsonObject comp)
            {
                string? id = (string?)comp["id"];
                int level = (int?)comp["level"] ?? (int?)comp["clevel"] ?? 1;
                codec = id switch
                {
                    "zlib" or "gzip" or "zstd" => new ZarrCodec(id, level),
                    "blosc" => new ZarrCodec(id, level, (string?)comp["cname"] ?? "lz4", (int?)comp["shuffle"] ?? 1, (int?)comp["blocksize"] ?? 0),
                    _ => throw new NotSupportedException($"{v2}: compressor '{id}' is not supported (zlib, gzip, zstd, blosc or none)."),
                };
            }

            return new Meta(2, Longs(root["shape"], v2), Ints(root["chunks"], v2), dtype, codec, Fill(root["fill_value"]), (string?)root["dimension_separator"] ?? ".");
        }

        if (File.Exists(v3))
        {
            JsonNode root = Parse(v3);
            if ((string?)root["node_type"] != "array")
            {
                throw Bad(v3, "not an array node");
            }

            string dtypeText = (string?)root["data_type"] ?? throw Bad(v3, "no 'data_type'");
            DType dtype = Enum.GetValues<DType>().FirstOrDefault(d => d.NumPyName() == dtypeText, (DType)(-1));
            if ((int)dtype < 0)
            {
                throw new NotSupportedException($"{v3}: data type '{dtypeText}' is not supported.");
            }

            int[] chunks = Ints(root["chunk_grid"]?["configuration"]?["chunk_shape"], v3);
            string sep = (string?)root["chunk_key_encoding"]?["configuration"]?["separator"] ?? "/";
            if ((string?)root["chunk_key_encoding"]?["name"] is "v2")
            {
                sep = "v2" + ((string?)root["chunk_key_encoding"]?["configuration"]?["separator"] ?? ".");
            }

            ZarrCodec? codec = null;
            foreach (JsonNode? c in root["codecs"]?.AsArray() ?? [])
            {
                string? name = (string?)c?["name"];
                switch (name)
                {
                    case "bytes":
                        if ((string?)c?["configuration"]?["endian"] is "big")
                        {
                            throw new NotSupportedException($"{v3}: big-endian data is not supported.");
                        }

                        break;
                    case "gzip" or "zstd":
                        codec = new ZarrCodec(name, (int?)c?["configuration"]?["level"] ?? 1);
                        break;
                    case "blosc":
                        JsonNode? config = c?["configuration"];
                        string shuffle = (string?)config?["shuffle"] ?? "noshuffle";
                        codec = new ZarrCodec(name, (int?)config?["clevel"] ?? 5, (string?)config?["cname"] ?? "lz4", Math.Max(0, Array.IndexOf(Blosc.ShuffleNames, shuffle)), (int?)config?["blocksize"] ?? 0);
                        break;
                    default:
                        throw new NotSupportedException($"{v3}: codec '{name}' is not supported (bytes, gzip, zstd, blosc).");
                }
            }

            return new Meta(3, Longs(root["shape"], v3), chunks, dtype, codec, Fill(root["fill_value"]), sep);
        }

        throw new FileNotFoundException($"{path}: not a Zarr array (no .zarray or zarr.json).", path);
    }

    public static void WriteMeta(string path, Meta m)
    {
        Directory.CreateDirectory(path);
        JsonObject root;
        string file;
        if (m.Format == 2)
        {
            file = Path.Combine(path, ".zarray");
            root = new JsonObject
            {
                ["zarr_format"] = 2,
                ["shape"] = new JsonArray([.. m.Shape.Select(d => (JsonNode?)d)]),
                ["chunks"] = new JsonArray([.. m.Chunks.Select(d => (JsonNode?)d)]),
                ["dtype"] = m.DType.NpyDescr(),
                ["compressor"] = m.Codec switch
                {
                    null => null,
                    { Id: "blosc" } b => new JsonObject { ["id"] = "blosc", ["cname"] = b.Cname, ["clevel"] = b.Level, ["shuffle"] = b.Shuffle, ["blocksize"] = b.BlockSize },
                    var c => new JsonObject { ["id"] = c.Id, ["level"] = c.Level },
                },
                ["fill_value"] = 0,
                ["order"] = "C",
                ["filters"] = null,
                ["dimension_separator"] = ".",
            };
        }
        else
        {
            file = Path.Combine(path, "zarr.json");
            var codecs = new JsonArray { new JsonObject { ["name"] = "bytes", ["configuration"] = new JsonObject { ["endian"] = "little" } } };
            if (m.Codec is { } codec)
            {
                JsonObject config = codec.Id == "blosc"
                    ? new JsonObject { ["cname"] = codec.Cname, ["clevel"] = codec.Level, ["shuffle"] = Blosc.ShuffleNames[codec.Shuffle], ["typesize"] = m.DType.ItemSize(), ["blocksize"] = codec.BlockSize }
                    : new JsonObject { ["level"] = codec.Level };
                if (codec.Id == "zstd")
                {
                    config["checksum"] = false;
                }

                codecs.Add(new JsonObject { ["name"] = codec.Id, ["configuration"] = config });
            }

            root = new JsonObject
            {
                ["zarr_format"] = 3,
                ["node_type"] = "array",
                ["shape"] = new JsonArray([.. m.Shape.Select(d => (JsonNode?)d)]),
                ["data_type"] = m.DType.NumPyName(),
                ["chunk_grid"] = new JsonObject { ["name"] = "regular", ["configuration"] = new JsonObject { ["chunk_shape"] = new JsonArray([.. m.Chunks.Select(d => (JsonNode?)d)]) } },
                ["chunk_key_encoding"] = new JsonObject { ["name"] = "default", ["configuration"] = new JsonObject { ["separator"] = "/" } },
                ["fill_value"] = m.DType == DType.Bool ? false : 0,
                ["codecs"] = codecs,
                ["attributes"] = new JsonObject(),
            };
        }

        AtomicWrite(file, System.Text.Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }

    /// <summary>
    /// A token of a store's contents without reading them: every file under the store (chunks and
    /// metadata) with its path, size and modification time, hashed in path order. A chunk written by
    /// any writer, a chunk that appears or disappears, or new metadata gives a new token.
    /// </summary>
    /// <remarks>
    /// One <c>stat</c> a file. A rewrite that keeps a chunk's size and lands within one tick of the
    /// file system's clock of the previous write of that file (a few milliseconds on Linux file
    /// systems without fine-grained timestamps) goes unnoticed; a changed size never does.
    /// </remarks>
    public static string StoreToken(string path)
    {
        var files = new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => (Name: System.IO.Path.GetRelativePath(path, f.FullName), f.Length, f.LastWriteTimeUtc.Ticks))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        return Tokenizer.Tokenize(
            files.Select(f => f.Name).ToArray(),
            files.Select(f => f.Length).ToArray(),
            files.Select(f => f.Ticks).ToArray());
    }

    public static string ChunkKey(Meta m, int[] index)
    {
        if (m.Format == 2 || m.Separator.StartsWith("v2", StringComparison.Ordinal))
        {
            string sep = m.Separator.StartsWith("v2", StringComparison.Ordinal) ? m.Separator[2..] : m.Separator;
            return index.Length == 0 ? "0" : string.Join(sep, index);
        }

        return index.Length == 0 ? "c" : "c" + m.Separator + string.Join(m.Separator, index);
    }

    public static byte[] Encode(ZarrCodec? codec, int typeSize, ReadOnlySpan<byte> raw)
    {
        if (codec is null)
        {
            return raw.ToArray();
        }

        int level = codec.Level;
        if (codec.Id == "blosc")
        {
            return Blosc.Compress(raw, typeSize, codec.Cname, level, codec.Shuffle, codec.BlockSize);
        }

        if (codec.Id == "zstd")
        {
            using var compressor = new ZstdSharp.Compressor(level);
            return compressor.Wrap(raw).ToArray();
        }

        var ms = new MemoryStream();
        CompressionLevel l = level <= 1 ? CompressionLevel.Fastest : level >= 7 ? CompressionLevel.SmallestSize : CompressionLevel.Optimal;
        using (Stream z = codec.Id == "gzip" ? new GZipStream(ms, l, leaveOpen: true) : new ZLibStream(ms, l, leaveOpen: true))
        {
            z.Write(raw);
        }

        return ms.ToArray();
    }

    public static void Decode(ZarrCodec? codec, byte[] stored, Span<byte> destination, string file)
    {
        try
        {
            if (codec is null)
            {
                Check(stored.Length, destination.Length, file);
                stored.CopyTo(destination);
                return;
            }

            if (codec.Id == "blosc")
            {
                Blosc.Decompress(stored, destination);
                return;
            }

            if (codec.Id == "zstd")
            {
                using var decompressor = new ZstdSharp.Decompressor();
                byte[] raw = decompressor.Unwrap(stored).ToArray();
                Check(raw.Length, destination.Length, file);
                raw.CopyTo(destination);
                return;
            }

            using Stream z = codec.Id == "gzip" ? new GZipStream(new MemoryStream(stored), CompressionMode.Decompress) : new ZLibStream(new MemoryStream(stored), CompressionMode.Decompress);
            int read = z.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            Check(read, destination.Length, file);
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new InvalidDataException($"{file}: corrupt {codec?.Id ?? "uncompressed"} chunk ({e.Message}).", e);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"{file}: {e.Message}", e);
        }
    }

    private static void Check(int got, int expected, string file)
    {
        if (got != expected)
        {
            throw new InvalidDataException($"{file}: chunk holds {got} bytes after decoding, expected {expected} (truncated or corrupt).");
        }
    }

    public static void AtomicWrite(string file, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string temp = file + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, file, overwrite: true);
    }

    private static JsonNode Parse(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) ?? throw Bad(file, "empty metadata");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: malformed JSON metadata ({e.Message}).", e);
        }
    }

    private static InvalidDataException Bad(string file, string what) => new($"{file}: invalid Zarr metadata: {what}.");

    private static long[] Longs(JsonNode? node, string file) => node is JsonArray a ? [.. a.Select(x => (long)x!)] : throw Bad(file, "no shape");

    private static int[] Ints(JsonNode? node, string file) => node is JsonArray a ? [.. a.Select(x => (int)x!)] : throw Bad(file, "no chunk shape");

    private static double Fill(JsonNode? node) => node switch
    {
        null => 0,
        JsonValue v when v.TryGetValue(out bool b) => b ? 1 : 0,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) => s switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => double.Parse(s, CultureInfo.InvariantCulture),
        },
        _ => 0,
    };
}

/// <summary>Block functions that read and write Zarr chunks.</summary>
internal static class ZarrFunctions<T>
    where T : unmanaged
{
    public static readonly TaskFunction Read = TaskFunction.Create<string, string, int[], int[], string?, double, NDArray<T>>(ReadChunk, "from-zarr");
    public static readonly TaskFunction Write = TaskFunction.Create<NDArray<T>, string, int[], int[], int[], string?, double, NDArray<long>?, NDArray<long>>(WriteChunk, "to-zarr");

    private static NDArray<T> ReadChunk(string path, string key, int[] chunkShape, int[] blockShape, string? codec, double fill)
    {
        string file = Path.Combine(path, key.Replace('/', Path.DirectorySeparatorChar));
        NDArray<T>? chunk = Load(file, chunkShape, ZarrCodec.Parse(codec));
        if (chunk is null)
        {
            return NDArray<T>.Full(Kernels.ElementOps<T>.Instance.FromDouble(fill), blockShape);
        }

        if (chunkShape.AsSpan().SequenceEqual(blockShape))
        {
            return chunk;
        }

        return chunk.Slice([.. blockShape.Select(n => Ix.S(0, n))]).Copy();
    }

    private static NDArray<T>? Load(string file, int[] chunkShape, ZarrCodec? codec)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        NDArray<T> chunk = NDArray<T>.Zeros(chunkShape);
        Zarr.Decode(codec, File.ReadAllBytes(file), MemoryMarshal.AsBytes(chunk.AsSpan()), file);
        return chunk;
    }

    // Writes the block at `offset` within the chunk file. A block that covers the chunk's valid
    // part (`validShape`: the chunk clipped to the array) replaces it; a smaller one is merged into
    // the chunk's current values (or the fill value where the file is missing). Edge chunks are
    // stored at the full chunk shape. `after` is an earlier write to the same chunk, which this one
    // must follow; its value is not used.
    private static NDArray<long> WriteChunk(NDArray<T> block, string file, int[] chunkShape, int[] validShape, int[] offset, string? codec, double fill, NDArray<long>? after)
    {
        _ = after;
        ZarrCodec? c = ZarrCodec.Parse(codec);
        bool covers = offset.All(o => o == 0) && block.ShapeArray.AsSpan().SequenceEqual(validShape);
        NDArray<T> full;
        if (covers && block.ShapeArray.AsSpan().SequenceEqual(chunkShape))
        {
            full = block.Contiguous();
        }
        else
        {
            T fillValue = Kernels.ElementOps<T>.Instance.FromDouble(fill);
            full = (covers ? null : Load(file, chunkShape, c)) ?? NDArray<T>.Full(fillValue, chunkShape);
            full.Slice([.. offset.Select((o, a) => Ix.S(o, o + block.ShapeArray[a]))]).Assign(block);
        }

        byte[] bytes = Zarr.Encode(c, Unsafe.SizeOf<T>(), MemoryMarshal.AsBytes(full.AsSpan()));
        Zarr.AtomicWrite(file, bytes);
        return NDArray<long>.Full(bytes.Length, [1]);
    }
}
