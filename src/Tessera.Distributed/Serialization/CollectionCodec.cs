using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nerdbank.MessagePack;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// Writes and reads one closed collection type: <c>[Collection, type, …]</c>. Collections of types
/// copied as raw bytes (numbers, unmanaged structs) travel as one bulk block.
/// </summary>
internal abstract class CollectionCodec
{
    private static readonly Dictionary<Type, Type> s_codecs = new()
    {
        [typeof(List<>)] = typeof(ListCodec<>),
        [typeof(HashSet<>)] = typeof(HashSetCodec<>),
        [typeof(Dictionary<,>)] = typeof(DictionaryCodec<,>),
        [typeof(ImmutableArray<>)] = typeof(ImmutableArrayCodec<>),
        [typeof(ImmutableList<>)] = typeof(ImmutableListCodec<>),
        [typeof(ImmutableHashSet<>)] = typeof(ImmutableHashSetCodec<>),
        [typeof(ImmutableDictionary<,>)] = typeof(ImmutableDictionaryCodec<,>),
    };

    /// <summary>Gets a value indicating whether instances take part in back-references (mutable reference types).</summary>
    public abstract bool IsTracked { get; }

    public static CollectionCodec? TryCreate(Type type)
    {
        if (!type.IsConstructedGenericType || !s_codecs.TryGetValue(type.GetGenericTypeDefinition(), out Type? codec))
        {
            return null;
        }

        return (CollectionCodec)Activator.CreateInstance(codec.MakeGenericType(type.GetGenericArguments()))!;
    }

    /// <summary>Writes the whole array, tag and type included.</summary>
    public abstract void Write(ref MessagePackWriter writer, object value, EncodeContext context);

    /// <summary>Reads what follows the tag and the type; <paramref name="remaining"/> is the number of array elements left.</summary>
    public abstract object Read(ref MessagePackReader reader, DecodeContext context, int remaining);

    protected static int ComparerCode<T>(IEqualityComparer<T> comparer)
    {
        if (ReferenceEquals(comparer, EqualityComparer<T>.Default))
        {
            return 0;
        }

        if (comparer is StringComparer s)
        {
            if (s.Equals(StringComparer.Ordinal))
            {
                return 1;
            }

            if (s.Equals(StringComparer.OrdinalIgnoreCase))
            {
                return 2;
            }

            if (s.Equals(StringComparer.InvariantCulture))
            {
                return 3;
            }

            if (s.Equals(StringComparer.InvariantCultureIgnoreCase))
            {
                return 4;
            }
        }

        return -1;
    }

    protected static IEqualityComparer<T>? ComparerFromCode<T>(int code) => code switch
    {
        0 => null,
        1 => (IEqualityComparer<T>)StringComparer.Ordinal,
        2 => (IEqualityComparer<T>)StringComparer.OrdinalIgnoreCase,
        3 => (IEqualityComparer<T>)StringComparer.InvariantCulture,
        4 => (IEqualityComparer<T>)StringComparer.InvariantCultureIgnoreCase,
        _ => throw new InvalidDataException($"Unknown comparer code {code} in a collection."),
    };

    protected static int CheckedComparer<T>(IEqualityComparer<T> comparer, object collection, EncodeContext context)
    {
        int code = ComparerCode(comparer);
        if (code < 0 || (code > 0 && typeof(T) != typeof(string)))
        {
            context.Refuse(collection, $"its comparer ({TypeNames.Display(comparer.GetType())}) cannot travel", "Use the default comparer or a StringComparer (Ordinal, OrdinalIgnoreCase, InvariantCulture).");
        }

        return code;
    }

