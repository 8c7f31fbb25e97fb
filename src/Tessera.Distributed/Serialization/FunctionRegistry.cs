using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// Marks a static method as a function workers can find by a stable name: the strict path for
/// libraries and trimmed applications, where nothing is walked by reflection on the way and only
/// the name travels.
/// </summary>
/// <param name="name">The stable name, unique in the process (for example <c>"mylib.normalize"</c>).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TesseraFunctionAttribute(string name) : Attribute
{
    /// <summary>Gets the stable name.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// Functions known by a stable name on both sides. A function whose method is registered travels as
/// its name alone; the worker looks the name up here.
/// </summary>
public sealed class FunctionRegistry
{
    private readonly ConcurrentDictionary<string, TaskFunction> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MethodInfo, string> _byMethod = new();

    /// <summary>Gets the registered names.</summary>
    public IReadOnlyCollection<string> Names => [.. _byName.Keys];

    /// <summary>Registers every static method of <paramref name="assembly"/> marked with <see cref="TesseraFunctionAttribute"/>.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns>The number of functions registered.</returns>
    /// <exception cref="ArgumentException">A marked method is not static, returns nothing, or its name is taken by another method.</exception>
    public int Register(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        int count = 0;
        foreach (Type type in assembly.GetTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<TesseraFunctionAttribute>() is { } attribute)
                {
                    Register(attribute.Name, method);
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Registers a static method under a stable name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="method">A static, non-generic method that returns a value.</param>
    /// <exception cref="ArgumentException">The method does not qualify, or the name is taken by another method.</exception>
    public void Register(string name, MethodInfo method)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(method);
        if (!method.IsStatic || method.ContainsGenericParameters || method.ReturnType == typeof(void))
        {
            throw new ArgumentException(
                $"Function '{name}' ({method.DeclaringType}.{method.Name}) must be a static, non-generic method that returns a value to be registered.",
                nameof(method));
        }

        Type[] signature = [.. method.GetParameters().Select(p => p.ParameterType), method.ReturnType];
        Delegate function = method.CreateDelegate(Expression.GetFuncType(signature));
        TaskFunction wrapped = TypedFunctions.Wrap(function, name);
        if (!_byName.TryAdd(name, wrapped) && _byName[name].Delegate.Method != method)
        {
            throw new ArgumentException($"Function name '{name}' is already registered for {_byName[name].Delegate.Method.DeclaringType}.{_byName[name].Delegate.Method.Name}; pick another name.", nameof(name));
        }

        _byMethod[method] = name;
    }

    /// <summary>Finds a function by its registered name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="function">The function, ready to run without reflection.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out TaskFunction? function) => _byName.TryGetValue(name, out function);

    internal bool TryGetName(Delegate function, [NotNullWhen(true)] out string? name)
    {
        name = null;
        return function.Target is null && function.HasSingleTarget && !_byMethod.IsEmpty && _byMethod.TryGetValue(function.Method, out name);
    }
}
