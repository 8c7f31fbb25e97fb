using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

internal enum ShapeKind
{
    Scalar,
    Key,
    Enum,
    BulkArray,
    Array,
    Collection,
    Object,
    Delegate,
    Exception,

    /// <summary>An interface, abstract class or <see cref="object"/>: fine as an element or field type, never created itself.</summary>
    Abstract,
    Refused,
}

/// <summary>
/// How values of one type travel, decided once per type: the policy of what is plain data lives here.
/// </summary>
internal sealed class TypeShape
{
    private static readonly ConditionalWeakTable<Type, TypeShape> s_shapes = new();
    private static readonly MethodInfo s_containsReferences = typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!;

    private static readonly Dictionary<Type, int> s_scalars = new()
    {
        [typeof(int)] = WireTags.RawInt32,
        [typeof(double)] = WireTags.RawDouble,
        [typeof(float)] = WireTags.RawSingle,
        [typeof(bool)] = WireTags.RawBoolean,
        [typeof(string)] = WireTags.RawString,
        [typeof(long)] = WireTags.Int64,
        [typeof(uint)] = WireTags.UInt32,
        [typeof(ulong)] = WireTags.UInt64,
        [typeof(short)] = WireTags.Int16,
        [typeof(ushort)] = WireTags.UInt16,
        [typeof(byte)] = WireTags.Byte,
        [typeof(sbyte)] = WireTags.SByte,
        [typeof(char)] = WireTags.Char,
        [typeof(decimal)] = WireTags.Decimal,
        [typeof(DateTime)] = WireTags.DateTime,
        [typeof(TimeSpan)] = WireTags.TimeSpan,
        [typeof(Guid)] = WireTags.Guid,
        [typeof(DateTimeOffset)] = WireTags.DateTimeOffset,
        [typeof(DateOnly)] = WireTags.DateOnly,
        [typeof(TimeOnly)] = WireTags.TimeOnly,
        [typeof(Half)] = WireTags.Half,
        [typeof(Int128)] = WireTags.Int128,
        [typeof(UInt128)] = WireTags.UInt128,
        [typeof(nint)] = WireTags.IntPtr,
        [typeof(nuint)] = WireTags.UIntPtr,
    };

    private static readonly Dictionary<int, Type> s_scalarTypes = s_scalars.Where(kv => kv.Value < WireTags.RawInt32).ToDictionary(kv => kv.Value, kv => kv.Key);

    private const string DataFix = "Capture or send only data (numbers, strings, arrays, collections, records), or create it inside the function.";

    private TypeShape(Type type, ShapeKind kind)
    {
        Type = type;
        Kind = kind;
    }

    public Type Type { get; }

    public ShapeKind Kind { get; }

    public int ScalarTag { get; private init; }

    public FieldInfo[] Fields { get; private init; } = [];

    public string[] FieldNames { get; private init; } = [];

    public CollectionCodec? Codec { get; private init; }

    /// <summary>Gets the element type of an array.</summary>
    public Type? ElementType { get; private init; }

    /// <summary>Gets the size in bytes of one value, for types that are copied as raw bytes (0 otherwise).</summary>
    public int BulkSize { get; private init; }

    /// <summary>Gets a value indicating whether this is a compiler-generated closure class (a display class or the <c>&lt;&gt;c</c> singleton).</summary>
    public bool IsClosure { get; private init; }

    public string? Reason { get; private init; }

    public string? Fix { get; private init; }

    public bool IsBulk => BulkSize > 0;

    public static TypeShape Get(Type type) => s_shapes.GetValue(type, Classify);

    public static Type? ScalarType(int tag) => s_scalarTypes.GetValueOrDefault(tag);

    public static string CleanFieldName(string name)
    {
        if (name == "<>4__this")
        {
            return "this";
        }

        if (name.StartsWith("CS$<>8__locals", StringComparison.Ordinal))
        {
            return "locals";
        }

        if (name.Length > 0 && name[0] == '<')
        {
            int end = name.IndexOf(">k__BackingField", StringComparison.Ordinal);
            if (end > 1)
            {
                return name[1..end];
            }
        }

        return name;
    }

    private static TypeShape Classify(Type type)
    {
        if (type.IsPointer || type.IsByRef || type.IsFunctionPointer || type.IsByRefLike || type.ContainsGenericParameters)
        {
            return Refuse(type, "it is a pointer, by-ref or open generic type", DataFix);
        }

        if (s_scalars.TryGetValue(type, out int tag))
        {
            return new TypeShape(type, ShapeKind.Scalar) { ScalarTag = tag, BulkSize = type == typeof(string) ? 0 : SizeOf(type) };
        }

        if (type == typeof(Key))
        {
            return new TypeShape(type, ShapeKind.Key);
        }

        if (type.IsEnum)
        {
            return new TypeShape(type, ShapeKind.Enum) { BulkSize = SizeOf(type) };
        }

        if (type.IsArray)
        {
            return ClassifyArray(type);
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            if (type == typeof(Delegate) || type == typeof(MulticastDelegate))
            {
                return new TypeShape(type, ShapeKind.Abstract);
            }

            return TypeAllowList.GetOrigin(type.Assembly) == AssemblyOrigin.Framework && !TypeAllowList.IsFrameworkDelegate(type)
                ? Refuse(type, "it is a framework delegate type outside the allow-list (Func, Action, Predicate, Comparison, Converter)", "Use a Func<…> or Action<…> delegate.")
                : new TypeShape(type, ShapeKind.Delegate);
        }

        if (typeof(Exception).IsAssignableFrom(type))
        {
            return new TypeShape(type, ShapeKind.Exception);
        }

        AssemblyOrigin origin = TypeAllowList.GetOrigin(type.Assembly);
        if (origin == AssemblyOrigin.Tessera && !type.IsDefined(typeof(TesseraDataAttribute), inherit: false))
        {
            return Refuse(type, "it is a Tessera value, and capturing Tessera values is not supported yet", "Pass it to the task as an argument so that it becomes a graph dependency.");
        }

        if (type == typeof(CancellationToken))
        {
            return Refuse(type, "it is a cancellation token", "Workers cancel their tasks themselves; do not capture or send tokens.");
        }

        if (typeof(IDisposable).IsAssignableFrom(type) || typeof(IAsyncDisposable).IsAssignableFrom(type))
        {
            return Refuse(type, "it is a resource (IDisposable)", "Capture only data (numbers, strings, arrays, records), or create the resource inside the function.");
        }

        if (type == typeof(object) || type.IsInterface || type.IsAbstract)
        {
            return new TypeShape(type, ShapeKind.Abstract) { Reason = "it is not plain data", Fix = DataFix };
        }

        return origin == AssemblyOrigin.Framework ? ClassifyFramework(type) : ClassifyUser(type);
    }

