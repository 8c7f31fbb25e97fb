using System.Buffers;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using System.Text;
using Nerdbank.MessagePack;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// The state of writing one message: its table of types already named, the objects already written
/// (for shared and cyclic references), the out-of-band buffers collected so far, and the user
/// assemblies the message needs. Create one per message with <see cref="TesseraSerializer.CreateEncodeContext"/>;
/// the matching <see cref="DecodeContext"/> must read the values in the same order.
/// </summary>
public sealed class EncodeContext
{
    private const int MaxDepth = 256;

    private readonly Dictionary<Type, int> _types = [];
    private readonly Dictionary<object, int> _objects = new(ReferenceEqualityComparer.Instance);

    // Closure objects written with only the fields their function uses, and those fields.
    private readonly Dictionary<object, IReadOnlySet<string>> _pruned = new(ReferenceEqualityComparer.Instance);
    private (object? Target, IReadOnlySet<string>? Used) _pruning;
    private readonly List<ReadOnlyMemory<byte>> _buffers = [];
    private readonly HashSet<Assembly> _userAssemblies = [];
    private readonly List<Segment> _path = [];
    private readonly string _root;
    private readonly bool _allowOutOfBand;
    private int _nextObject;
    private int _depth;
    private int _functionDepth;

    internal EncodeContext(TesseraSerializer serializer, bool allowOutOfBand, string root)
    {
        Serializer = serializer;
        _allowOutOfBand = allowOutOfBand;
        _root = root;
    }

    /// <summary>Gets the out-of-band buffers written so far, in the order the header refers to them.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers => _buffers;

    /// <summary>
    /// Gets the user assemblies (neither framework nor Tessera) that the values written so far refer
    /// to; <see cref="AssemblyCatalog"/> turns them into the assemblies a worker needs.
    /// </summary>
    public IReadOnlyCollection<Assembly> UserAssemblies => _userAssemblies;

    internal TesseraSerializer Serializer { get; }

    /// <summary>Gets or sets the graph entry being written, for error paths.</summary>
    internal Key Entry { get; set; }

    /// <summary>Gets or sets what measures the sizes of captured fields (only while a function payload is written).</summary>
    internal SizeProbe? Probe { get; set; }

