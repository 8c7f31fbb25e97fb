using System.Collections.Concurrent;
using System.Reflection;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// Wraps a rebuilt delegate back into a typed <see cref="TaskFunction"/> (through the public
/// <c>TaskFunction.Create</c> overloads) so local schedulers call it without reflection.
/// </summary>
internal static class TypedFunctions
{
    private static readonly MethodInfo[] s_creates = FindCreates();
    private static readonly ConcurrentDictionary<Type, MethodInfo?> s_closed = new();

    public static TaskFunction Wrap(Delegate function, string? name)
    {
        Type type = function.GetType();
        MethodInfo? create = s_closed.GetOrAdd(type, static t =>
        {
            if (!t.IsConstructedGenericType)
            {
                return null;
            }

            Type[] args = t.GetGenericArguments();
            Type definition = t.GetGenericTypeDefinition();
            return args.Length - 1 < s_creates.Length && s_creates[args.Length - 1] is { } c
                && definition == c.GetParameters()[0].ParameterType.GetGenericTypeDefinition()
                ? c.MakeGenericMethod(args)
                : null;
        });

        return create is null
            ? TaskFunction.FromDelegate(function, name)
            : (TaskFunction)create.Invoke(null, [function, name])!;
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
