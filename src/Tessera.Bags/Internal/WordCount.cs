using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Tessera.Graphs;

namespace Tessera.Bags.Internal;

/// <summary>
/// The fused kernel of <c>ReadText(…).Str.Split().Flatten().Frequencies()</c>: counts the words of a
/// block of a text file straight from its bytes, creating a string only for each distinct word. Gives
/// exactly what the unfused chain gives (words as <c>String.Split(null, RemoveEmptyEntries)</c> finds
/// them): lines of ASCII are split on ASCII white space in place; any other line is decoded and split
/// as a string.
/// </summary>
internal static class WordCount
{
    public static readonly TaskFunction CountWordsFn =
        TaskFunction.Create<string, long, long, string, string, Dictionary<string, long>>(CountWords, "frequencies");

    private static readonly SearchValues<byte> s_asciiWhiteSpace = SearchValues.Create("\t\n\v\f\r "u8);

    public static Node PartitionNode(TextPipeline text, int partition) => Node.Call(
        CountWordsFn,
        Node.Literal(text.Paths[partition]),
        Node.Literal(text.Starts[partition]),
        Node.Literal(text.Ends[partition]),
        Node.Literal(text.Compressions[partition]),
        Node.Literal(text.Encoding));

    public static Dictionary<string, long> CountWords(string path, long start, long end, string compression, string encodingName)
    {
        Encoding encoding = TextKernels.GetEncoding(encodingName);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> chars = stackalloc char[256];
        using var lines = new LineReader(TextKernels.Open(path, start, compression), start, end, skipBom: encoding.CodePage == 65001);
        while (lines.TryRead(out ReadOnlySpan<byte> line))
        {
            if (line.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            {
                foreach (string word in encoding.GetString(line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
                }

                continue;
            }

            while (true)
            {
                int begin = line.IndexOfAnyExcept(s_asciiWhiteSpace);
                if (begin < 0)
                {
                    break;
                }

                line = line[begin..];
                int length = line.IndexOfAny(s_asciiWhiteSpace);
                if (length < 0)
                {
                    length = line.Length;
                }

                ReadOnlySpan<byte> word = line[..length];
                Span<char> text = word.Length <= chars.Length ? chars[..word.Length] : new char[word.Length];
                Ascii.ToUtf16(word, text, out _);
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, text, out _);
                count++;
                line = line[length..];
            }
        }

        return counts;
    }
}
