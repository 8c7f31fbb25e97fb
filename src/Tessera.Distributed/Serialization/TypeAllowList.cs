using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using System.Numerics;
using System.Reflection;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>Where an assembly comes from, which decides whether it is uploaded and whether its types are trusted.</summary>
public enum AssemblyOrigin
{
    /// <summary>The shared .NET framework (the runtime's own directory): every worker has it; only allow-listed types are created from the wire.</summary>
    Framework,

    /// <summary>One of Tessera's own libraries (marked with <c>[assembly: AssemblyMetadata("Tessera.Library", "true")]</c>): every worker has it.</summary>
    Tessera,

    /// <summary>Anything else: user code and its packages, uploaded to workers and trusted per client session.</summary>
    User,
}

/// <summary>
/// The framework types that may be created from the wire, and the classification of assemblies
/// into framework, Tessera and user code.
/// </summary>
/// <remarks>
/// From the framework, only data types travel: primitives, <see cref="string"/>, <see cref="decimal"/>,
/// date and time types, <see cref="Guid"/>, <see cref="BigInteger"/>, <see cref="Complex"/>, enums,
/// arrays, <see cref="List{T}"/>, <see cref="Dictionary{TKey, TValue}"/>, <see cref="HashSet{T}"/>,
/// the immutable array, list, dictionary and set, <see cref="KeyValuePair{TKey, TValue}"/>, tuples,
/// <see cref="Nullable{T}"/>, and the <c>Func</c>/<c>Action</c> delegate types. Functions may call
/// framework methods (shipping code is code execution by design), but no other framework type is
/// ever instantiated from a message.
/// </remarks>
public static class TypeAllowList
{
    // Weak keys: assemblies of a client session are collectible and must not be kept alive here.
    private static readonly ConditionalWeakTable<Assembly, StrongBox<AssemblyOrigin>> s_origins = new();
    private static readonly string? s_frameworkRoot = FrameworkRoot();

    private static readonly HashSet<Type> s_frameworkTypes =
    [
        typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(string),
        typeof(nint), typeof(nuint), typeof(Half), typeof(Int128), typeof(UInt128),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(DateOnly), typeof(TimeOnly), typeof(Guid),
        typeof(BigInteger), typeof(Complex), typeof(object),
    ];

    private static readonly HashSet<Type> s_frameworkGenerics =
    [
        typeof(Nullable<>), typeof(KeyValuePair<,>),
        typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>),
        typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableDictionary<,>), typeof(ImmutableHashSet<>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>),
        typeof(ValueTuple<,,,,>), typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>), typeof(ValueTuple<,,,,,,,>),
        typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>),
        typeof(Tuple<,,,,>), typeof(Tuple<,,,,,>), typeof(Tuple<,,,,,,>), typeof(Tuple<,,,,,,,>),
    ];

    private static readonly HashSet<Type> s_delegateTypes =
    [
        typeof(Func<>), typeof(Func<,>), typeof(Func<,,>), typeof(Func<,,,>), typeof(Func<,,,,>), typeof(Func<,,,,,>),
        typeof(Func<,,,,,,>), typeof(Func<,,,,,,,>), typeof(Func<,,,,,,,,>), typeof(Func<,,,,,,,,,>),
        typeof(Func<,,,,,,,,,,>), typeof(Func<,,,,,,,,,,,>), typeof(Func<,,,,,,,,,,,,>),
        typeof(Action), typeof(Action<>), typeof(Action<,>), typeof(Action<,,>), typeof(Action<,,,>),
        typeof(Action<,,,,>), typeof(Action<,,,,,>), typeof(Action<,,,,,,>), typeof(Action<,,,,,,,>),
        typeof(Predicate<>), typeof(Comparison<>), typeof(Converter<,>),
    ];

    /// <summary>Tells where an assembly comes from.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns>Its origin.</returns>
    public static AssemblyOrigin GetOrigin(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return s_origins.GetValue(assembly, static a => new StrongBox<AssemblyOrigin>(Classify(a))).Value;
    }

    /// <summary>Tells whether a framework type is on the allow-list (for a generic type: its definition and every argument).</summary>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> when the type may be created from the wire.</returns>
    public static bool IsAllowedFrameworkType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.IsArray)
        {
            return IsAllowedFrameworkType(type.GetElementType()!);
        }

        if (type.IsEnum || s_frameworkTypes.Contains(type))
        {
            return true;
        }

        if (type.IsConstructedGenericType)
        {
            // A delegate type's arguments are never created from the wire; a collection's must be data or abstract.
            Type definition = type.GetGenericTypeDefinition();
            return s_delegateTypes.Contains(definition)
                || (s_frameworkGenerics.Contains(definition) && type.GetGenericArguments().All(IsAllowedArgument));
        }

        return s_delegateTypes.Contains(type);
    }

    private static bool IsAllowedArgument(Type argument) =>
        GetOrigin(argument.Assembly) != AssemblyOrigin.Framework || argument.IsInterface || argument.IsAbstract || IsAllowedFrameworkType(argument);

    internal static bool IsFrameworkGeneric(Type definition) => s_frameworkGenerics.Contains(definition);

    internal static bool IsFrameworkDelegate(Type type) =>
        s_delegateTypes.Contains(type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type);

    private static AssemblyOrigin Classify(Assembly assembly)
    {
        if (assembly == typeof(object).Assembly)
        {
            return AssemblyOrigin.Framework;
        }

        if (assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Any(a => a.Key == "Tessera.Library" && a.Value == "true")
            || assembly == typeof(Key).Assembly || assembly == typeof(TypeAllowList).Assembly)
        {
            return AssemblyOrigin.Tessera;
        }

        if (assembly.IsDynamic)
        {
            return AssemblyOrigin.User;
        }

        string location = assembly.Location;
        if (s_frameworkRoot is not null && location.Length > 0)
        {
            return location.StartsWith(s_frameworkRoot, StringComparison.Ordinal) ? AssemblyOrigin.Framework : AssemblyOrigin.User;
        }

        // Single-file applications have no locations: fall back to the names and keys of the framework.
        string name = assembly.GetName().Name ?? string.Empty;
        byte[]? token = assembly.GetName().GetPublicKeyToken();
        bool microsoftKey = token is { Length: 8 } && Convert.ToHexStringLower(token) is "b03f5f7f11d50a3a" or "cc7b13ffcd2ddd51" or "7cec85d7bea7798e" or "adb9793829ddae60";
        return microsoftKey && (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
            || name is "System" or "mscorlib" or "netstandard")
            ? AssemblyOrigin.Framework
            : AssemblyOrigin.User;
    }

    private static string? FrameworkRoot()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/System.Private.CoreLib.dll → .../dotnet/shared/
        string location = typeof(object).Assembly.Location;
        if (location.Length == 0)
        {
            return null;
        }

        // A self-contained application keeps the framework beside its own files: names and keys decide there.
        string? versionDir = Path.GetDirectoryName(location);
        string? frameworkDir = versionDir is null ? null : Path.GetDirectoryName(versionDir);
        if (frameworkDir is null || Path.GetFileName(frameworkDir) != "Microsoft.NETCore.App")
        {
            return null;
        }

        string? sharedDir = Path.GetDirectoryName(frameworkDir);
        return sharedDir is null ? null : sharedDir + Path.DirectorySeparatorChar;
    }
}