    internal Dictionary<TaskFunction, int> FunctionIds { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Gets or sets the graph's function table: when set, functions go into it and the message refers to them by hash.</summary>
    internal FunctionTable? FunctionTable { get; set; }

    internal Dictionary<UInt128, int> FunctionHashes { get; } = [];

    internal void AddUserAssemblies(IEnumerable<Assembly> assemblies) => _userAssemblies.UnionWith(assemblies);

    /// <summary>
    /// Empties the context for another message (a serializer reuses one per thread for task specs and
    /// small values); false when it grew too large to be worth keeping (clearing costs its capacity).
    /// </summary>
    internal bool TryReset()
    {
        const int MaxKeptEntries = 256;
        if (_objects.Count + _types.Count + _pruned.Count + _buffers.Count + _path.Count + FunctionIds.Count > MaxKeptEntries)
        {
            return false;
        }

        _types.Clear();
        _objects.Clear();
        _pruned.Clear();
        _pruning = default;
        _buffers.Clear();
        _userAssemblies.Clear();
        _path.Clear();
        _nextObject = 0;
        _depth = 0;
        _functionDepth = 0;
        Entry = default;
        Probe = null;
        FunctionTable = null;
        FunctionIds.Clear();
        FunctionHashes.Clear();
        return true;
    }

    internal void WriteValue<T>(ref MessagePackWriter writer, T value) => WriteValue(ref writer, (object?)value);

    internal void WriteValue(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                return;
            case int i:
                writer.Write(i);
                return;
            case string s:
                writer.Write(s);
                return;
            case double d:
                writer.Write(d);
                return;
            case bool b:
                writer.Write(b);
                return;
            case long l:
                writer.WriteArrayHeader(2);
                writer.Write(WireTags.Int64);
                writer.Write(l);
                return;
        }

        if (value is ICompactData data)
        {
            // A view of a larger buffer travels as its own elements only.
            value = data.Compact();
        }

        Type type = value.GetType();
        if (Serializer.Registry.TryGet(type, out SerializerRegistry.Entry? custom))
        {
            writer.WriteArrayHeader(3);
            writer.Write(WireTags.Custom);
            WriteType(ref writer, type);
            custom.Write(ref writer, value);
            return;
        }

        TypeShape shape = TypeShape.Get(type);
        switch (shape.Kind)
        {
            case ShapeKind.Scalar:
                WriteScalar(ref writer, shape.ScalarTag, value);
                return;
            case ShapeKind.Key:
                WriteTaggedKey(ref writer, (Key)value);
                return;
            case ShapeKind.Enum:
                WriteEnum(ref writer, type, value);
                return;
            case ShapeKind.Exception:
                WriteException(ref writer, (Exception)value);
                return;
            case ShapeKind.Abstract:
            case ShapeKind.Refused:
                Refuse(value, shape.Reason ?? "it is not plain data", shape.Fix ?? string.Empty);
                return;
        }

        if (_objects.TryGetValue(value, out int id))
        {
            writer.WriteArrayHeader(2);
            writer.Write(WireTags.BackRef);
            writer.Write(id);
            return;
        }

        if (++_depth > MaxDepth)
        {
            Refuse(value, $"it nests deeper than {MaxDepth} levels (a cycle through a collection or struct?)", "Send a flatter value.");
        }

        try
        {
            switch (shape.Kind)
            {
                case ShapeKind.BulkArray:
                    Track(value);
                    WriteBulkArray(ref writer, (Array)value, shape);
                    break;
                case ShapeKind.Array:
                    Track(value);
                    WriteArray(ref writer, (Array)value, shape);
                    break;
                case ShapeKind.Collection:
                    if (shape.Codec!.IsTracked)
                    {
                        Track(value);
                    }

                    shape.Codec.Write(ref writer, value, this);
                    break;
                case ShapeKind.Object:
                    if (!type.IsValueType)
                    {
                        Track(value);
                    }

                    WriteObject(ref writer, value, shape);
                    break;
                case ShapeKind.Delegate:
                    WriteDelegate(ref writer, (Delegate)value);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected shape {shape.Kind} for {type}.");
            }
        }
        finally
        {
            _depth--;
        }
    }

    internal void WriteType(ref MessagePackWriter writer, Type type)
    {
        if (_types.TryGetValue(type, out int id))
        {
            writer.Write(id);
            return;
        }

        _types.Add(type, _types.Count);
        if (type.IsSZArray)
        {
            writer.WriteArrayHeader(2);
            writer.Write(WireTags.TypeSzArray);
            WriteType(ref writer, type.GetElementType()!);
        }
        else if (type.IsArray)
        {
            writer.WriteArrayHeader(3);
            writer.Write(WireTags.TypeMdArray);
            writer.Write(type.GetArrayRank());
            WriteType(ref writer, type.GetElementType()!);
        }
        else if (type.IsConstructedGenericType)
        {
            Type[] args = type.GetGenericArguments();
            writer.WriteArrayHeader(2 + args.Length);
            writer.Write(WireTags.TypeGeneric);
            WriteType(ref writer, type.GetGenericTypeDefinition());
            foreach (Type a in args)
            {
                WriteType(ref writer, a);
            }
        }
        else
        {
            if (type.FullName is null || type.IsGenericParameter)
            {
                throw new NotSupportedException($"Type {type} has no full name (a generic parameter?) and cannot be named on the wire.");
            }

            Assembly assembly = type.Assembly;
            writer.WriteArrayHeader(4);
            writer.Write(WireTags.TypeNamed);
            writer.Write(assembly.GetName().Name);
            writer.Write(type.FullName);
            if (TypeAllowList.GetOrigin(assembly) == AssemblyOrigin.User)
            {
                _userAssemblies.Add(assembly);
                Span<byte> mvid = stackalloc byte[16];
                assembly.ManifestModule.ModuleVersionId.TryWriteBytes(mvid);
                writer.Write(mvid);
            }
            else
            {
                writer.WriteNil();
            }
        }
    }