    protected static Span<byte> Bytes<T>(Span<T> span) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(span)), span.Length * Unsafe.SizeOf<T>());

    protected static void WriteItems<T>(ref MessagePackWriter writer, ReadOnlySpan<T> items, EncodeContext context)
    {
        for (int i = 0; i < items.Length; i++)
        {
            context.PushIndex(i);
            context.WriteValue(ref writer, items[i]);
            context.Pop();
        }
    }

    protected static void WriteItems<T>(ref MessagePackWriter writer, IEnumerable<T> items, EncodeContext context)
    {
        int i = 0;
        foreach (T item in items)
        {
            context.PushIndex(i++);
            context.WriteValue(ref writer, item);
            context.Pop();
        }
    }

    /// <summary>Writes <c>[Collection, type, count, bulk]</c> for items copied as raw bytes.</summary>
    protected static void WriteBulk<T>(ref MessagePackWriter writer, Type type, ReadOnlySpan<T> items, T[]? owner, EncodeContext context)
    {
        writer.WriteArrayHeader(4);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, type);
        writer.Write(items.Length);
        Span<T> span = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(items), items.Length);
        context.WriteBulk(ref writer, Bytes(span), owner);
    }

    protected static T[] ReadBulk<T>(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        DecodeContext.Expect(remaining == 2, "a bulk collection has a count and a block");
        int count = reader.ReadInt32();
        context.CheckLength(count, Unsafe.SizeOf<T>());
        T[] items = GC.AllocateUninitializedArray<T>(count);
        context.ReadBulk(ref reader, Bytes(items.AsSpan()));
        return items;
    }

    protected static bool IsBulk<T>() => TypeShape.Get(typeof(T)).IsBulk;
}

internal sealed class ListCodec<T> : CollectionCodec
{
    private static readonly bool s_bulk = IsBulk<T>();

    public override bool IsTracked => true;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var list = (List<T>)value;
        if (s_bulk)
        {
            WriteBulk<T>(ref writer, typeof(List<T>), CollectionsMarshal.AsSpan(list), null, context);
            return;
        }

        writer.WriteArrayHeader(2 + list.Count);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(List<T>));
        WriteItems<T>(ref writer, CollectionsMarshal.AsSpan(list), context);
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        if (s_bulk)
        {
            var bulk = new List<T>();
            context.Register(bulk);
            T[] items = ReadBulk<T>(ref reader, context, remaining);
            CollectionsMarshal.SetCount(bulk, items.Length);
            items.CopyTo(CollectionsMarshal.AsSpan(bulk));
            return bulk;
        }

        context.CheckCount(remaining);
        var list = new List<T>(remaining);
        context.Register(list);
        for (int i = 0; i < remaining; i++)
        {
            list.Add(context.ReadValue<T>(ref reader));
        }

        return list;
    }
}

internal sealed class HashSetCodec<T> : CollectionCodec
{
    public override bool IsTracked => true;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var set = (HashSet<T>)value;
        int comparer = CheckedComparer(set.Comparer, set, context);
        writer.WriteArrayHeader(3 + set.Count);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(HashSet<T>));
        writer.Write(comparer);
        WriteItems(ref writer, set, context);
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        DecodeContext.Expect(remaining >= 1, "a set has a comparer");
        IEqualityComparer<T>? comparer = ComparerFromCode<T>(reader.ReadInt32());
        remaining--;
        context.CheckCount(remaining);
        var set = new HashSet<T>(remaining, comparer);
        context.Register(set);
        for (int i = 0; i < remaining; i++)
        {
            set.Add(context.ReadValue<T>(ref reader));
        }

        return set;
    }
}

internal sealed class DictionaryCodec<TKey, TValue> : CollectionCodec
    where TKey : notnull
{
    public override bool IsTracked => true;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var dict = (Dictionary<TKey, TValue>)value;
        int comparer = CheckedComparer(dict.Comparer, dict, context);
        writer.WriteArrayHeader(3 + (2 * dict.Count));
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(Dictionary<TKey, TValue>));
        writer.Write(comparer);
        int i = 0;
        foreach (KeyValuePair<TKey, TValue> kv in dict)
        {
            context.PushIndex(i++);
            context.WriteValue(ref writer, kv.Key);
            context.WriteValue(ref writer, kv.Value);
            context.Pop();
        }
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        DecodeContext.Expect(remaining >= 1 && (remaining - 1) % 2 == 0, "a dictionary has a comparer and key/value pairs");
        IEqualityComparer<TKey>? comparer = ComparerFromCode<TKey>(reader.ReadInt32());
        int count = (remaining - 1) / 2;
        context.CheckCount(count);
        var dict = new Dictionary<TKey, TValue>(count, comparer);
        context.Register(dict);
        for (int i = 0; i < count; i++)
        {
            TKey key = context.ReadValue<TKey>(ref reader) ?? throw new InvalidDataException("A dictionary key is null.");
            dict[key] = context.ReadValue<TValue>(ref reader);
        }

        return dict;
    }
}

