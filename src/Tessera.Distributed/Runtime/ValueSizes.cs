using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

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
        switch (value)
        {
            case null:
                return 0;
            case string s:
                return ObjectHeader + (2L * s.Length);
            case Array a when a.GetType().GetElementType() is { IsPrimitive: true } t:
                return ArrayHeader + ((long)a.Length * Marshal.SizeOf(t));
            case ICompactData data:
                return ArrayHeader + data.SizeInBytes;
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
        switch (o)
        {
            case string s:
                return ObjectHeader + (2L * s.Length);
            case ICompactData data:
                return ArrayHeader + data.SizeInBytes;
            case Array a:
                Type element = a.GetType().GetElementType()!;
                if (element.IsPrimitive || element.IsPointer || element.IsEnum)
                {
                    return ArrayHeader + ((long)a.Length * (element.IsPointer ? IntPtr.Size : Marshal.SizeOf(element.IsEnum ? Enum.GetUnderlyingType(element) : element)));
                }

                if (!element.IsValueType || HasReferences(element))
                {
                    foreach (object? item in a)
                    {
                        Push(item, seen, pending);
                    }
                }

                return ArrayHeader + ((long)a.Length * (element.IsValueType ? InlineSize(element) : IntPtr.Size));
            case Type or Delegate or MemberInfo or Assembly:
                // Code, not data: shared with the rest of the process.
                return 0;
        }

        long bytes = ObjectHeader;
        foreach (FieldInfo f in FieldsOf(o.GetType()))
        {
            Type type = f.FieldType;
            if (type.IsPointer)
            {
                bytes += IntPtr.Size;
            }
            else if (!type.IsValueType || HasReferences(type))
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

    // The bytes a value of a struct type takes inline (in an array or a field): its fields, recursively.
    private static long InlineSize(Type type) => type.IsPrimitive ? Marshal.SizeOf(type)
        : type.IsEnum ? Marshal.SizeOf(Enum.GetUnderlyingType(type))
        : type.IsPointer || !type.IsValueType ? IntPtr.Size
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