    /// <summary>Writes raw bytes: out of band (aliasing <paramref name="owner"/> when given) above the threshold, as a bin otherwise.</summary>
    internal void WriteBulk(ref MessagePackWriter writer, ReadOnlySpan<byte> bytes, Array? owner)
    {
        if (_allowOutOfBand && bytes.Length >= Serializer.Options.OutOfBandThreshold)
        {
            ReadOnlyMemory<byte> memory = owner switch
            {
                byte[] b => b,
                not null => new ArrayMemory(owner, bytes.Length).Memory,
                null => bytes.ToArray(),
            };
            writer.Write(_buffers.Count);
            _buffers.Add(memory);
            return;
        }

        writer.Write(bytes);
    }

    /// <summary>Writes a buffer that is always out of band (when the message allows it), such as an assembly's bytes.</summary>
    internal void WriteBuffer(ref MessagePackWriter writer, ReadOnlyMemory<byte> bytes)
    {
        if (_allowOutOfBand)
        {
            writer.Write(_buffers.Count);
            _buffers.Add(bytes);
        }
        else
        {
            writer.Write(bytes.Span);
        }
    }

    internal void PushIndex(int index) => _path.Add(new Segment(null, index, null));

    internal void PushField(string name, int index = -1, Type? thisType = null) => _path.Add(new Segment(name, index, thisType));

    internal void Pop() => _path.RemoveAt(_path.Count - 1);

    /// <summary>Refuses a value with a message that names where it is, why, and the fix.</summary>
    internal void Refuse(object value, string reason, string fix)
    {
        string path = RenderPath(_path.Count);
        string typeName = TypeNames.Display(value.GetType());
        if (_functionDepth == 0)
        {
            throw new ValueSerializationException(path, typeName, $"{path}: a value of type {typeName} cannot be serialized: {reason}. {fix}");
        }

        int thisAt = _path.FindIndex(s => s.ThisType is not null);
        if (thisAt >= 0)
        {
            string owner = TypeNames.Display(_path[thisAt].ThisType!);
            string prefix = $"{path}: the function captures 'this' ({owner}) because its body uses an instance member";
            string message = thisAt == _path.Count - 1
                ? $"{prefix}; {reason}. Copy the needed values into locals or make the lambda static."
                : $"{prefix}, and its member '{RenderRelative(thisAt + 1)}' of type {typeName} cannot be shipped: {reason}. Copy the needed values into locals or make the lambda static.";
            throw new FunctionSerializationException(path, message);
        }

        string what = _path.Count > 0 && _path[^1].Name is null ? "captured value" : "captured variable";
        throw new FunctionSerializationException(path, $"{path}: {what} of type {typeName} cannot be shipped: {reason}. {fix}");
    }

    internal string RenderPath(int count)
    {
        var sb = new StringBuilder(Entry.IsDefault ? _root : $"graph[{Entry}]");
        AppendSegments(sb, 0, count);
        return sb.ToString();
    }

    private string RenderRelative(int from)
    {
        var sb = new StringBuilder();
        AppendSegments(sb, from, _path.Count);
        return sb.Length > 0 && sb[0] == '.' ? sb.ToString(1, sb.Length - 1) : sb.ToString();
    }

