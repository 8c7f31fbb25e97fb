namespace Tessera.Distributed;

/// <summary>A connection was closed, or could not be opened, while a message was in flight.</summary>
public sealed class CommClosedException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence that names the address and what happened.</param>
    public CommClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">One sentence that names the address and what happened.</param>
    /// <param name="innerException">The cause.</param>
    public CommClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
