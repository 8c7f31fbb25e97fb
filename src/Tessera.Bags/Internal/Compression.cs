using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;

namespace Tessera.Bags.Internal;

/// <summary>The compression codecs of text input and output, chosen by name or by file extension.</summary>
internal static class Compression
{
    public const string None = "none";
    public const string Gzip = "gzip";
    public const string Bz2 = "bz2";
    public const string Zstd = "zstd";

    /// <summary>The codec a file's extension implies: <c>.gz</c>, <c>.bz2</c>, <c>.zst</c>/<c>.zstd</c>, or none.</summary>
    public static string Infer(string path)
    {
        string ext = Path.GetExtension(path);
        return ext.ToUpperInvariant() switch
        {
            ".GZ" => Gzip,
            ".BZ2" => Bz2,
            ".ZST" or ".ZSTD" => Zstd,
            _ => None,
        };
    }

    /// <summary>Resolves a compression argument (<c>infer</c>, a codec name, or null for none) for one file.</summary>
    public static string Resolve(string? compression, string path, string operation)
    {
        string c = (compression ?? None).Trim().ToUpperInvariant();
        return c switch
        {
            "INFER" => Infer(path),
            "" or "NONE" => None,
            "GZIP" or "GZ" => Gzip,
            "BZ2" or "BZIP2" => Bz2,
            "ZSTD" or "ZST" or "ZSTANDARD" => Zstd,
            _ => throw new ArgumentException(
                $"{operation}: compression '{compression}' is not supported; use \"infer\" (by extension), \"gzip\", \"bz2\", \"zstd\" or null.",
                nameof(compression)),
        };
    }

    /// <summary>Opens a file for reading through its codec.</summary>
    public static Stream OpenRead(string path, string compression)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            return compression switch
            {
                None => file,
                Gzip => new GZipStream(file, CompressionMode.Decompress, leaveOpen: false),
                Bz2 => new BZip2InputStream(file) { IsStreamOwner = true },
                Zstd => new ZstdSharp.DecompressionStream(file, leaveOpen: false),
                _ => throw new ArgumentException($"Unknown compression '{compression}'.", nameof(compression)),
            };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a stream for writing through a codec; disposing the result disposes <paramref name="inner"/>.</summary>
    public static Stream OpenWrite(Stream inner, string compression) => compression switch
    {
        None => inner,
        Gzip => new GZipStream(inner, CompressionLevel.Fastest, leaveOpen: false),
        Bz2 => new BZip2OutputStream(inner) { IsStreamOwner = true },
        Zstd => new ZstdSharp.CompressionStream(inner, level: 3, leaveOpen: false),
        _ => throw new ArgumentException($"Unknown compression '{compression}'.", nameof(compression)),
    };
}
