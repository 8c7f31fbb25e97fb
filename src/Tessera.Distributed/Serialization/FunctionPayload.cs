using System.Reflection;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// A function encoded for shipping: self-contained MessagePack bytes (method identity plus captured
/// variables), their XxHash128 content hash, and the user assemblies a worker needs to run it.
/// </summary>
/// <remarks>
/// Payloads are cached per <see cref="Tessera.Graphs.TaskFunction"/> and per delegate, so a function
/// used by many tasks is encoded once; captured variables are therefore read when the function is
/// first serialized, and later changes to them are not seen.
/// </remarks>
public sealed class FunctionPayload
{
    internal FunctionPayload(string name, ReadOnlyMemory<byte> bytes, UInt128 hash, IReadOnlyList<Assembly> userAssemblies, PayloadWarning? warning)
    {
        Name = name;
        Bytes = bytes;
        Hash = hash;
        UserAssemblies = userAssemblies;
        Warning = warning;
    }

    /// <summary>Gets the function's display name.</summary>
    public string Name { get; }

    /// <summary>Gets the encoded function.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the XxHash128 of <see cref="Bytes"/>: equal payloads have equal hashes, so a worker decodes each once.</summary>
    public UInt128 Hash { get; }

    /// <summary>Gets the hash as 32 lower-case hexadecimal characters.</summary>
    public string HashText => Hash.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gets the user assemblies the payload refers to (roots for <see cref="AssemblyCatalog"/>).</summary>
    public IReadOnlyList<Assembly> UserAssemblies { get; }

    /// <summary>Gets the warning raised when the payload is large, or null.</summary>
    public PayloadWarning? Warning { get; }

    /// <summary>Gets a value indicating whether the function travels by its registered name only (the strict path).</summary>
    public bool IsNamed { get; internal init; }
}

/// <summary>
/// A function payload is larger than <see cref="SerializerOptions.LargeFunctionPayloadBytes"/>
/// (Dask's "large object in task graph" warning), naming the captured field that dominates it.
/// </summary>
public sealed class PayloadWarning : EventArgs
{
    internal PayloadWarning(string functionName, long payloadBytes, string? dominantPath, string? dominantType, long dominantBytes)
    {
        FunctionName = functionName;
        PayloadBytes = payloadBytes;
        DominantPath = dominantPath;
        DominantType = dominantType;
        DominantBytes = dominantBytes;
        string size = (payloadBytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        Message = dominantPath is null
            ? $"function payload is {size} MB; no single captured field dominates — scatter large captured values or pass them as arguments"
            : $"function payload is {size} MB; captured field '{ShortPath(dominantPath)}' ({dominantType}) dominates — scatter it or pass it as an argument";
    }

    /// <summary>Gets the function's display name.</summary>
    public string FunctionName { get; }

    /// <summary>Gets the payload's size in bytes.</summary>
    public long PayloadBytes { get; }

    /// <summary>Gets the capture path of the dominant field (for example <c>fn.Target.big</c>), or null when none holds half the payload.</summary>
    public string? DominantPath { get; }

    /// <summary>Gets the dominant field's value type and size, such as <c>double[100000]</c>.</summary>
    public string? DominantType { get; }

    /// <summary>Gets the bytes the dominant field takes in the payload.</summary>
    public long DominantBytes { get; }

    /// <summary>Gets the warning text.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;

    private static string ShortPath(string path) =>
        path.StartsWith("fn.Target.", StringComparison.Ordinal) ? path["fn.Target.".Length..] : path;
}
