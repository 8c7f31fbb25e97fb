using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Tessera.Bags.Internal;

/// <summary>The tasks of text and JSON-lines input and text output.</summary>
internal static class TextKernels
{
    private static readonly ConcurrentDictionary<int, JsonSerializerOptions> s_jsonOptions = new();

    /// <summary>Whether lines can be found by looking for byte 10 (so files can be split into blocks).</summary>
    public static bool IsByteOriented(Encoding encoding) => encoding.CodePage is 65001 or 20127 or 28591;

    public static Encoding GetEncoding(string name) => name switch
    {
        "utf-8" => Encoding.UTF8,
        "us-ascii" => Encoding.ASCII,
        "iso-8859-1" => Encoding.Latin1,
        _ => Encoding.GetEncoding(name),
    };

    /// <summary>Opens one block of a file: the stream positioned at its start.</summary>
    public static Stream Open(string path, long start, string compression)
    {
        Stream stream = Compression.OpenRead(path, compression);
        if (start > 0)
        {
            stream.Seek(start, SeekOrigin.Begin);
        }

        return stream;
    }

    /// <summary>The lines of one block of a file (lazily: the file is opened when enumeration starts).</summary>
    public static IEnumerable<string> ReadLines(string path, long start, long end, string compression, string encodingName)
    {
        Encoding encoding = GetEncoding(encodingName);
        if (!IsByteOriented(encoding))
        {
            using var reader = new StreamReader(Compression.OpenRead(path, compression), encoding, detectEncodingFromByteOrderMarks: true);
            while (reader.ReadLine() is { } text)
            {
                yield return text;
            }

            yield break;
        }

        using var lines = new LineReader(Open(path, start, compression), start, end, skipBom: encoding.CodePage == 65001);
        while (lines.TryRead(out ReadOnlySpan<byte> line))
        {
            yield return encoding.GetString(line);
        }
    }

    public static JsonSerializerOptions JsonOptions(int defaults) =>
        s_jsonOptions.GetOrAdd(defaults, static d =>
        {
            var options = new JsonSerializerOptions((JsonSerializerDefaults)d);
            options.MakeReadOnly(populateMissingResolver: true);
            return options;
        });

    /// <summary>The records of one block of a JSON-lines file; a malformed line throws <see cref="MalformedLineException"/>.</summary>
    public static IEnumerable<T> ReadJson<T>(string path, long start, long end, string compression, int jsonDefaults)
    {
        JsonSerializerOptions options = JsonOptions(jsonDefaults);
        FlatJson<T>? flat = FlatJson<T>.Get(jsonDefaults);
        using var lines = new LineReader(Open(path, start, compression), start, end, skipBom: true);
        while (true)
        {
            T? record;
            try
            {
                if (!lines.TryRead(out ReadOnlySpan<byte> line))
                {
                    break;
                }

                if (IsBlank(line))
                {
                    continue;
                }

                record = flat is not null ? flat.Read(line) : JsonSerializer.Deserialize<T>(line, options);
            }
            catch (JsonException e)
            {
                throw Malformed(path, start, compression, lines, e);
            }

            yield return record!;
        }
    }

    /// <summary>The records of one block of a JSON-lines file, skipping malformed lines, and how many were skipped.</summary>
    public static (T[], long) ReadJsonSkipping<T>(string path, long start, long end, string compression, int jsonDefaults)
    {
        JsonSerializerOptions options = JsonOptions(jsonDefaults);
        FlatJson<T>? flat = FlatJson<T>.Get(jsonDefaults);
        using var lines = new LineReader(Open(path, start, compression), start, end, skipBom: true);
        var records = new List<T>();
        long skipped = 0;
        while (lines.TryRead(out ReadOnlySpan<byte> line))
        {
            if (IsBlank(line))
            {
                continue;
            }

            try
            {
                records.Add((flat is not null ? flat.Read(line) : JsonSerializer.Deserialize<T>(line, options))!);
            }
            catch (JsonException)
            {
                skipped++;
            }
        }

        return ([.. records], skipped);
    }

    public static T[] Records<T>((T[], long) read) => read.Item1;

    public static long Skipped<T>((T[], long) read) => read.Item2;

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    private static MalformedLineException Malformed(string path, long start, string compression, LineReader lines, JsonException e)
    {
        long line = lines.LinesRead;
        if (start > 0 && lines.LinesRead > 0)
        {
            // Blocks do not know how many lines come before them; count them now, on the error path only.
            line += CountNewlines(path, compression, lines.FirstLineStart);
        }

        string where = e.BytePositionInLine is long col ? $", byte {col + 1} of the line" : string.Empty;
        return new MalformedLineException(
            path,
            line,
            $"ReadJsonLines: malformed JSON in '{path}' at line {line}{where}: {e.Message} Fix the file, or read it with ReadJsonLines(path, out skippedLines) to skip bad lines.",
            e);
    }

    private static long CountNewlines(string path, string compression, long upTo)
    {
        using Stream s = Compression.OpenRead(path, compression);
        byte[] buffer = new byte[1 << 16];
        long count = 0;
        long remaining = upTo;
        while (remaining > 0)
        {
            int n = s.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n == 0)
            {
                break;
            }

            count += buffer.AsSpan(0, n).Count((byte)'\n');
            remaining -= n;
        }

        return count;
    }

    /// <summary>Writes one partition's lines to a file (through a temporary name, renamed when complete).</summary>
    public static string WriteLines(string path, string compression, string encodingName, IEnumerable<string> lines)
    {
        Encoding encoding = GetEncoding(encodingName);
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        string temp = Path.Combine(dir ?? ".", "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (Stream file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            using (Stream encoded = Compression.OpenWrite(file, compression))
            using (var writer = new StreamWriter(encoded, encoding.CodePage == 65001 ? new UTF8Encoding(false) : encoding, bufferSize: 1 << 16))
            {
                foreach (string line in lines)
                {
                    writer.Write(line);
                    writer.Write('\n');
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return path;
    }
}
