using System.Buffers.Binary;
using System.Collections;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Graphs;

/// <summary>A type that supplies its own deterministic token state (Dask's <c>__dask_tokenize__</c>).</summary>
public interface ITokenizable
{
    /// <summary>Writes the values that identify this object's content.</summary>
    /// <param name="writer">The writer to append to.</param>
    void WriteToken(TokenWriter writer);
}

/// <summary>
/// Deterministic content hashes of values and functions (Dask's <c>tokenize</c>): equal content gives
/// the same 32-character hexadecimal token in every process and run of the same build.
/// docs/tokenize.md lists what is hashed for each kind of value and what falls back to a unique token.
/// </summary>
public static class Tokenizer
{
    [ThreadStatic]
    private static TokenWriter? t_writer;

    /// <summary>Computes the token of a sequence of values.</summary>
    /// <param name="values">The values.</param>
    /// <returns>A 32-character lower-case hexadecimal token; unique (random) if any value has no deterministic content.</returns>
    public static string Tokenize(params ReadOnlySpan<object?> values)
    {
        TryTokenize(out string token, values);
        return token;
    }

    /// <summary>Computes the token of a sequence of values and tells whether it is deterministic.</summary>
    /// <param name="token">The token; random when the result is <see langword="false"/>.</param>
    /// <param name="values">The values.</param>
    /// <returns><see langword="true"/> when every value had deterministic content.</returns>
    public static bool TryTokenize(out string token, params ReadOnlySpan<object?> values)
    {
        TokenWriter writer = t_writer ??= new TokenWriter();
        if (writer.InUse)
        {
            writer = new TokenWriter();
        }

        writer.Begin();
        try
        {
            foreach (object? v in values)
            {
                writer.Append(v);
            }

            token = writer.Finish(out bool deterministic);
            return deterministic;
        }
        finally
        {
            writer.End();
        }
    }

    /// <summary>Creates a token that is unique to this call (no content is hashed).</summary>
    /// <returns>A 32-character lower-case hexadecimal token.</returns>
    public static string UniqueToken() => UniqueIds.Next();
}

/// <summary>Accumulates the content of values for a token. Obtained through <see cref="ITokenizable.WriteToken"/>.</summary>
public sealed class TokenWriter
{
    private const int MaxDepth = 64;
    private static readonly ConcurrentDictionary<Type, TypeShape> s_shapes = new();
    private byte[] _buffer = new byte[256];
    private int _length;
    private int _depth;
    private bool _deterministic;

    internal TokenWriter()
    {
    }

    internal bool InUse { get; private set; }

    /// <summary>Appends a value: its type and content as far as they can be read deterministically.</summary>
    /// <param name="value">The value.</param>
    public void Append(object? value)
    {
        if (++_depth > MaxDepth)
        {
            // Too deep to be plain data (or a cycle): give up on determinism.
            _deterministic = false;
            _depth--;
            return;
        }

        try
        {
            AppendCore(value);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>Appends raw bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    public void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        AppendInt64(bytes.Length);
        Write(bytes);
    }

    /// <summary>Appends a string.</summary>
    /// <param name="value">The string.</param>
    public void AppendString(string? value)
    {
        if (value is null)
        {
            Tag(0);
            return;
        }

        Tag(1);
        AppendBytes(MemoryMarshal.AsBytes(value.AsSpan()));
    }

    /// <summary>Appends a 64-bit integer.</summary>
    /// <param name="value">The integer.</param>
    public void AppendInt64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        Write(b);
    }

    internal void Begin()
    {
        InUse = true;
        _length = 0;
        _depth = 0;
        _deterministic = true;
    }

    internal void End() => InUse = false;

    internal string Finish(out bool deterministic)
    {
        deterministic = _deterministic;
        if (!deterministic)
        {
            return UniqueIds.Next();
        }

        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(_buffer.AsSpan(0, _length), hash);
        return Convert.ToHexStringLower(hash);
    }

