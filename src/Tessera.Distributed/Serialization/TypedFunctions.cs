using System.Reflection;
using System.Runtime.CompilerServices;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// Wraps a rebuilt delegate back into a typed <see cref="TaskFunction"/> (through the public
/// <c>TaskFunction.Create</c> overloads) so local schedulers call it without reflection.
/// </summary>
internal static class TypedFunctions
{
    private static readonly MethodInfo[] s_creates = FindCreates();
    // Weak keys: delegate types over user types of a session are collectible.
    private static readonly ConditionalWeakTable<Type, StrongBox<MethodInfo?>> s_closed = new();

    public static TaskFunction Wrap(Delegate function, string? name)
    {
        Type type = function.GetType();
        MethodInfo? create = s_closed.GetValue(type, static t => new StrongBox<MethodInfo?>(FindCreate(t))).Value;

        return create is null
            ? TaskFunction.FromDelegate(function, name)
            : (TaskFunction)create.Invoke(null, [function, name])!;
    }

    private static MethodInfo? FindCreate(Type delegateType)
    {
        if (!delegateType.IsConstructedGenericType)
        {
            return null;
        }

        Type[] args = delegateType.GetGenericArguments();
        Type definition = delegateType.GetGenericTypeDefinition();
        return args.Length - 1 < s_creates.Length && s_creates[args.Length - 1] is { } c
            && definition == c.GetParameters()[0].ParameterType.GetGenericTypeDefinition()
            ? c.MakeGenericMethod(args)
            : null;
    }

    private static MethodInfo[] FindCreates()
    {
        var result = new MethodInfo[9];
        foreach (MethodInfo m in typeof(TaskFunction).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.Name == nameof(TaskFunction.Create) && m.IsGenericMethodDefinition)
            {
                int arity = m.GetGenericArguments().Length - 1;
                if (arity < result.Length)
                {
                    result[arity] = m;
                }
            }
        }

        return result;
    }
}
