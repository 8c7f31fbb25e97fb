using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// Finds which captured variables a closure's method actually uses, by reading its IL (and the IL of
/// the methods it calls on the same closure class). Lambdas declared in one scope share one closure
/// class, so without this a function would drag along every variable its neighbours captured.
/// </summary>
internal static class ClosureFields
{
    private static readonly ConcurrentDictionary<MethodInfo, IReadOnlySet<string>?> s_cache = new();
    private static readonly Dictionary<short, OpCode> s_opcodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Gets the names of the fields of <paramref name="method"/>'s closure class that it reads or writes, or null when that cannot be told.</summary>
    public static IReadOnlySet<string>? Used(MethodInfo method) => s_cache.GetOrAdd(method, Scan);

    /// <summary>
    /// Gets the fields of <paramref name="target"/> that <paramref name="method"/> needs, following
    /// delegates in those fields that point back into the same closure object; null when unknown.
    /// </summary>
    public static IReadOnlySet<string>? UsedBy(MethodInfo method, object target)
    {
        IReadOnlySet<string>? direct = Used(method);
        if (direct is null)
        {
            return null;
        }

        var all = new HashSet<string>(direct, StringComparer.Ordinal);
        var pending = new Stack<string>(direct);
        while (pending.TryPop(out string? name))
        {
            FieldInfo? field = target.GetType().GetField(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            if (field?.GetValue(target) is Delegate d && ReferenceEquals(d.Target, target))
            {
                IReadOnlySet<string>? more = Used(d.Method);
                if (more is null)
                {
                    return null;
                }

                foreach (string m in more)
                {
                    if (all.Add(m))
                    {
                        pending.Push(m);
                    }
                }
            }
        }

        return all;
    }

    private static IReadOnlySet<string>? Scan(MethodInfo method)
    {
        Type? closure = method.DeclaringType;
        if (closure is null || method.IsDefined(typeof(System.Runtime.CompilerServices.StateMachineAttribute), inherit: false))
        {
            // Async and iterator lambdas read their captures from a state machine: keep everything.
            return null;
        }

        Type[] typeArgs = closure.IsGenericType ? closure.GetGenericArguments() : [];
        var used = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        var work = new Stack<MethodBase>();
        work.Push(method);
        try
        {
            while (work.TryPop(out MethodBase? m))
            {
                if (!seen.Add(m.MetadataToken))
                {
                    continue;
                }

                byte[]? il = m.GetMethodBody()?.GetILAsByteArray();
                if (il is null)
                {
                    return null;
                }

                Type[] methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : [];
                for (int i = 0; i < il.Length;)
                {
                    short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                    if (!s_opcodes.TryGetValue(value, out OpCode op))
                    {
                        return null;
                    }

                    i += op.Size;
                    switch (op.OperandType)
                    {
                        case OperandType.InlineField:
                            FieldInfo? field = m.Module.ResolveField(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                            if (field is not null && SameClass(field.DeclaringType, closure))
                            {
                                used.Add(field.Name);
                            }

                            break;
                        case OperandType.InlineMethod:
                            MethodBase? callee = m.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                            if (callee is not null && SameClass(callee.DeclaringType, closure))
                            {
                                work.Push(callee);
                            }

                            break;
                    }

                    i += OperandSize(op.OperandType, il, i);
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or IndexOutOfRangeException)
        {
            return null;
        }

        return used;
    }

    private static bool SameClass(Type? a, Type b) =>
        a is not null && (a == b || (a.IsGenericType && b.IsGenericType && a.GetGenericTypeDefinition() == b.GetGenericTypeDefinition()) || a.MetadataToken == b.MetadataToken && a.Module == b.Module);

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