    private static TypeShape ClassifyArray(Type type)
    {
        Type element = type.GetElementType()!;
        TypeShape elementShape = Get(element);
        if (elementShape.Kind == ShapeKind.Refused)
        {
            return Refuse(type, $"its elements ({TypeNames.Display(element)}) cannot travel: {elementShape.Reason}", elementShape.Fix!);
        }

        if (elementShape.IsBulk)
        {
            return new TypeShape(type, ShapeKind.BulkArray) { ElementType = element };
        }

        if (!type.IsSZArray)
        {
            return Refuse(type, "multi-dimensional arrays of references are not supported", "Use a jagged array (T[][]).");
        }

        return new TypeShape(type, ShapeKind.Array) { ElementType = element };
    }

    private static TypeShape ClassifyFramework(Type type)
    {
        if (type.IsConstructedGenericType)
        {
            Type definition = type.GetGenericTypeDefinition();
            foreach (Type argument in type.GetGenericArguments())
            {
                TypeShape a = Get(argument);
                if (a.Kind == ShapeKind.Refused)
                {
                    return Refuse(type, $"its type argument {TypeNames.Display(argument)} cannot travel: {a.Reason}", a.Fix!);
                }
            }

            CollectionCodec? codec = CollectionCodec.TryCreate(type);
            if (codec is not null)
            {
                return new TypeShape(type, ShapeKind.Collection) { Codec = codec };
            }

            if (TypeAllowList.IsFrameworkGeneric(definition))
            {
                return ObjectShape(type);
            }
        }
        else if (type == typeof(BigInteger) || type == typeof(Complex))
        {
            return ObjectShape(type);
        }

        string name = type.FullName ?? type.Name;
        if (type == typeof(Random) || name.StartsWith("System.Random", StringComparison.Ordinal))
        {
            return Refuse(type, "it is not plain data (a random number generator carries hidden state)", "Create the generator inside the function from a captured seed.");
        }

        if (type == typeof(Thread) || typeof(Task).IsAssignableFrom(type) || name.StartsWith("System.Threading.", StringComparison.Ordinal))
        {
            return Refuse(type, "it is not plain data (a thread, task or synchronization object)", "Start it or create it inside the function, or capture its result.");
        }

        if (typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type))
        {
            return Refuse(type, "it is not plain data (a reflection object)", "Capture the member's name (a string) and look it up inside the function.");
        }

        return Refuse(type, "it is not plain data (a framework type outside the allow-list)", DataFix);
    }

    private static TypeShape ClassifyUser(Type type)
    {
        for (Type? b = type.BaseType; b is not null && b != typeof(object) && b != typeof(ValueType); b = b.BaseType)
        {
            if (TypeAllowList.GetOrigin(b.Assembly) != AssemblyOrigin.User && !b.IsDefined(typeof(TesseraDataAttribute), inherit: false))
            {
                return Refuse(type, $"it derives from {TypeNames.Display(b)}, which is not plain data", DataFix);
            }
        }

        TypeShape shape = ObjectShape(type);
        return shape;
    }

    private static TypeShape ObjectShape(Type type)
    {
        var fields = new List<FieldInfo>();
        var chain = new Stack<Type>();
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            chain.Push(t);
        }

        foreach (Type t in chain)
        {
            foreach (FieldInfo f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (f.FieldType.IsPointer || f.FieldType.IsFunctionPointer || f.FieldType.IsByRef)
                {
                    return Refuse(type, $"its field '{CleanFieldName(f.Name)}' is a pointer", DataFix);
                }

                fields.Add(f);
            }
        }

        bool closure = type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && type.Name.StartsWith("<>c", StringComparison.Ordinal);
        bool bulk = type.IsValueType && !ContainsReferences(type);
        return new TypeShape(type, ShapeKind.Object)
        {
            Fields = [.. fields],
            FieldNames = [.. fields.Select(f => CleanFieldName(f.Name))],
            IsClosure = closure,
            BulkSize = bulk ? SizeOf(type) : 0,
        };
    }

    private static TypeShape Refuse(Type type, string reason, string fix) =>
        new(type, ShapeKind.Refused) { Reason = reason, Fix = fix };

    private static bool ContainsReferences(Type type) => (bool)s_containsReferences.MakeGenericMethod(type).Invoke(null, null)!;

    private static int SizeOf(Type type) => RuntimeHelpers.SizeOf(type.TypeHandle);
}
