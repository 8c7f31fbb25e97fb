using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nerdbank.MessagePack;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// The state of reading one message: its out-of-band buffers, the types and objects read so far, and
/// the <see cref="CodeSession"/> that decides which user assemblies are trusted. Create one per
/// message with <see cref="TesseraSerializer.CreateDecodeContext"/>.
/// </summary>
public sealed class DecodeContext
{
    private const int MaxDepth = 256;

    private readonly List<Type?> _types = [];
    private readonly List<object?> _objects = [];
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _buffers;
    private readonly long _maxElements;
    private readonly long _maxBytes;
    private int _depth;

    internal DecodeContext(TesseraSerializer serializer, ReadOnlyMemory<byte> header, IReadOnlyList<ReadOnlyMemory<byte>> buffers, CodeSession? session)
    {
        Serializer = serializer;
        Session = session;
        _buffers = buffers;
        _maxElements = header.Length;
        _maxBytes = header.Length;
        foreach (ReadOnlyMemory<byte> b in buffers)
        {
            _maxBytes += b.Length;
        }
    }

    /// <summary>Gets the session whose trusted and uploaded assemblies types may come from; null for framework and Tessera types only.</summary>
    public CodeSession? Session { get; }

    internal TesseraSerializer Serializer { get; }

    internal List<TaskFunction> Functions { get; } = [];

    /// <summary>Gets or sets where the payloads of functions referred to by hash come from (a graph's function table as shipped to this worker); null when none were shipped.</summary>
    internal Func<UInt128, byte[]?>? ShippedFunctions { get; set; }

    internal static void Expect([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Malformed message: expected {what}.");
        }
    }

