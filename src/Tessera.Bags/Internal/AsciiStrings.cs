using System.Buffers.Binary;
using System.Text;

namespace Tessera.Bags.Internal;

/// <summary>
/// A small per-thread cache of short ASCII strings by their bytes: JSON-lines records repeat the same
/// names, cities and categories on every line, and reusing one string for equal bytes saves an
/// allocation and a transcoding per value (the cache holds at most <see cref="Slots"/> strings per thread).
/// </summary>
internal static class AsciiStrings
{
    /// <summary>The longest value looked up; longer ones are rarely repeated.</summary>
    public const int MaxLength = 32;

    private const int Slots = 4096;

    [ThreadStatic]
    private static string?[]? t_slots;

    /// <summary>The string of <paramref name="utf8"/> when it is ASCII and at most <see cref="MaxLength"/> bytes long; otherwise null.</summary>
    public static string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return null;
        }

        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        string?[] slots = t_slots ??= new string?[Slots];
        ref string? slot = ref slots[Slot(utf8)];
        if (slot is { } cached && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        if (!Ascii.IsValid(utf8))
        {
            return null;
        }

        return slot = Encoding.ASCII.GetString(utf8);
    }

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        // The length and up to the first and last 8 bytes, mixed by a multiply: cheap, and enough to spread names.
        ulong head;
        ulong tail;
        if (utf8.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]);
        }
        else
        {
            head = 0;
            for (int i = 0; i < utf8.Length; i++)
            {
                head = (head << 8) | utf8[i];
            }

            tail = 0;
        }

        ulong h = unchecked(((head * 0x9E3779B97F4A7C15UL) ^ (tail + (ulong)utf8.Length)) * 0xBF58476D1CE4E5B9UL);
        return (int)(h >> 52);
    }
}