    private void AppendCore(object? value)
    {
        switch (value)
        {
            case null:
                Tag(0);
                return;
            case string s:
                AppendString(s);
                return;
            case int i:
                Tag(2);
                AppendInt64(i);
                return;
            case long l:
                Tag(3);
                AppendInt64(l);
                return;
            case double d:
                Tag(4);
                AppendInt64(BitConverter.DoubleToInt64Bits(d));
                return;
            case bool b:
                Tag(5);
                Tag(b ? (byte)1 : (byte)0);
                return;
            case Key k:
                Tag(6);
                AppendString(k.Name);
                AppendInt64(k.Rank);
                for (int r = 0; r < k.Rank; r++)
                {
                    AppendInt64(k[r]);
                }

                return;
            case Delegate del:
                AppendDelegate(del);
                return;
            case ITokenizable t:
                Tag(7);
                AppendType(t.GetType());
                t.WriteToken(this);
                return;
            case Type type:
                Tag(8);
                AppendType(type);
                return;
            case Delayed delayed:
                Tag(9);
                AppendCore(delayed.Key);
                return;
        }

        Type valueType = value.GetType();
        if (valueType.IsEnum)
        {
            Tag(10);
            AppendType(valueType);
            AppendInt64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (valueType.IsPrimitive || value is decimal or DateTime or DateTimeOffset or TimeSpan or Guid or DateOnly or TimeOnly or Half or Int128 or UInt128)
        {
            Tag(11);
            AppendType(valueType);
            AppendPrimitiveBits(value);
            return;
        }

        if (value is Array array)
        {
            AppendArray(array);
            return;
        }

        TypeShape shape = s_shapes.GetOrAdd(valueType, static t => TypeShape.Of(t));
        switch (shape.Kind)
        {
            case ShapeKind.Dictionary:
                AppendUnordered(Entries((IDictionary)value), valueType, entry: true);
                return;
            case ShapeKind.Set:
                AppendUnordered(((IEnumerable)value).Cast<object?>(), valueType, entry: false);
                return;
            case ShapeKind.Sequence:
                Tag(12);
                AppendType(valueType);
                long n = 0;
                foreach (object? item in (IEnumerable)value)
                {
                    Append(item);
                    n++;
                }

                AppendInt64(n);
                return;
            case ShapeKind.Fields:
                Tag(13);
                AppendType(valueType);
                foreach (FieldInfo f in shape.Fields)
                {
                    Append(f.GetValue(value));
                }

                return;
            case ShapeKind.KeyValuePair:
                Tag(14);
                Append(shape.Fields[0].GetValue(value));
                Append(shape.Fields[1].GetValue(value));
                return;
            default:
                _deterministic = false;
                return;
        }
    }

    private static IEnumerable<object?> Entries(IDictionary dictionary)
    {
        IDictionaryEnumerator e = dictionary.GetEnumerator();
        while (e.MoveNext())
        {
            yield return new KeyValuePair<object?, object?>(e.Key, e.Value);
        }
    }

    private void AppendPrimitiveBits(object value)
    {
        switch (value)
        {
            case decimal m:
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(m, bits);
                Write(MemoryMarshal.AsBytes(bits));
                return;
            case DateTime dt:
                AppendInt64(dt.ToBinary());
                return;
            case DateTimeOffset dto:
                AppendInt64(dto.UtcTicks);
                AppendInt64(dto.Offset.Ticks);
                return;
            case Guid g:
                Span<byte> gb = stackalloc byte[16];
                g.TryWriteBytes(gb);
                Write(gb);
                return;
            default:
                // Remaining primitives (char, float, small integers, Half, Int128, …): their round-trippable invariant text.
                AppendString(value is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : value.ToString());
                return;
        }
    }

    private void AppendArray(Array array)
    {
        Tag(15);
        Type elementType = array.GetType().GetElementType()!;
        AppendType(elementType);
        AppendInt64(array.Rank);
        for (int d = 0; d < array.Rank; d++)
        {
            AppendInt64(array.GetLength(d));
        }

        if (elementType.IsPrimitive)
        {
            // The raw bytes of a primitive array, whatever its rank.
            ref byte start = ref MemoryMarshal.GetArrayDataReference(array);
            long bytes = (long)array.Length * Marshal.SizeOf(elementType);
            long offset = 0;
            while (offset < bytes)
            {
                int chunk = (int)Math.Min(bytes - offset, int.MaxValue / 2);
                Write(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref start, (nint)offset), chunk));
                offset += chunk;
            }

            return;
        }

