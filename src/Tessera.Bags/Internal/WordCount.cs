using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Tessera.Graphs;

namespace Tessera.Bags.Internal;

/// <summary>
/// The fused kernel of <c>ReadText(…).Str.Split().Flatten().Frequencies()</c>: counts the words of a
/// block of a text file straight from its bytes, in a hash table keyed by the words' UTF-8 bytes, and
/// creates a string only for each distinct word. Gives exactly what the unfused chain gives (words as
/// <c>String.Split(null, RemoveEmptyEntries)</c> finds them, in order of first occurrence): lines of
/// ASCII are split on ASCII white space in place; any other line is decoded and split as a string.
/// </summary>
internal static class WordCount
{
    public static readonly TaskFunction CountWordsFn =
        TaskFunction.Create<string, long, long, string, string, Dictionary<string, long>>(CountWords, "frequencies");

    // 1 for the ASCII white space of char.IsWhiteSpace: \t \n \v \f \r and space.
    private static ReadOnlySpan<byte> Space =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

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
        var table = new WordTable();
        using var lines = new LineReader(TextKernels.Open(path, start, compression), start, end, skipBom: encoding.CodePage == 65001);
        while (lines.TryRead(out ReadOnlySpan<byte> line))
        {
            if (line.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            {
                foreach (string word in encoding.GetString(line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    byte[] utf8 = Encoding.UTF8.GetBytes(word);
                    table.Add(utf8, 0, utf8.Length);
                }

                continue;
            }

            CountAsciiWords(line, table);
        }

        return table.ToDictionary();
    }

    /// <summary>
    /// Splits a line of ASCII on white space 64 bytes at a time: a bit mask of the white space bytes
    /// (two 32-byte vector compares), whose 0/1 transitions are the words' starts and ends.
    /// </summary>
    private static void CountAsciiWords(ReadOnlySpan<byte> line, WordTable table)
    {
        Span<byte> tail = stackalloc byte[64];
        int wordStart = -1;
        ulong previousSpace = 1;    // the line starts after white space
        for (int at = 0; at < line.Length; at += 64)
        {
            ulong spaces;
            int remaining = line.Length - at;
            if (remaining >= 64)
            {
                spaces = SpaceMask(line.Slice(at, 64));
            }
            else
            {
                // Pad the last chunk with spaces, so the final word ends inside it.
                tail.Fill((byte)' ');
                line[at..].CopyTo(tail);
                spaces = SpaceMask(tail);
            }

            ulong transitions = spaces ^ ((spaces << 1) | previousSpace);
            while (transitions != 0)
            {
                int bit = BitOperations.TrailingZeroCount(transitions);
                if ((spaces >> bit & 1) == 0)
                {
                    wordStart = at + bit;
                }
                else
                {
                    table.Add(line, wordStart, at + bit - wordStart);
                    wordStart = -1;
                }

                transitions &= transitions - 1;
            }

            previousSpace = spaces >> 63;
        }

        if (wordStart >= 0)
        {
            // The line's length is a multiple of 64 and it ends inside a word.
            table.Add(line, wordStart, line.Length - wordStart);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SpaceMask(ReadOnlySpan<byte> chunk)
    {
        ref byte b = ref MemoryMarshal.GetReference(chunk);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> lo = Vector256.LoadUnsafe(ref b);
            Vector256<byte> hi = Vector256.LoadUnsafe(ref b, 32);
            return IsSpace(lo).ExtractMostSignificantBits() | ((ulong)IsSpace(hi).ExtractMostSignificantBits() << 32);
        }

        ulong mask = 0;
        ReadOnlySpan<byte> space = Space;
        for (int i = 0; i < 64; i++)
        {
            mask |= (ulong)space[Unsafe.Add(ref b, i) & 0x7F] << i;
        }

        return mask;
    }

    // Space (32) or \t \n \v \f \r (9 to 13).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> IsSpace(Vector256<byte> v) =>
        Vector256.Equals(v, Vector256.Create((byte)' ')) | Vector256.LessThan(v - Vector256.Create((byte)9), Vector256.Create((byte)5));

    /// <summary>An open-addressing hash table from UTF-8 words to counts; entries keep their first-occurrence order.</summary>
    private sealed class WordTable
    {
        private int[] _slots = new int[1 << 14];        // entry index + 1, or 0 when empty
        private Entry[] _entries = new Entry[1 << 13];
        private byte[] _bytes = new byte[1 << 16];
        private int _count;
        private int _used;

        /// <summary>Counts the word <c>text[start..start+length]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ReadOnlySpan<byte> text, int start, int length)
        {
            // Up to 8 bytes: the word as one number (read in one load when the text has 8 bytes from start).
            ulong first8;
            if (length <= 8)
            {
                if (start + 8 <= text.Length)
                {
                    first8 = BinaryPrimitives.ReadUInt64LittleEndian(text[start..]) & (ulong.MaxValue >> ((8 - length) * 8));
                    if (length == 0)
                    {
                        first8 = 0;
                    }
                }
                else
                {
                    first8 = 0;
                    for (int k = 0; k < length; k++)
                    {
                        first8 |= (ulong)text[start + k] << (k * 8);
                    }
                }

                AddShort(first8, length);
                return;
            }

            AddLong(text.Slice(start, length));
        }

        private void AddShort(ulong first8, int length)
        {
            ulong hash = Mix(first8 ^ ((ulong)length << 59));
            int mask = _slots.Length - 1;
            int slot = (int)hash & mask;
            while (true)
            {
                int e = _slots[slot] - 1;
                if (e < 0)
                {
                    Span<byte> bytes = stackalloc byte[8];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, first8);
                    Insert(bytes[..length], hash, first8, slot);
                    return;
                }

                ref Entry entry = ref _entries[e];
                if (entry.First8 == first8 && entry.Length == length)
                {
                    entry.Count++;
                    return;
                }

                slot = (slot + 1) & mask;
            }
        }

        private void AddLong(ReadOnlySpan<byte> word)
        {
            ulong h = (ulong)word.Length << 59;
            int i = 0;
            for (; i + 8 <= word.Length; i += 8)
            {
                h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(word[i..]));
            }

            ulong tail = 0;
            for (int shift = 0; i < word.Length; i++, shift += 8)
            {
                tail |= (ulong)word[i] << shift;
            }

            ulong hash = Mix(h ^ tail);
            ulong first8 = BinaryPrimitives.ReadUInt64LittleEndian(word);
            int mask = _slots.Length - 1;
            int slot = (int)hash & mask;
            while (true)
            {
                int e = _slots[slot] - 1;
                if (e < 0)
                {
                    Insert(word, hash, first8, slot);
                    return;
                }

                ref Entry entry = ref _entries[e];
                if (entry.Hash == hash && entry.Length == word.Length && entry.First8 == first8 && word.SequenceEqual(_bytes.AsSpan(entry.Offset, entry.Length)))
                {
                    entry.Count++;
                    return;
                }

                slot = (slot + 1) & mask;
            }
        }

        public Dictionary<string, long> ToDictionary()
        {
            var result = new Dictionary<string, long>(_count, StringComparer.Ordinal);
            for (int i = 0; i < _count; i++)
            {
                ref Entry e = ref _entries[i];
                result.Add(Encoding.UTF8.GetString(_bytes, e.Offset, e.Length), e.Count);
            }

            return result;
        }

        private void Insert(ReadOnlySpan<byte> word, ulong hash, ulong first8, int slot)
        {
            if (_used + word.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + word.Length));
            }

            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            word.CopyTo(_bytes.AsSpan(_used));
            _entries[_count] = new Entry { Hash = hash, First8 = first8, Offset = _used, Length = word.Length, Count = 1 };
            _used += word.Length;
            _slots[slot] = ++_count;
            if (_count * 2 > _slots.Length)
            {
                Grow();
            }
        }

        private void Grow()
        {
            _slots = new int[_slots.Length * 2];
            int mask = _slots.Length - 1;
            for (int i = 0; i < _count; i++)
            {
                int slot = (int)_entries[i].Hash & mask;
                while (_slots[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }

                _slots[slot] = i + 1;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 33)) * 0xFF51AFD7ED558CCDUL;
            x = (x ^ (x >> 33)) * 0xC4CEB9FE1A85EC53UL;
            return x ^ (x >> 33);
        }

        private struct Entry
        {
            public ulong Hash;
            public ulong First8;
            public int Offset;
            public int Length;
            public long Count;
        }
    }
}