    private void AppendSegments(StringBuilder sb, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            Segment s = _path[i];
            if (s.Name is not null)
            {
                sb.Append('.').Append(s.Name);
            }

            if (s.Index >= 0)
            {
                sb.Append('[').Append(s.Index).Append(']');
            }
        }
    }

    private void Track(object value) => _objects.Add(value, _nextObject++);

    private long Position(ref MessagePackWriter writer) => Probe is null ? 0 : Probe.Buffer.WrittenCount + writer.UnflushedBytes;

    private static void WriteScalar(ref MessagePackWriter writer, int tag, object value)
    {
        if (tag == WireTags.RawSingle)
        {
            writer.Write((float)value);
            return;
        }

        writer.WriteArrayHeader(tag switch
        {
            WireTags.DateTime or WireTags.DateTimeOffset or WireTags.Int128 or WireTags.UInt128 => 3,
            _ => 2,
        });
        writer.Write(tag);
        switch (value)
        {
            case uint v:
                writer.Write(v);
                break;
            case ulong v:
                writer.Write(v);
                break;
            case short v:
                writer.Write(v);
                break;
            case ushort v:
                writer.Write(v);
                break;
            case byte v:
                writer.Write(v);
                break;
            case sbyte v:
                writer.Write(v);
                break;
            case char v:
                writer.Write((ushort)v);
                break;
            case decimal v:
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(v, bits);
                writer.Write(MemoryMarshal.AsBytes(bits));
                break;
            case DateTime v:
                writer.Write(v.Ticks);
                writer.Write((int)v.Kind);
                break;
            case TimeSpan v:
                writer.Write(v.Ticks);
                break;
            case Guid v:
                Span<byte> g = stackalloc byte[16];
                v.TryWriteBytes(g);
                writer.Write(g);
                break;
            case DateTimeOffset v:
                writer.Write(v.Ticks);
                writer.Write((int)v.Offset.TotalMinutes);
                break;
            case DateOnly v:
                writer.Write(v.DayNumber);
                break;
            case TimeOnly v:
                writer.Write(v.Ticks);
                break;
            case Half v:
                writer.Write(BitConverter.HalfToUInt16Bits(v));
                break;
            case Int128 v:
                writer.Write((ulong)(v >> 64));
                writer.Write((ulong)v);
                break;
            case UInt128 v:
                writer.Write((ulong)(v >> 64));
                writer.Write((ulong)v);
                break;
            case nint v:
                writer.Write((long)v);
                break;
            case nuint v:
                writer.Write((ulong)v);
                break;
            default:
                throw new InvalidOperationException($"No scalar writer for {value.GetType()}.");
        }
    }

    private static void WriteTaggedKey(ref MessagePackWriter writer, Key key)
    {
        writer.WriteArrayHeader(2 + key.Rank);
        writer.Write(WireTags.Key);
        writer.Write(key.Name);
        for (int i = 0; i < key.Rank; i++)
        {
            writer.Write(key[i]);
        }
    }

    private void WriteEnum(ref MessagePackWriter writer, Type type, object value)
    {
        writer.WriteArrayHeader(3);
        writer.Write(WireTags.Enum);
        WriteType(ref writer, type);
        Type underlying = Enum.GetUnderlyingType(type);
        if (underlying == typeof(ulong) || underlying == typeof(nuint))
        {
            writer.Write(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            writer.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private void WriteBulkArray(ref MessagePackWriter writer, Array array, TypeShape shape)
    {
        long bytes = (long)array.Length * TypeShape.Get(shape.ElementType!).BulkSize;
        if (bytes > Array.MaxLength)
        {
            Refuse(array, $"it holds {bytes} bytes, more than one message frame can carry", "Split it into chunks (one task per chunk).");
        }

        writer.WriteArrayHeader(4);
        writer.Write(WireTags.BulkArray);
        WriteType(ref writer, shape.ElementType!);
        if (array.Rank == 1 && shape.Type.IsSZArray)
        {
            writer.Write(array.Length);
        }
        else
        {
            writer.WriteArrayHeader(array.Rank);
            for (int d = 0; d < array.Rank; d++)
            {
                if (array.GetLowerBound(d) != 0)
                {
                    Refuse(array, "it has a non-zero lower bound", "Use zero-based arrays.");
                }

                writer.Write(array.GetLength(d));
            }
        }

        ReadOnlySpan<byte> span = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), (int)bytes);
        WriteBulk(ref writer, span, array);
    }

    private void WriteArray(ref MessagePackWriter writer, Array array, TypeShape shape)
    {
        writer.WriteArrayHeader(2 + array.Length);
        writer.Write(WireTags.Array);
        WriteType(ref writer, shape.ElementType!);
        if (array is object?[] references)
        {
            for (int i = 0; i < references.Length; i++)
            {
                PushIndex(i);
                WriteValue(ref writer, references[i]);
                Pop();
            }

            return;
        }

        for (int i = 0; i < array.Length; i++)
        {
            PushIndex(i);
            WriteValue(ref writer, array.GetValue(i));
            Pop();
        }
    }

    private void WriteObject(ref MessagePackWriter writer, object value, TypeShape shape)
    {
        FieldInfo[] fields = shape.Fields;
        writer.WriteArrayHeader(2 + fields.Length);
        writer.Write(WireTags.Object);
        WriteType(ref writer, shape.Type);
        IReadOnlySet<string>? used = ReferenceEquals(value, _pruning.Target) ? _pruning.Used : null;
        if (used is not null)
        {
            _pruned[value] = used;
        }

        for (int i = 0; i < fields.Length; i++)
        {
            if (used is not null && !used.Contains(fields[i].Name) && !fields[i].FieldType.IsValueType)
            {
                // A variable of the shared closure class that this function never touches.
                writer.WriteNil();
                continue;
            }

            object? fieldValue = fields[i].GetValue(value);
            bool isThis = fields[i].Name == "<>4__this";
            PushField(shape.FieldNames[i], -1, isThis && fieldValue is not null ? fieldValue.GetType() : null);
            long start = Position(ref writer);
            WriteValue(ref writer, fieldValue);
            if (Probe is not null && _functionDepth > 0)
            {
                Probe.Record(this, _path.Count, Position(ref writer) - start, fieldValue);
            }

            Pop();
        }
    }

    private void WriteException(ref MessagePackWriter writer, Exception exception)
    {
        IReadOnlyList<Exception> inner = exception switch
        {
            AggregateException a => a.InnerExceptions,
            RemoteException r => r.InnerExceptions,
            { InnerException: { } e } => [e],
            _ => [],
        };
        writer.WriteArrayHeader(5);
        writer.Write(WireTags.Exception);
        writer.Write(exception is RemoteException remote ? remote.RemoteTypeName : exception.GetType().FullName);
        writer.Write(exception.Message);
        writer.Write(exception is RemoteException rs ? rs.RemoteStackTrace : exception.StackTrace);
        writer.WriteArrayHeader(inner.Count);
        foreach (Exception e in inner)
        {
            if (++_depth > MaxDepth)
            {
                Refuse(e, $"inner exceptions nest deeper than {MaxDepth} levels", "Flatten the exception.");
            }

            WriteException(ref writer, e);
            _depth--;
        }
    }

    private void WriteDelegate(ref MessagePackWriter writer, Delegate function)
    {
        string Here() => RenderPath(_path.Count);
        if (!function.HasSingleTarget)
        {
            throw new FunctionSerializationException(Here(), $"{Here()}: multicast delegates (a += b) cannot be shipped; ship one function.");
        }

        MethodInfo method = function.Method;
        object? target = function.Target;
        if (IsDynamic(method, target))
        {
            throw new FunctionSerializationException(
                Here(),
                $"{Here()}: delegate targets a dynamic method (compiled Expression<T> or Reflection.Emit), which has no metadata to ship; write the function as a lambda or a method instead.");
        }

        Type declaring = method.DeclaringType!;
        writer.WriteArrayHeader(9);
        writer.Write(WireTags.Delegate);
        WriteType(ref writer, function.GetType());
        WriteType(ref writer, declaring);
        writer.Write(method.MetadataToken);
        writer.Write(method.Name);
        if (TypeAllowList.GetOrigin(declaring.Assembly) == AssemblyOrigin.User)
        {
            writer.WriteNil();
        }
        else
        {
            ParameterInfo[] parameters = method.GetParameters();
            writer.WriteArrayHeader(parameters.Length);
            foreach (ParameterInfo p in parameters)
            {
                WriteType(ref writer, p.ParameterType);
            }
        }

        if (method.IsGenericMethod)
        {
            Type[] args = method.GetGenericArguments();
            writer.WriteArrayHeader(args.Length);
            foreach (Type a in args)
            {
                WriteType(ref writer, a);
            }
        }
        else
        {
            writer.WriteNil();
        }

        if (target is null)
        {
            writer.WriteNil();
        }
        else
        {
            bool closure = TypeShape.Get(target.GetType()).IsClosure;
            bool isThis = !method.IsStatic && !closure;
            IReadOnlySet<string>? used = closure ? ClosureFields.UsedBy(method, target) : null;
            if (_pruned.TryGetValue(target, out IReadOnlySet<string>? written) && (used is null || !used.IsSubsetOf(written)))
            {
                throw new FunctionSerializationException(
                    Here(),
                    $"{Here()}: two functions in one message share a closure ({TypeNames.Display(target.GetType())}) but use different captured variables; declare each lambda's captured variables in its own block.");
            }

            (object?, IReadOnlySet<string>?) outer = _pruning;
            _pruning = (target, used);
            _functionDepth++;
            PushField("Target", -1, isThis ? target.GetType() : null);
            long start = Position(ref writer);
            WriteValue(ref writer, target);
            _pruning = outer;
            if (Probe is not null && isThis)
            {
                Probe.Record(this, _path.Count, Position(ref writer) - start, target);
            }

            Pop();
            _functionDepth--;
        }

        bool registered = _objects.TryAdd(function, _nextObject);
        if (registered)
        {
            _nextObject++;
        }

        writer.Write(registered);
    }

    private static bool IsDynamic(MethodInfo method, object? target)
    {
        if (method is DynamicMethod || method.DeclaringType is null || method.Module.Assembly.IsDynamic
            || method.GetType().Name.Contains("DynamicMethod", StringComparison.Ordinal))
        {
            return true;
        }

        string? targetType = target?.GetType().FullName;
        return targetType is not null
            && (targetType == "System.Runtime.CompilerServices.Closure" || targetType.StartsWith("System.Linq.Expressions.Interpreter.", StringComparison.Ordinal));
    }

    private readonly record struct Segment(string? Name, int Index, Type? ThisType);
}

/// <summary>Measures captured fields while a function payload is written, to name the one that dominates a large payload.</summary>
internal sealed class SizeProbe(ArrayBufferWriter<byte> buffer, long threshold)
{
    private readonly List<(int Depth, string Path, string Type, long Bytes)> _large = [];

    public ArrayBufferWriter<byte> Buffer { get; } = buffer;

    public void Record(EncodeContext context, int depth, long bytes, object? value)
    {
        // Only fields that could dominate a payload over the threshold are worth a path string.
        if (bytes >= threshold / 2)
        {
            _large.Add((depth, context.RenderPath(depth), TypeNames.DescribeValue(value), bytes));
        }
    }

    public (string Path, string Type, long Bytes)? Dominant(long total)
    {
        // The deepest field that still holds at least half of the payload.
        (int Depth, string Path, string Type, long Bytes)? best = null;
        foreach (var entry in _large)
        {
            if (entry.Bytes * 2 >= total && (best is null || entry.Depth > best.Value.Depth))
            {
                best = entry;
            }
        }

        return best is { } b ? (b.Path, b.Type, b.Bytes) : null;
    }
}
