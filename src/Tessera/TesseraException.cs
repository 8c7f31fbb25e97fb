using Tessera.Graphs;

namespace Tessera;

/// <summary>The base of Tessera's own exceptions; misuse of an API raises the BCL's exceptions instead.</summary>
public class TesseraException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TesseraException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    public TesseraException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One sentence that names the value and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public TesseraException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A task's function threw. <see cref="Exception.InnerException"/> is the original exception, with its
/// own stack trace; <see cref="Key"/> names the task.
/// </summary>
public sealed class TaskFailedException : TesseraException
{
    /// <summary>Creates the exception for a task that threw <paramref name="innerException"/>.</summary>
    /// <param name="key">The failing task's key.</param>
    /// <param name="innerException">What the task threw.</param>
    public TaskFailedException(Key key, Exception innerException)
        : base($"Task {key} failed: {innerException?.GetType().Name}: {innerException?.Message}", innerException!)
    {
        ArgumentNullException.ThrowIfNull(innerException);
        Key = key;
    }

    /// <summary>Gets the key of the task that failed.</summary>
    public Key Key { get; }
}

/// <summary>A task graph is malformed: it has a cycle, or a task refers to a key the graph lacks.</summary>
public sealed class InvalidGraphException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">A key involved in the problem (on the cycle, or the missing key).</param>
    /// <param name="message">One sentence that names the key and the fix.</param>
    public InvalidGraphException(Key key, string message)
        : base(message)
    {
        Key = key;
    }

    /// <summary>Gets a key involved in the problem: one on the cycle, or the key that is missing.</summary>
    public Key Key { get; }
}
