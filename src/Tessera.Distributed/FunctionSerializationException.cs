namespace Tessera.Distributed;

/// <summary>
/// A function cannot be shipped to a worker, or a worker cannot rebuild it: it captures something
/// that is not plain data, it is a dynamic or multicast delegate, or the worker has another build
/// of the user code.
/// </summary>
/// <remarks>
/// <see cref="Path"/> names where the problem is, starting at the function (<c>fn</c>): for example
/// <c>fn.Target.stream</c> is the captured variable <c>stream</c>. The message is one sentence that
/// names the offending value and the fix.
/// </remarks>
public sealed class FunctionSerializationException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    public FunctionSerializationException()
    {
        Path = "fn";
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    public FunctionSerializationException(string message)
        : base(message)
    {
        Path = "fn";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public FunctionSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "fn";
    }

    /// <summary>Creates the exception for a problem at a capture path.</summary>
    /// <param name="path">Where the problem is, such as <c>fn.Target.stream</c>.</param>
    /// <param name="message">The full message, which starts with the path.</param>
    public FunctionSerializationException(string path, string message)
        : base(message)
    {
        Path = path;
    }

    /// <summary>Gets where the problem is, starting at the function: <c>fn</c>, <c>fn.Target</c>, <c>fn.Target.stream</c>, ….</summary>
    public string Path { get; }
}
