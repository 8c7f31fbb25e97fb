using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tessera.Graphs;

namespace Tessera.Bags.Internal;

/// <summary>
/// A hash of a value's content that is the same in every process (unlike <see cref="object.GetHashCode"/>,
/// which .NET randomizes per process for strings): a shuffle that puts items in partitions by it puts equal
/// keys in one partition even when different worker processes split the input.
/// </summary>
/// <remarks>
/// Equal values (by their default equality) get equal hashes for strings (ordinal), numbers (<c>0.0</c> and
/// <c>-0.0</c>, and all NaNs, hash alike), <c>char</c>, <c>bool</c>, enums, <c>Guid</c>, dates and times,
/// tuples of these, and records and structs of plain data (through <see cref="Tokenizer"/>). Other types
/// have no content hash and are refused.
/// </remarks>
internal static class StableHash
{
    public static uint Of<T>(T value) => (uint)Mix(Hash64(value));

    private static ulong Hash64(object? value) => value switch
    {
        null => 0x9E3779B97F4A7C15UL,
        string s => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(s.AsSpan())),
        int i => (ulong)i,
        long l => (ulong)l,
        uint u => u,
        ulong u => u,
        short s => (ulong)s,
        ushort u => u,
        byte b => b,
        sbyte b => (ulong)b,
        char c => c,
        bool b => b ? 1UL : 2UL,
        double d => d == 0 ? 0UL : double.IsNaN(d) ? 0x7FF8000000000000UL : (ulong)BitConverter.DoubleToInt64Bits(d),
        float f => f == 0 ? 0UL : float.IsNaN(f) ? 0x7FF8000000000000UL : (ulong)BitConverter.DoubleToInt64Bits(f),
        decimal m => Hash64((double)m),
        Guid g => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<Guid>(in g))),
        DateTime t => (ulong)t.Ticks,
        DateTimeOffset t => (ulong)t.UtcTicks,
        DateOnly d => (ulong)d.DayNumber,
        TimeOnly t => (ulong)t.Ticks,
        TimeSpan t => (ulong)t.Ticks,
        Enum e => (ulong)Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        ITuple t => Combine(t),
        _ => ByToken(value),
    };

    private static ulong Combine(ITuple tuple)
    {
        ulong h = (ulong)tuple.Length;
        for (int i = 0; i < tuple.Length; i++)
        {
            h = (h * 0x100000001B3UL) ^ Mix(Hash64(tuple[i]));
        }

        return h;
    }

    private static ulong ByToken(object value)
    {
        if (!Tokenizer.TryTokenize(out string token, value))
        {
            throw new NotSupportedException(
                $"GroupBy: keys of type {value.GetType()} have no stable content hash (a class with identity semantics?); " +
                "use a string, a number, a tuple or a record of plain data as the key.");
        }

        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(token.AsSpan()));
    }

    private static ulong Mix(ulong x)
    {
        // SplitMix64's finalizer: every input bit affects the low bits used for bucketing.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }
}
