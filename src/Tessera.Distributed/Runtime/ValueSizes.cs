using System.Collections.Concurrent;
using System.Reflection;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// Estimates the bytes a worker's result takes in memory (Dask's <c>sizeof</c>), which the worker's store
/// weighs against the memory target and the scheduler against transfer costs.
/// </summary>
/// <remarks>
/// Strings and arrays of primitives are sized exactly (plus headers); any other object by walking its
/// instance fields (a record of arrays is the sum of them; an <see cref="ICompactData"/> value such as an
/// <c>NDArray</c> says its own size),
/// counting each object once. The walk stops after <see cref="MaxObjects"/> objects, so a result of very
/// many small objects is underestimated rather than slow to size.
/// </remarks>
internal static class ValueSizes
{
    /// <summary>The most objects one estimate visits.</summary>
    public const int MaxObjects = 10_000;

    private const long ObjectHeader = 24;
    private const long ArrayHeader = 32;
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> s_fields = new();
    private static readonly ConcurrentDictionary<Type, long> s_inline = new();
    private static readonly ConcurrentDictionary<Type, bool> s_references = new();

    /// <summary>Estimates the bytes of <paramref name="value"/> and of everything it refers to.</summary>
    public static long Estimate(object? value)
    {
        if (value is null)
        {
            return 0;
        }

        if (Leaf(value) is long leaf)
        {
            return leaf;
        }

        if (value.GetType().IsPrimitive || value is decimal or DateTime or DateTimeOffset or TimeSpan or Guid || value.GetType().IsEnum)
        {
            return ObjectHeader + 8;
        }

        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { value };
        var pending = new Stack<object>();
        pending.Push(value);
        long bytes = 0;
        try
        {
            while (pending.TryPop(out object? o) && seen.Count <= MaxObjects)
            {
                bytes += Shallow(o, seen, pending);
            }
        }
        catch (Exception e) when (e is NotSupportedException or FieldAccessException or TargetInvocationException or ArgumentException or InvalidOperationException)
        {
            // A field that reflection cannot read: an estimate of what was walked beats failing the task.
        }

        return bytes;
    }

    // The object's own bytes; the objects it refers to and has not seen are pushed for the walk.
    private static long Shallow(object o, HashSet<object> seen, Stack<object> pending)
    {
        if (Leaf(o) is long leaf)
        {
            return leaf;
        }

        if (o is Array a)
        {
            Type element = a.GetType().GetElementType()!;
            if (!element.IsValueType || HasReferences(element))
            {
                foreach (object? item in a)
                {
                    Push(item, seen, pending);
                }
            }

            return ArrayHeader + (a.LongLength * InlineSize(element));
        }

        long bytes = ObjectHeader;
        foreach (FieldInfo f in FieldsOf(o.GetType()))
        {
            Type type = f.FieldType;
            if (!type.IsPointer && (!type.IsValueType || HasReferences(type)))
            {
                // A struct that holds references is walked as its box (whose header the object does not have).
                bytes += type.IsValueType ? -ObjectHeader : IntPtr.Size;
                Push(f.GetValue(o), seen, pending);
            }
            else
            {
                bytes += InlineSize(type);
            }
        }

        return bytes;
    }

    // The size of a value that needs no walk: a string, an array of primitives, enums or pointers, a value
    // that says its own size, or code (shared with the rest of the process); null for any other value.
    private static long? Leaf(object o) => o switch
    {
        string s => ObjectHeader + (2L * s.Length),
        ICompactData data => ArrayHeader + data.SizeInBytes,
        Array a when a.GetType().GetElementType() is { } element && IsScalar(element) => ArrayHeader + (a.LongLength * ScalarSize(element)),
        Type or Delegate or MemberInfo or Assembly => 0,
        _ => null,
    };

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type.IsPointer;

    // The exact bytes of a primitive, enum or pointer value as the runtime stores it. (Marshal.SizeOf gives the
    // unmanaged sizes instead: 1 for char and 4 for bool.) An enum's type code is its underlying type's.
    private static int ScalarSize(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Boolean or TypeCode.Byte or TypeCode.SByte => 1,
        TypeCode.Char or TypeCode.Int16 or TypeCode.UInt16 => 2,
        TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Single => 4,
        TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Double => 8,
        _ => IntPtr.Size, // nint, nuint and pointers
    };

    // The bytes a value takes inline (in an array or a field): a reference's size, or a struct's fields, recursively.
    private static long InlineSize(Type type) => IsScalar(type) ? ScalarSize(type)
        : !type.IsValueType ? IntPtr.Size
        : s_inline.GetOrAdd(type, static t => Math.Max(1, FieldsOf(t).Sum(f => InlineSize(f.FieldType))));

    // Whether a struct type holds references (then its values are walked for them).
    private static bool HasReferences(Type type) => s_references.GetOrAdd(type, static t =>
        FieldsOf(t).Any(f => !f.FieldType.IsPointer && (!f.FieldType.IsValueType || (!f.FieldType.IsPrimitive && !f.FieldType.IsEnum && HasReferences(f.FieldType)))));

    private static void Push(object? item, HashSet<object> seen, Stack<object> pending)
    {
        if (item is not null && !item.GetType().IsPrimitive && seen.Add(item))
        {
            pending.Push(item);
        }
    }

    private static FieldInfo[] FieldsOf(Type type) => s_fields.GetOrAdd(type, static t =>
    {
        var fields = new List<FieldInfo>();
        for (Type? c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            fields.AddRange(c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        }

        return [.. fields];
    });
}