internal sealed class ImmutableArrayCodec<T> : CollectionCodec
{
    private static readonly bool s_bulk = IsBulk<T>();

    public override bool IsTracked => false;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var array = (ImmutableArray<T>)value;
        T[] items = ImmutableCollectionsMarshal.AsArray(array) ?? [];
        if (s_bulk)
        {
            WriteBulk<T>(ref writer, typeof(ImmutableArray<T>), items, items, context);
            return;
        }

        writer.WriteArrayHeader(2 + items.Length);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(ImmutableArray<T>));
        WriteItems<T>(ref writer, items, context);
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        if (s_bulk)
        {
            return ImmutableCollectionsMarshal.AsImmutableArray(ReadBulk<T>(ref reader, context, remaining));
        }

        context.CheckCount(remaining);
        var items = new T[remaining];
        for (int i = 0; i < remaining; i++)
        {
            items[i] = context.ReadValue<T>(ref reader);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }
}

internal sealed class ImmutableListCodec<T> : CollectionCodec
{
    public override bool IsTracked => false;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var list = (ImmutableList<T>)value;
        writer.WriteArrayHeader(2 + list.Count);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(ImmutableList<T>));
        WriteItems(ref writer, list, context);
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        context.CheckCount(remaining);
        ImmutableList<T>.Builder builder = ImmutableList.CreateBuilder<T>();
        for (int i = 0; i < remaining; i++)
        {
            builder.Add(context.ReadValue<T>(ref reader));
        }

        return builder.ToImmutable();
    }
}

internal sealed class ImmutableHashSetCodec<T> : CollectionCodec
{
    public override bool IsTracked => false;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var set = (ImmutableHashSet<T>)value;
        int comparer = CheckedComparer(set.KeyComparer, set, context);
        writer.WriteArrayHeader(3 + set.Count);
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(ImmutableHashSet<T>));
        writer.Write(comparer);
        WriteItems(ref writer, set, context);
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        DecodeContext.Expect(remaining >= 1, "a set has a comparer");
        IEqualityComparer<T>? comparer = ComparerFromCode<T>(reader.ReadInt32());
        remaining--;
        context.CheckCount(remaining);
        ImmutableHashSet<T>.Builder builder = ImmutableHashSet.CreateBuilder(comparer);
        for (int i = 0; i < remaining; i++)
        {
            builder.Add(context.ReadValue<T>(ref reader));
        }

        return builder.ToImmutable();
    }
}

internal sealed class ImmutableDictionaryCodec<TKey, TValue> : CollectionCodec
    where TKey : notnull
{
    public override bool IsTracked => false;

    public override void Write(ref MessagePackWriter writer, object value, EncodeContext context)
    {
        var dict = (ImmutableDictionary<TKey, TValue>)value;
        int comparer = CheckedComparer(dict.KeyComparer, dict, context);
        if (!ReferenceEquals(dict.ValueComparer, EqualityComparer<TValue>.Default))
        {
            context.Refuse(dict, "its value comparer cannot travel", "Use the default value comparer.");
        }

        writer.WriteArrayHeader(3 + (2 * dict.Count));
        writer.Write(WireTags.Collection);
        context.WriteType(ref writer, typeof(ImmutableDictionary<TKey, TValue>));
        writer.Write(comparer);
        int i = 0;
        foreach (KeyValuePair<TKey, TValue> kv in dict)
        {
            context.PushIndex(i++);
            context.WriteValue(ref writer, kv.Key);
            context.WriteValue(ref writer, kv.Value);
            context.Pop();
        }
    }

    public override object Read(ref MessagePackReader reader, DecodeContext context, int remaining)
    {
        DecodeContext.Expect(remaining >= 1 && (remaining - 1) % 2 == 0, "a dictionary has a comparer and key/value pairs");
        IEqualityComparer<TKey>? comparer = ComparerFromCode<TKey>(reader.ReadInt32());
        int count = (remaining - 1) / 2;
        context.CheckCount(count);
        ImmutableDictionary<TKey, TValue>.Builder builder = ImmutableDictionary.CreateBuilder<TKey, TValue>(comparer);
        for (int i = 0; i < count; i++)
        {
            TKey key = context.ReadValue<TKey>(ref reader) ?? throw new InvalidDataException("A dictionary key is null.");
            builder[key] = context.ReadValue<TValue>(ref reader);
        }

        return builder.ToImmutable();
    }
}
