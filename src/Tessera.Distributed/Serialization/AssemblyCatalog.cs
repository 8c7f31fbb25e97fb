using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// The client's side of code upload: finds the user assemblies a payload needs (the assemblies its
/// types and methods come from, and everything they reference, less the framework, Tessera and
/// Tessera's own dependencies, which every worker has) and reads each once.
/// </summary>
/// <remarks>
/// One catalog per client session remembers what it already handed out, so each assembly travels
/// once per session (<see cref="TakeUnsent"/>); its SHA-256 names the content.
/// </remarks>
public sealed class AssemblyCatalog
{
    private static readonly Lazy<HashSet<string>> s_workerProvided = new(WorkerProvided);
    private readonly ConcurrentDictionary<Assembly, ShippedAssembly> _described = new();
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Lists the user assemblies that <paramref name="roots"/> need on a worker, the roots included, dependencies first.</summary>
    /// <param name="roots">Assemblies a payload refers to (see <see cref="EncodeContext.UserAssemblies"/> and <see cref="FunctionPayload.UserAssemblies"/>).</param>
    /// <returns>The assemblies to upload.</returns>
    /// <exception cref="FunctionSerializationException">A needed assembly has no file (it was emitted or loaded from bytes).</exception>
    public IReadOnlyList<ShippedAssembly> Resolve(IEnumerable<Assembly> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        return [.. Closure(roots).Select(Describe)];
    }

    /// <summary>Like <see cref="Resolve"/>, but returns only the assemblies this catalog has not returned from this method before.</summary>
    /// <param name="roots">Assemblies a payload refers to.</param>
    /// <returns>The assemblies still to upload in this session.</returns>
    public IReadOnlyList<ShippedAssembly> TakeUnsent(IEnumerable<Assembly> roots)
    {
        IReadOnlyList<ShippedAssembly> all = Resolve(roots);
        lock (_gate)
        {
            return [.. all.Where(a => _sent.Add(a.Name))];
        }
    }

    /// <summary>Reads an assembly's name, MVID, hash and bytes.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns>The description to upload.</returns>
    /// <exception cref="FunctionSerializationException">The assembly has no file location.</exception>
    public ShippedAssembly Describe(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return _described.GetOrAdd(assembly, static a =>
        {
            string name = a.GetName().Name ?? a.FullName ?? "?";
            if (a.IsDynamic || string.IsNullOrEmpty(a.Location) || !File.Exists(a.Location))
            {
                throw new FunctionSerializationException(
                    "fn",
                    $"assembly '{name}' has no file location (dynamic or in-memory) and cannot be uploaded; build the code into an assembly on disk.");
            }

            byte[] bytes = File.ReadAllBytes(a.Location);
            return new ShippedAssembly(name, a.ManifestModule.ModuleVersionId, SHA256.HashData(bytes), bytes);
        });
    }

    private static List<Assembly> Closure(IEnumerable<Assembly> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<Assembly>();
        foreach (Assembly root in roots)
        {
            Visit(root, seen, ordered);
        }

        return ordered;
    }

    private static void Visit(Assembly assembly, HashSet<string> seen, List<Assembly> ordered)
    {
        string name = assembly.GetName().Name ?? string.Empty;
        if (TypeAllowList.GetOrigin(assembly) != AssemblyOrigin.User || s_workerProvided.Value.Contains(name) || !seen.Add(name))
        {
            return;
        }

        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(assembly) ?? AssemblyLoadContext.Default;
        foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is null || seen.Contains(reference.Name) || s_workerProvided.Value.Contains(reference.Name))
            {
                continue;
            }

            Assembly? dependency;
            try
            {
                dependency = context.LoadFromAssemblyName(reference);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // Not loadable here either, so the code that needs it never runs.
                continue;
            }

            Visit(dependency, seen, ordered);
        }

        ordered.Add(assembly);
    }

    /// <summary>The names of Tessera's assemblies and of everything they reference: a worker has all of them.</summary>
    private static HashSet<string> WorkerProvided()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(Tessera.Graphs.Key).Assembly, typeof(AssemblyCatalog).Assembly]);
        while (queue.TryDequeue(out Assembly? a))
        {
            if (!names.Add(a.GetName().Name ?? string.Empty))
            {
                continue;
            }

            foreach (AssemblyName reference in a.GetReferencedAssemblies())
            {
                if (reference.Name is null || names.Contains(reference.Name))
                {
                    continue;
                }

                try
                {
                    queue.Enqueue(AssemblyLoadContext.Default.LoadFromAssemblyName(reference));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    names.Add(reference.Name);
                }
            }
        }

        return names;
    }
}
