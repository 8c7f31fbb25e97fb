using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Serialization;

namespace Tessera.Distributed;

/// <summary>Options of a client connection.</summary>
public sealed record ClientOptions
{
    /// <summary>
    /// Gets a value indicating whether the client uploads the user assemblies that its functions and
    /// values come from (and their dependencies, less the framework and Tessera), once per session,
    /// before the first task that needs them; default <see langword="true"/>. Workers then need not
    /// have the application. <see cref="Client.ConnectAsync(LocalCluster, CancellationToken)"/> turns
    /// it off, because a local cluster's workers run the application itself.
    /// </summary>
    public bool UploadCode { get; init; } = true;
}

// Shipping user code: the client uploads assemblies to the scheduler, which keeps them for this
// client's session and hands them to every worker (current and joining), where they load into a
// collectible load context of the session; it is unloaded when the client leaves.
public sealed partial class Client
{
    private readonly int _session;
    private readonly bool _uploadCode;
    private readonly AssemblyCatalog _catalog = new();
    private readonly Lock _codeGate = new();
    private readonly HashSet<Assembly> _seenRoots = [];
    private readonly Dictionary<string, ShippedAssembly> _uploaded = new(StringComparer.Ordinal);
    private Task _uploads = Task.CompletedTask;

    /// <summary>
    /// Uploads an assembly file to every worker for this client's session (Dask's <c>upload_file</c>), so
    /// that functions and values of its types run there. Workers that join later get it too. The
    /// assembly is named by its content (SHA-256); uploading the same build again does nothing.
    /// </summary>
    /// <param name="path">The assembly file (a .dll).</param>
    /// <param name="cancellationToken">Cancels the wait for the workers (not the upload).</param>
    /// <returns>A task that completes once every current worker has loaded the assembly.</returns>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="InvalidOperationException">Another build of an assembly with the same name was already uploaded in this session.</exception>
    /// <exception cref="RemoteException">A worker could not load the assembly.</exception>
    public async Task UploadAssemblyAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        (string name, Guid mvid) = ReadIdentity(bytes, path);
        await UploadAsync([new ShippedAssembly(name, mvid, SHA256.HashData(bytes), bytes)]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a loaded assembly, and the user assemblies it references, to every worker for this
    /// client's session; see <see cref="UploadAssemblyAsync(string, CancellationToken)"/>. Framework and
    /// Tessera assemblies are never uploaded (every worker has them).
    /// </summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="cancellationToken">Cancels the wait for the workers (not the upload).</param>
    /// <returns>A task that completes once every current worker has loaded the assemblies.</returns>
    /// <exception cref="FunctionSerializationException">The assembly, or one it needs, has no file (it was emitted or loaded from bytes).</exception>
    /// <exception cref="InvalidOperationException">Another build of an assembly with the same name was already uploaded in this session.</exception>
    /// <exception cref="RemoteException">A worker could not load the assembly.</exception>
    public Task UploadAssemblyAsync(Assembly assembly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Task upload = UploadAsync(_catalog.Resolve([assembly]));
        lock (_codeGate)
        {
            _seenRoots.Add(assembly);
        }

        return upload.WaitAsync(cancellationToken);
    }

    // Uploads what roots need and the session does not have yet, and returns a task that completes when
    // every upload of the session so far has reached the workers. A no-op for clients that do not upload.
    private Task UploadCode(HashSet<Assembly>? roots)
    {
        if (roots is null || roots.Count == 0)
        {
            return PendingUploads;
        }

        List<Assembly>? fresh = null;
        lock (_codeGate)
        {
            foreach (Assembly a in roots)
            {
                if (!_seenRoots.Contains(a))
                {
                    (fresh ??= []).Add(a);
                }
            }
        }

        if (fresh is null)
        {
            return PendingUploads;
        }

        Task upload = UploadAsync(_catalog.Resolve(fresh));
        lock (_codeGate)
        {
            _seenRoots.UnionWith(fresh);
        }

        return upload;
    }

    private Task PendingUploads
    {
        get
        {
            lock (_codeGate)
            {
                return _uploads;
            }
        }
    }

    // Sends the assemblies the session does not hold yet; an assembly already uploaded under the same
    // name must be the same build. The message is queued before this returns, so it reaches the
    // scheduler before anything the caller sends next.
    private Task UploadAsync(IReadOnlyList<ShippedAssembly> assemblies)
    {
        lock (_codeGate)
        {
            var send = new List<ShippedAssembly>(assemblies.Count);
            foreach (ShippedAssembly a in assemblies)
            {
                if (_uploaded.TryGetValue(a.Name, out ShippedAssembly? existing))
                {
                    if (existing.Mvid != a.Mvid)
                    {
                        throw new InvalidOperationException(
                            $"Assembly '{a.Name}' was already uploaded in client session {Id} as another build (MVID {existing.Mvid}, now {a.Mvid}); a session keeps one build of each assembly, so connect a new client to use the new build.");
                    }

                    continue;
                }

                if (!send.Exists(s => s.Name == a.Name))
                {
                    send.Add(a);
                }
            }

            if (send.Count == 0)
            {
                return _uploads;
            }

            foreach (ShippedAssembly a in send)
            {
                _uploaded.Add(a.Name, a);
            }

            Task<CodeUploaded> reply = RequestAsync<CodeUploaded>(id => new UploadCode(id, [.. send]), CancellationToken.None);
            Task done = CheckUploadAsync(reply);
            _uploads = _uploads.IsCompletedSuccessfully ? done : Task.WhenAll(_uploads, done);

            // Nobody may await an upload made for a submit; its failure shows in the tasks that need the code.
            _ = _uploads.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return _uploads;
        }
    }

    private static async Task CheckUploadAsync(Task<CodeUploaded> reply)
    {
        CodeUploaded answer = await reply.ConfigureAwait(false);
        if (answer.Error is { } e)
        {
            throw new RemoteException(e.TypeName, e.Message, e.StackTrace, []);
        }
    }

    // The simple name and MVID of an assembly file, read from its metadata without loading it.
    private static (string Name, Guid Mvid) ReadIdentity(byte[] bytes, string path)
    {
        try
        {
            using var pe = new PEReader(new MemoryStream(bytes, writable: false));
            if (pe.HasMetadata)
            {
                MetadataReader metadata = pe.GetMetadataReader();
                if (metadata.IsAssembly)
                {
                    return (metadata.GetString(metadata.GetAssemblyDefinition().Name), metadata.GetGuid(metadata.GetModuleDefinition().Mvid));
                }
            }
        }
        catch (BadImageFormatException)
        {
        }

        throw new BadImageFormatException($"{path} is not a .NET assembly, so it cannot be uploaded as user code.", path);
    }
}
