namespace Tessera.Distributed;

/// <summary>
/// A value (a graph literal, a task result, an argument) cannot be serialized because it is not
/// plain data: a resource, a framework type outside the allow-list, or a Tessera collection.
/// </summary>
public sealed class ValueSerializationException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    public ValueSerializationException()
    {
        Path = "value";
        TypeName = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    public ValueSerializationException(string message)
        : base(message)
    {
        Path = "value";
        TypeName = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public ValueSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "value";
        TypeName = string.Empty;
    }

    /// <summary>Creates the exception for a value at a path.</summary>
    /// <param name="path">Where the value is, such as <c>value.Items[3]</c> or <c>graph[('x', 0)].args[1]</c>.</param>
    /// <param name="typeName">The value's type.</param>
    /// <param name="message">The full message, which starts with the path.</param>
    public ValueSerializationException(string path, string typeName, string message)
        : base(message)
    {
        Path = path;
        TypeName = typeName;
    }

    /// <summary>Gets where the value is.</summary>
    public string Path { get; }

    /// <summary>Gets the name of the value's type.</summary>
    public string TypeName { get; }
}