    /// <summary>Like <see cref="Expect(bool, string)"/>, but formats the description only when the check fails.</summary>
    internal static void Expect([DoesNotReturnIf(false)] bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref ExpectationHandler what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Malformed message: expected {what.ToStringAndClear()}.");
        }
    }

    internal void CheckCount(long count)
    {
        if (count < 0 || count > _maxElements)
        {
            throw new InvalidDataException($"Malformed message: a collection claims {count} items, more than the message can hold.");
        }
    }

    internal void CheckLength(long count, int elementSize)
    {
        if (count < 0 || count * elementSize > _maxBytes)
        {
            throw new InvalidDataException($"Malformed message: an array claims {count} items of {elementSize} bytes, more than the message holds.");
        }
    }

    internal int Register(object value)
    {
        _objects.Add(value);
        return _objects.Count - 1;
    }

    internal T ReadValue<T>(ref MessagePackReader reader)
    {
        object? value = ReadValue(ref reader);
        if (value is T t)
        {
            return t;
        }

        if (value is null && default(T) is null)
        {
            return default!;
        }

        throw new InvalidDataException($"Malformed message: expected a value of type {TypeNames.Display(typeof(T))} but read {(value is null ? "null" : TypeNames.Display(value.GetType()))}.");
    }

    internal object? ReadValue(ref MessagePackReader reader)
    {
        byte code = reader.NextCode;
        if (code <= 0x7f || code >= 0xe0)
        {
            return reader.ReadInt32();
        }

        if (code is (>= 0xa0 and <= 0xbf) or (>= 0xd9 and <= 0xdb))
        {
            return reader.ReadString();
        }

        switch (code)
        {
            case 0xc0:
                reader.ReadNil();
                return null;
            case 0xc2:
            case 0xc3:
                return reader.ReadBoolean();
            case 0xca:
                return reader.ReadSingle();
            case 0xcb:
                return reader.ReadDouble();
            case >= 0xcc and <= 0xd3:
                return reader.ReadInt32();
            case >= 0xc4 and <= 0xc6:
                return reader.ReadBytes()!.Value.ToArray();
            case (>= 0x90 and <= 0x9f) or 0xdc or 0xdd:
                if (++_depth > MaxDepth)
                {
                    throw new InvalidDataException($"Malformed message: values nest deeper than {MaxDepth} levels.");
                }

                try
                {
                    return ReadTagged(ref reader);
                }
                finally
                {
                    _depth--;
                }

            default:
                throw new InvalidDataException($"Malformed message: unexpected MessagePack code 0x{code:x2} where a value was expected.");
        }
    }

    internal Type ReadType(ref MessagePackReader reader)
    {
        if (reader.NextCode is <= 0x7f or (>= 0xcc and <= 0xd3))
        {
            int id = reader.ReadInt32();
            Expect((uint)id < (uint)_types.Count && _types[id] is not null, $"a known type reference, not {id}");
            return _types[id]!;
        }

        int n = reader.ReadArrayHeader();
        Expect(n >= 2, "a type reference");
        int kind = reader.ReadInt32();
        int index = _types.Count;
        _types.Add(null);
        Type type;
        switch (kind)
        {
            case WireTags.TypeNamed:
                Expect(n == 4, "a named type [0, assembly, name, mvid]");
                string assembly = reader.ReadString() ?? throw new InvalidDataException("Malformed message: a type has no assembly name.");
                string fullName = reader.ReadString() ?? throw new InvalidDataException("Malformed message: a type has no name.");
                Guid? mvid = null;
                if (!reader.TryReadNil())
                {
                    ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
                    Expect(bytes.Length == 16, "a 16-byte MVID");
                    Span<byte> g = stackalloc byte[16];
                    bytes.CopyTo(g);
                    mvid = new Guid(g);
                }

                type = ResolveNamed(assembly, fullName, mvid);
                break;
            case WireTags.TypeSzArray:
                Expect(n == 2, "an array type [1, element]");
                type = CheckArrayElement(ReadType(ref reader)).MakeArrayType();
                break;
            case WireTags.TypeMdArray:
                Expect(n == 3, "an array type [2, rank, element]");
                int rank = reader.ReadInt32();
                Expect(rank is >= 1 and <= 32, "an array rank from 1 to 32");
                type = CheckArrayElement(ReadType(ref reader)).MakeArrayType(rank);
                break;
            case WireTags.TypeGeneric:
                Type definition = ReadType(ref reader);
                var args = new Type[n - 2];
                for (int i = 0; i < args.Length; i++)
                {
                    args[i] = ReadType(ref reader);
                }

                Expect(definition.IsGenericTypeDefinition && definition.GetGenericArguments().Length == args.Length, $"{args.Length} type arguments for {definition}");
                try
                {
                    type = definition.MakeGenericType(args);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"Malformed message: {definition} cannot be instantiated with these type arguments: {e.Message}", e);
                }

                break;
            default:
                throw new InvalidDataException($"Malformed message: unknown type reference kind {kind}.");
        }

        _types[index] = type;
        return type;
    }

    internal void ReadBulk(ref MessagePackReader reader, Span<byte> destination)
    {
        if (reader.NextCode is >= 0xc4 and <= 0xc6)
        {
            ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
            Expect(bytes.Length == destination.Length, $"a block of {destination.Length} bytes, not {bytes.Length}");
            bytes.CopyTo(destination);
            return;
        }

        ReadOnlySpan<byte> buffer = ReadBuffer(ref reader).Span;
        Expect(buffer.Length == destination.Length, $"a buffer of {destination.Length} bytes, not {buffer.Length}");
        buffer.CopyTo(destination);
    }

    /// <summary>Reads an out-of-band buffer index (or an in-band bin) and returns the bytes, without a copy.</summary>
    internal ReadOnlyMemory<byte> ReadBuffer(ref MessagePackReader reader)
    {
        if (reader.NextCode is >= 0xc4 and <= 0xc6)
        {
            return reader.ReadBytes()!.Value.ToArray();
        }

        int index = reader.ReadInt32();
        Expect((uint)index < (uint)_buffers.Count, $"an out-of-band buffer index below {_buffers.Count}, not {index}");
        return _buffers[index];
    }

    internal Key ReadKey(ref MessagePackReader reader) => ReadKey(ref reader, _maxElements);

    /// <summary>
    /// Reads a key written by <see cref="TesseraSerializer.WriteKey"/>: its name, or <c>[name, index…]</c>;
    /// an index longer than <paramref name="maxRank"/> is malformed. Control messages read keys with it too.
    /// </summary>
    internal static Key ReadKey(ref MessagePackReader reader, long maxRank)
    {
        if (reader.NextCode is (>= 0x90 and <= 0x9f) or 0xdc or 0xdd)
        {
            int n = reader.ReadArrayHeader();
            Expect(n >= 1, "a key [name, index…]");
            Expect(n - 1 <= maxRank, "a key index no longer than the message");
            return ReadKeyBody(ref reader, n - 1);
        }

        return new Key(reader.ReadString() ?? throw new InvalidDataException("Malformed message: a key is null."));
    }

    /// <summary>Checks that a type may be created from the wire as <paramref name="kind"/>.</summary>
    internal static TypeShape CheckCreatable(Type type, ShapeKind kind)
    {
        TypeShape shape = TypeShape.Get(type);
        if (shape.Kind is ShapeKind.Refused or ShapeKind.Abstract)
        {
            throw Disallowed(type, shape.Reason ?? "it cannot be created");
        }

        if (TypeAllowList.GetOrigin(type.Assembly) == AssemblyOrigin.Framework && !TypeAllowList.IsAllowedFrameworkType(type))
        {
            throw Disallowed(type, "it is a framework type outside the allow-list");
        }

        Expect(shape.Kind == kind, $"a {kind} type, but {TypeNames.Display(type)} is a {shape.Kind}");
        return shape;
    }

    private static DisallowedTypeException Disallowed(Type type, string reason) =>
        new(type.FullName ?? type.Name, type.Assembly.GetName().Name ?? string.Empty,
            $"Type '{TypeNames.Display(type)}' may not be created from the wire: {reason}.");

    private static Key ReadKeyBody(ref MessagePackReader reader, int rank)
    {
        string name = reader.ReadString() ?? throw new InvalidDataException("Malformed message: a key has no name.");
        switch (rank)
        {
            case 0:
                return new Key(name);
            case 1:
                return new Key(name, reader.ReadInt32());
            case 2:
                int i = reader.ReadInt32();
                return new Key(name, i, reader.ReadInt32());
            default:
                Span<int> index = rank <= 16 ? stackalloc int[rank] : new int[rank];
                for (int k = 0; k < rank; k++)
                {
                    index[k] = reader.ReadInt32();
                }

                return new Key(name, index);
        }
    }

    private static Type CheckArrayElement(Type element)
    {
        Expect(!element.IsByRef && !element.IsPointer && !element.IsByRefLike && element != typeof(void), "an array element type");
        return element;
    }

    private Type ResolveNamed(string assemblyName, string fullName, Guid? mvid)
    {
        Assembly assembly = (Session is null ? CodeSession.ResolveDefault(assemblyName) : Session.ResolveAssembly(assemblyName))
            ?? throw new FunctionSerializationException(
                "fn",
                $"type '{fullName}' needs assembly '{assemblyName}', which this worker does not have; upload the client's user code (AssemblyCatalog) before sending values or functions that use it.");

        if (TypeAllowList.GetOrigin(assembly) == AssemblyOrigin.User)
        {
            if (Session is null || !Session.Trusts(assembly))
            {
                throw new DisallowedTypeException(
                    fullName,
                    assemblyName,
                    $"Type '{fullName}' from assembly '{assemblyName}' may not be created from the wire: the assembly is not part of the framework or Tessera, and this session neither received it as user code nor trusts it; upload it (AssemblyCatalog) or call CodeSession.Trust.");
            }

            Guid local = assembly.ManifestModule.ModuleVersionId;
            if (mvid is { } remote && remote != local)
            {
                throw new FunctionSerializationException(
                    "fn",
                    $"worker has a different build of '{assemblyName}' (MVID {local} != {remote}); re-upload user code.");
            }
        }

        return assembly.GetType(fullName, throwOnError: false)
            ?? throw new FunctionSerializationException("fn", $"type '{fullName}' was not found in '{assemblyName}' on the worker; client and worker must run the same build.");
    }

    private object? ReadTagged(ref MessagePackReader reader)
    {
        int n = reader.ReadArrayHeader();
        Expect(n >= 2, "a tagged value [tag, …]");
        int tag = reader.ReadInt32();
        switch (tag)
        {
            case < WireTags.Key:
                return ReadScalar(ref reader, tag, n);
            case WireTags.Key:
                return ReadKeyBody(ref reader, n - 2);
            case WireTags.Enum:
            {
                Expect(n == 3, "an enum [tag, type, value]");
                Type type = ReadType(ref reader);
                CheckCreatable(type, ShapeKind.Enum);
                Type underlying = Enum.GetUnderlyingType(type);
                return underlying == typeof(ulong) || underlying == typeof(nuint)
                    ? Enum.ToObject(type, reader.ReadUInt64())
                    : Enum.ToObject(type, reader.ReadInt64());
            }

            case WireTags.BulkArray:
                Expect(n == 4, "a bulk array [tag, element, dims, block]");
                return ReadBulkArray(ref reader);
            case WireTags.Array:
                return ReadArray(ref reader, n - 2);
            case WireTags.Object:
                return ReadObject(ref reader, n - 2);
            case WireTags.BackRef:
            {
                Expect(n == 2, "a back-reference [tag, id]");
                int id = reader.ReadInt32();
                Expect((uint)id < (uint)_objects.Count, $"a known object id, not {id}");
                return _objects[id];
            }

            case WireTags.Collection:
            {
                Type type = ReadType(ref reader);
                TypeShape shape = CheckCreatable(type, ShapeKind.Collection);
                return shape.Codec!.Read(ref reader, this, n - 2);
            }

            case WireTags.Exception:
                Expect(n == 5, "an exception [tag, type, message, stack, inner]");
                return ReadExceptionBody(ref reader);
            case WireTags.Delegate:
                Expect(n == 9, "a delegate [tag, type, declaring, token, name, parameters, generic arguments, target, registered]");
                return ReadDelegate(ref reader);
            case WireTags.Custom:
            {
                Expect(n == 3, "a custom value [tag, type, payload]");
                Type type = ReadType(ref reader);
                if (!Serializer.Registry.TryGet(type, out SerializerRegistry.Entry? entry) && !Serializer.Registry.TryGetAfterModuleInit(type, out entry))
                {
                    throw new DisallowedTypeException(
                        type.FullName ?? type.Name,
                        type.Assembly.GetName().Name ?? string.Empty,
                        $"Type '{TypeNames.Display(type)}' was written by a registered serializer, but none is registered here; call SerializerRegistry.Register<{type.Name}> on this side too.");
                }

                return entry.Read(ref reader);
            }

            default:
                throw new InvalidDataException($"Malformed message: unknown value tag {tag}.");
        }
    }

    private static object ReadScalar(ref MessagePackReader reader, int tag, int n)
    {
        int expected = tag is WireTags.DateTime or WireTags.DateTimeOffset or WireTags.Int128 or WireTags.UInt128 ? 3 : 2;
        Expect(n == expected, $"{expected} elements for scalar tag {tag}");
        switch (tag)
        {
            case WireTags.Int64:
                return reader.ReadInt64();
            case WireTags.UInt32:
                return reader.ReadUInt32();
            case WireTags.UInt64:
                return reader.ReadUInt64();
            case WireTags.Int16:
                return reader.ReadInt16();
            case WireTags.UInt16:
                return reader.ReadUInt16();
            case WireTags.Byte:
                return reader.ReadByte();
            case WireTags.SByte:
                return reader.ReadSByte();
            case WireTags.Char:
                return (char)reader.ReadUInt16();
            case WireTags.Decimal:
            {
                ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
                Expect(bytes.Length == 16, "a 16-byte decimal");
                Span<int> bits = stackalloc int[4];
                bytes.CopyTo(MemoryMarshal.AsBytes(bits));
                try
                {
                    return new decimal(bits);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException("Malformed message: invalid decimal bits.", e);
                }
            }

            case WireTags.DateTime:
            {
                long ticks = reader.ReadInt64();
                int kind = reader.ReadInt32();
                Expect(kind is >= 0 and <= 2 && ticks is >= 0 and <= 3155378975999999999, "a valid DateTime");
                return new DateTime(ticks, (DateTimeKind)kind);
            }

            case WireTags.TimeSpan:
                return new TimeSpan(reader.ReadInt64());
            case WireTags.Guid:
            {
                ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
                Expect(bytes.Length == 16, "a 16-byte Guid");
                Span<byte> g = stackalloc byte[16];
                bytes.CopyTo(g);
                return new Guid(g);
            }

            case WireTags.DateTimeOffset:
            {
                long ticks = reader.ReadInt64();
                int minutes = reader.ReadInt32();
                try
                {
                    return new DateTimeOffset(ticks, TimeSpan.FromMinutes(minutes));
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException("Malformed message: invalid DateTimeOffset.", e);
                }
            }

            case WireTags.DateOnly:
            {
                int day = reader.ReadInt32();
                Expect(day is >= 0 and <= 3652058, "a valid DateOnly");
                return DateOnly.FromDayNumber(day);
            }

            case WireTags.TimeOnly:
            {
                long ticks = reader.ReadInt64();
                Expect(ticks is >= 0 and < TimeSpan.TicksPerDay, "a valid TimeOnly");
                return new TimeOnly(ticks);
            }

            case WireTags.Half:
                return BitConverter.UInt16BitsToHalf(reader.ReadUInt16());
            case WireTags.Int128:
            {
                ulong upper = reader.ReadUInt64();
                return new Int128(upper, reader.ReadUInt64());
            }

            case WireTags.UInt128:
            {
                ulong upper = reader.ReadUInt64();
                return new UInt128(upper, reader.ReadUInt64());
            }

            case WireTags.IntPtr:
                return (nint)reader.ReadInt64();
            case WireTags.UIntPtr:
                return (nuint)reader.ReadUInt64();
            default:
                throw new InvalidDataException($"Malformed message: unknown scalar tag {tag}.");
        }
    }

    private Array ReadBulkArray(ref MessagePackReader reader)
    {
        Type element = ReadType(ref reader);
        TypeShape elementShape = TypeShape.Get(element);
        Expect(elementShape.IsBulk, $"an element type copied as bytes, not {TypeNames.Display(element)}");
        if (elementShape.Kind != ShapeKind.Scalar)
        {
            CheckCreatable(element, elementShape.Kind);
        }

        Array array;
        long count;
        if (reader.NextCode is (>= 0x90 and <= 0x9f) or 0xdc or 0xdd)
        {
            int rank = reader.ReadArrayHeader();
            Expect(rank is >= 1 and <= 32, "an array rank from 1 to 32");
            var lengths = new int[rank];
            count = 1;
            for (int d = 0; d < rank; d++)
            {
                lengths[d] = reader.ReadInt32();
                count *= lengths[d];
                CheckLength(count, elementShape.BulkSize);
            }

            array = Array.CreateInstance(element, lengths);
        }
        else
        {
            count = reader.ReadInt32();
            CheckLength(count, elementShape.BulkSize);
            array = Array.CreateInstance(element, (int)count);
        }

        Register(array);
        Span<byte> bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked((int)(count * elementShape.BulkSize)));
        ReadBulk(ref reader, bytes);
        return array;
    }

    private Array ReadArray(ref MessagePackReader reader, int count)
    {
        Type element = ReadType(ref reader);
        CheckCount(count);
        TypeShape elementShape = TypeShape.Get(element);
        if (elementShape.Kind is ShapeKind.Refused)
        {
            throw Disallowed(element, elementShape.Reason ?? "it cannot be created");
        }

        if (TypeAllowList.GetOrigin(element.Assembly) == AssemblyOrigin.Framework && !TypeAllowList.IsAllowedFrameworkType(element)
            && !element.IsInterface && !element.IsAbstract)
        {
            throw Disallowed(element, "it is a framework type outside the allow-list");
        }

        Array array = Array.CreateInstance(element, count);
        Register(array);
        if (array is object?[] references)
        {
            for (int i = 0; i < count; i++)
            {
                object? item = ReadValue(ref reader);
                Expect(item is null || element.IsInstanceOfType(item), $"an item of type {TypeNames.Display(element)}");
                references[i] = item;
            }

            return array;
        }

        for (int i = 0; i < count; i++)
        {
            object? item = ReadValue(ref reader);
            Expect(item is null ? !element.IsValueType || Nullable.GetUnderlyingType(element) is not null : element.IsInstanceOfType(item), $"an item of type {TypeNames.Display(element)}");
            array.SetValue(item, i);
        }

        return array;
    }

    private object ReadObject(ref MessagePackReader reader, int count)
    {
        Type type = ReadType(ref reader);
        TypeShape shape = CheckCreatable(type, ShapeKind.Object);
        FieldInfo[] fields = shape.Fields;
        Expect(count == fields.Length, $"{fields.Length} fields for {TypeNames.Display(type)} (client and worker must run the same build), not {count}");
        object value = RuntimeHelpers.GetUninitializedObject(type);
        if (!type.IsValueType)
        {
            Register(value);
        }

        for (int i = 0; i < fields.Length; i++)
        {
            FieldInfo field = fields[i];
            object? fieldValue = ReadValue(ref reader);
            if (fieldValue is null
                ? field.FieldType.IsValueType && Nullable.GetUnderlyingType(field.FieldType) is null
                : !field.FieldType.IsInstanceOfType(fieldValue))
            {
                throw new InvalidDataException(
                    $"Malformed message: field '{shape.FieldNames[i]}' of {TypeNames.Display(type)} is {TypeNames.Display(field.FieldType)}, but the message holds {(fieldValue is null ? "null" : TypeNames.Display(fieldValue.GetType()))}.");
            }

            field.SetValue(value, fieldValue);
        }

        return value;
    }

    private RemoteException ReadExceptionBody(ref MessagePackReader reader)
    {
        string typeName = reader.ReadString() ?? typeof(Exception).FullName!;
        string message = reader.ReadString() ?? string.Empty;
        string? stack = reader.ReadString();
        int inner = reader.ReadArrayHeader();
        CheckCount(inner);
        var inners = new RemoteException[inner];
        for (int i = 0; i < inner; i++)
        {
            int n = reader.ReadArrayHeader();
            Expect(n == 5 && reader.ReadInt32() == WireTags.Exception, "an inner exception");
            if (++_depth > MaxDepth)
            {
                throw new InvalidDataException($"Malformed message: inner exceptions nest deeper than {MaxDepth} levels.");
            }

            inners[i] = ReadExceptionBody(ref reader);
            _depth--;
        }

        return new RemoteException(string.IsNullOrEmpty(typeName) ? typeof(Exception).FullName! : typeName, message, stack, inners);
    }

    private Delegate ReadDelegate(ref MessagePackReader reader)
    {
        Type delegateType = ReadType(ref reader);
        CheckCreatable(delegateType, ShapeKind.Delegate);
        Type declaring = ReadType(ref reader);
        int token = reader.ReadInt32();
        string name = reader.ReadString() ?? throw new InvalidDataException("Malformed message: a delegate's method has no name.");
        Type[]? parameters = null;
        if (!reader.TryReadNil())
        {
            int count = reader.ReadArrayHeader();
            CheckCount(count);
            parameters = new Type[count];
            for (int i = 0; i < count; i++)
            {
                parameters[i] = ReadType(ref reader);
            }
        }

        Type[]? genericArguments = null;
        if (!reader.TryReadNil())
        {
            int count = reader.ReadArrayHeader();
            CheckCount(count);
            genericArguments = new Type[count];
            for (int i = 0; i < count; i++)
            {
                genericArguments[i] = ReadType(ref reader);
            }
        }

        object? target = ReadValue(ref reader);
        bool registered = reader.ReadBoolean();
        MethodInfo method = MethodResolver.Resolve(declaring, token, name, parameters, genericArguments);
        Delegate function;
        try
        {
            function = method.IsStatic && target is null
                ? Delegate.CreateDelegate(delegateType, method)
                : Delegate.CreateDelegate(delegateType, target, method);
        }
        catch (ArgumentException e)
        {
            throw new FunctionSerializationException(
                "fn",
                $"method {TypeNames.Display(declaring)}.{name} cannot be bound to {TypeNames.Display(delegateType)} on the worker: {e.Message}");
        }

        if (registered)
        {
            Register(function);
        }

        return function;
    }
}

/// <summary>Formats an expectation's description only when the expectation fails.</summary>
[InterpolatedStringHandler]
internal ref struct ExpectationHandler
{
    private DefaultInterpolatedStringHandler _inner;

    public ExpectationHandler(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public string ToStringAndClear() => _inner.ToStringAndClear();
}
