using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// The user code of one client session on a worker: the assemblies the client uploaded, loaded into
/// a collectible <see cref="AssemblyLoadContext"/>, the assemblies the worker trusts the client to
/// use, and the functions already rebuilt from their payloads.
/// </summary>
/// <remarks>
/// <para>The load context serves uploaded assemblies by name and leaves everything else to the
/// default context, so framework and Tessera types are the worker's own (a <see cref="List{T}"/>
/// from user code is the worker's <see cref="List{T}"/>).</para>
/// <para>Types are created from the wire only when they are framework types on the allow-list,
/// Tessera's own, or from an assembly this session uploaded or trusts. Disposing the session
/// unloads the context once nothing refers to its types.</para>
/// </remarks>
public sealed class CodeSession : IDisposable
{
    private static readonly ConcurrentDictionary<string, Assembly?> s_defaultAssemblies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ShippedAssembly> _shipped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Assembly, bool> _trusted = new();
    private readonly ConcurrentDictionary<UInt128, TaskFunction> _functions = new();
    private readonly SessionLoadContext _context;
    private bool _disposed;

    /// <summary>Creates a session.</summary>
    /// <param name="name">A name for the session (the client's id); it names the load context.</param>
    /// <param name="trustApplicationAssemblies">
    /// Whether the assemblies of this application (those the default load context resolves) are
    /// trusted too. Set it where workers run the client's own application (a local cluster of
    /// processes), so user types need no upload.
    /// </param>
    public CodeSession(string name, bool trustApplicationAssemblies = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        TrustsApplicationAssemblies = trustApplicationAssemblies;
        _context = new SessionLoadContext(this, $"tessera-session-{name}");
    }

    /// <summary>Gets the session's name.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the application's own assemblies are trusted.</summary>
    public bool TrustsApplicationAssemblies { get; }

    /// <summary>Gets the collectible load context that holds the uploaded assemblies.</summary>
    public AssemblyLoadContext LoadContext
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _context;
        }
    }

    /// <summary>Gets the names of the assemblies uploaded so far.</summary>
    public IReadOnlyCollection<string> UploadedAssemblies => [.. _shipped.Keys];

    /// <summary>Gets the number of distinct function payloads rebuilt so far.</summary>
    public int CachedFunctionCount => _functions.Count;

    /// <summary>
    /// Adds uploaded assemblies. Each is checked against its SHA-256 hash; the same content may be
    /// added again, but another build under a name already added is refused.
    /// </summary>
    /// <param name="assemblies">The assemblies.</param>
    /// <exception cref="InvalidDataException">An assembly's bytes do not match its hash.</exception>
    /// <exception cref="FunctionSerializationException">Another build of an assembly was already uploaded to this session.</exception>
    public void AddAssemblies(IEnumerable<ShippedAssembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (ShippedAssembly a in assemblies)
        {
            if (!a.VerifyContent())
            {
                throw new InvalidDataException($"Uploaded assembly '{a.Name}' does not match its SHA-256 hash; it was corrupted in transit.");
            }

            ShippedAssembly existing = _shipped.GetOrAdd(a.Name, a);
            if (!ReferenceEquals(existing, a) && existing.Mvid != a.Mvid)
            {
                throw new FunctionSerializationException(
                    "fn",
                    $"worker has a different build of '{a.Name}' (MVID {existing.Mvid} != {a.Mvid}); re-upload user code in a new session.");
            }
        }
    }

    /// <summary>Trusts an assembly: its types may be created from the wire in this session.</summary>
    /// <param name="assembly">The assembly.</param>
    public void Trust(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _trusted[assembly] = true;
    }

    /// <summary>Tells whether types of <paramref name="assembly"/> may be created from the wire in this session.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns><see langword="true"/> for framework, Tessera, uploaded and trusted assemblies.</returns>
    public bool Trusts(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (TypeAllowList.GetOrigin(assembly) != AssemblyOrigin.User || _trusted.ContainsKey(assembly))
        {
            return true;
        }

        AssemblyLoadContext? context = AssemblyLoadContext.GetLoadContext(assembly);
        return ReferenceEquals(context, _context) || (TrustsApplicationAssemblies && ReferenceEquals(context, AssemblyLoadContext.Default));
    }

    /// <summary>Unloads the session's load context and forgets its functions.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _functions.Clear();
        _trusted.Clear();
        _context.Unload();
    }

    internal static Assembly? ResolveDefault(string name) => s_defaultAssemblies.GetOrAdd(name, static n =>
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(n));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    });

    internal Assembly? ResolveAssembly(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _shipped.ContainsKey(name) ? _context.LoadFromAssemblyName(new AssemblyName(name)) : ResolveDefault(name);
    }

    internal bool TryGetFunction(UInt128 hash, out TaskFunction? function) => _functions.TryGetValue(hash, out function);

    internal void AddFunction(UInt128 hash, TaskFunction function) => _functions.TryAdd(hash, function);

    private sealed class SessionLoadContext(CodeSession session, string name) : AssemblyLoadContext(name, isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null || !session._shipped.TryGetValue(assemblyName.Name, out ShippedAssembly? shipped))
            {
                return null;
            }

            using var stream = new MemoryStream(shipped.Bytes.ToArray(), writable: false);
            Assembly loaded = LoadFromStream(stream);
            if (loaded.ManifestModule.ModuleVersionId != shipped.Mvid)
            {
                throw new FileLoadException($"Uploaded assembly '{shipped.Name}' has MVID {loaded.ManifestModule.ModuleVersionId}, not the announced {shipped.Mvid}.");
            }

            return loaded;
        }
    }
}
