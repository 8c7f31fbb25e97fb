namespace Tessera.Distributed;

/// <summary>
/// A message asked to create a type that may not be created from the wire: it is neither on the
/// framework allow-list, nor one of Tessera's own, nor in an assembly the session trusts.
/// </summary>
/// <remarks>
/// Running client code on workers is remote code execution by design, but only for clients that
/// uploaded or were trusted with that code; this exception keeps any other type out.
/// </remarks>
public sealed class DisallowedTypeException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    public DisallowedTypeException()
    {
        TypeName = string.Empty;
        AssemblyName = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One sentence that names the type and the fix.</param>
    public DisallowedTypeException(string message)
        : base(message)
    {
        TypeName = string.Empty;
        AssemblyName = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One sentence that names the type and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public DisallowedTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
        TypeName = string.Empty;
        AssemblyName = string.Empty;
    }

    /// <summary>Creates the exception for a refused type.</summary>
    /// <param name="typeName">The full name of the refused type.</param>
    /// <param name="assemblyName">The simple name of its assembly.</param>
    /// <param name="message">One sentence that names the type and the fix.</param>
    public DisallowedTypeException(string typeName, string assemblyName, string message)
        : base(message)
    {
        TypeName = typeName;
        AssemblyName = assemblyName;
    }

    /// <summary>Gets the full name of the refused type.</summary>
    public string TypeName { get; }

    /// <summary>Gets the simple name of the refused type's assembly.</summary>
    public string AssemblyName { get; }
}
