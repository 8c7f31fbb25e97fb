using System.Security.Cryptography;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// A user assembly uploaded to workers: its simple name, module version id (which identifies the
/// build), SHA-256 of its bytes (which names the content), and the bytes themselves.
/// </summary>
public sealed class ShippedAssembly
{
    /// <summary>Creates the description of an uploaded assembly.</summary>
    /// <param name="name">The assembly's simple name.</param>
    /// <param name="mvid">The module version id of its manifest module.</param>
    /// <param name="sha256">The SHA-256 hash of <paramref name="bytes"/> (32 bytes).</param>
    /// <param name="bytes">The assembly file's bytes.</param>
    /// <exception cref="ArgumentException">The hash is not 32 bytes long.</exception>
    public ShippedAssembly(string name, Guid mvid, ReadOnlyMemory<byte> sha256, ReadOnlyMemory<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"The SHA-256 hash of assembly '{name}' must be {SHA256.HashSizeInBytes} bytes, not {sha256.Length}.", nameof(sha256));
        }

        Name = name;
        Mvid = mvid;
        Sha256 = sha256;
        Bytes = bytes;
    }

    /// <summary>Gets the assembly's simple name.</summary>
    public string Name { get; }

    /// <summary>Gets the module version id of the assembly's manifest module: a new one for every build.</summary>
    public Guid Mvid { get; }

    /// <summary>Gets the SHA-256 hash of <see cref="Bytes"/>.</summary>
    public ReadOnlyMemory<byte> Sha256 { get; }

    /// <summary>Gets the SHA-256 hash as lower-case hexadecimal text: the content address of the assembly.</summary>
    public string ContentId => Convert.ToHexStringLower(Sha256.Span);

    /// <summary>Gets the assembly file's bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Checks that <see cref="Bytes"/> hash to <see cref="Sha256"/>.</summary>
    /// <returns><see langword="true"/> when the content is intact.</returns>
    public bool VerifyContent()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Bytes.Span, hash);
        return hash.SequenceEqual(Sha256.Span);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (MVID {Mvid}, {Bytes.Length} bytes)";
}