        foreach (object? item in array)
        {
            Append(item);
        }
    }

    private void AppendUnordered(IEnumerable<object?> items, Type type, bool entry)
    {
        // Hash every item on its own, sort the hashes, and append them: insertion order does not matter.
        var hashes = new List<UInt128>();
        foreach (object? item in items)
        {
            var sub = new TokenWriter();
            sub.Begin();
            sub._depth = _depth;
            sub.Append(item);
            if (!sub._deterministic)
            {
                _deterministic = false;
                return;
            }

            hashes.Add(XxHash128.HashToUInt128(sub._buffer.AsSpan(0, sub._length)));
        }

        hashes.Sort();
        Tag(entry ? (byte)16 : (byte)17);
        AppendType(type);
        AppendInt64(hashes.Count);
        foreach (UInt128 h in hashes)
        {
            AppendInt64((long)(ulong)h);
            AppendInt64((long)(ulong)(h >> 64));
        }
    }

    private void AppendDelegate(Delegate del)
    {
        Tag(18);
        if (del.HasSingleTarget is false)
        {
            foreach (Delegate d in del.GetInvocationList())
            {
                AppendDelegate(d);
            }

            return;
        }

        MethodInfo method = del.Method;
        if (method.DeclaringType is null || method is System.Reflection.Emit.DynamicMethod || method.Module.Assembly.IsDynamic)
        {
            _deterministic = false;
            return;
        }

        AppendString(method.Module.Assembly.FullName);
        AppendString(method.Module.ModuleVersionId.ToString());
        AppendInt64(method.MetadataToken);
        AppendType(method.DeclaringType);
        if (method.IsGenericMethod)
        {
            foreach (Type t in method.GetGenericArguments())
            {
                AppendType(t);
            }
        }

        object? target = del.Target;
        if (target is null)
        {
            Tag(0);
            return;
        }

        Type targetType = target.GetType();
        if (targetType.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            // A closure: its captured variables are its content.
            Tag(19);
            foreach (FieldInfo f in TypeShape.InstanceFields(targetType))
            {
                Append(f.GetValue(target));
            }

            return;
        }

        Append(target);
    }

    private void AppendType(Type type) => AppendString(type.AssemblyQualifiedName ?? type.FullName ?? type.Name);

    private void Tag(byte tag) => Write([tag]);

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private enum ShapeKind
    {
        Opaque,
        Sequence,
        Dictionary,
        Set,
        Fields,
        KeyValuePair,
    }

    private sealed class TypeShape(ShapeKind kind, FieldInfo[] fields)
    {
        public ShapeKind Kind { get; } = kind;

        public FieldInfo[] Fields { get; } = fields;

        public static TypeShape Of(Type t)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
            {
                return new(ShapeKind.KeyValuePair, [t.GetField("key", BindingFlags.Instance | BindingFlags.NonPublic)!, t.GetField("value", BindingFlags.Instance | BindingFlags.NonPublic)!]);
            }

            if (typeof(IDictionary).IsAssignableFrom(t))
            {
                return new(ShapeKind.Dictionary, []);
            }

            if (t.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(ISet<>) || i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>))))
            {
                return new(ShapeKind.Set, []);
            }

            if (typeof(ITuple).IsAssignableFrom(t) || IsRecord(t) || (t.IsValueType && !typeof(IEnumerable).IsAssignableFrom(t)))
            {
                return new(ShapeKind.Fields, InstanceFields(t));
            }

            if (typeof(IEnumerable).IsAssignableFrom(t) && IsFrameworkCollection(t))
            {
                return new(ShapeKind.Sequence, []);
            }

            return new(ShapeKind.Opaque, []);
        }

        public static FieldInfo[] InstanceFields(Type t)
        {
            var fields = new List<FieldInfo>();
            for (Type? c = t; c is not null && c != typeof(object) && c != typeof(ValueType); c = c.BaseType)
            {
                fields.AddRange(c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
            }

            return [.. fields.OrderBy(f => f.DeclaringType!.FullName, StringComparer.Ordinal).ThenBy(f => f.MetadataToken)];
        }

        // Records carry a compiler-generated EqualityContract; their identity is their content.
        private static bool IsRecord(Type t) =>
            t.GetProperty("EqualityContract", BindingFlags.Instance | BindingFlags.NonPublic)?.GetMethod?.IsDefined(typeof(CompilerGeneratedAttribute)) == true;

        // Collections whose content is their identity: the BCL's lists, queues, immutable collections, …
        private static bool IsFrameworkCollection(Type t) =>
            t.Namespace is { } ns && (ns.StartsWith("System.Collections", StringComparison.Ordinal) || ns == "System.Linq");
    }
}

/// <summary>Process-unique identifiers: a random 64-bit process prefix plus a counter.</summary>
internal static class UniqueIds
{
    private static readonly ulong s_process = (ulong)Random.Shared.NextInt64();
    private static long s_counter;

    public static string Next()
    {
        ulong n = (ulong)Interlocked.Increment(ref s_counter);
        return string.Create(32, n, static (span, counter) =>
        {
            s_process.TryFormat(span, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            counter.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>
    /// Creates a unique key <c>('prefix-pppppppppppp', n)</c>: the prefix with this process's 48-bit
    /// random id as the name (one string per prefix, cached), and a process-wide counter as the block
    /// index. No string is allocated per key, and keys hash and compare fast.
    /// </summary>
    public static Key NextKey(string prefix)
    {
        string name = s_names.GetOrAdd(prefix, static p => p + "-" + (s_process & 0xFFFF_FFFF_FFFF).ToString("x12", System.Globalization.CultureInfo.InvariantCulture));
        long n = Interlocked.Increment(ref s_counter);
        return n <= int.MaxValue ? new Key(name, (int)n) : new Key(name, (int)(n & int.MaxValue), (int)(n >> 31));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> s_names = new(StringComparer.Ordinal);
}
