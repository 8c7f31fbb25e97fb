using System.Text;

namespace Tessera.Distributed;

/// <summary>
/// An exception thrown in another process (a worker), carried back as data: the original type's
/// name, its message, its stack trace as text, and its inner exceptions.
/// </summary>
/// <remarks>
/// The original exception type is not recreated (it may not exist here, and creating arbitrary
/// types from the wire is refused); <see cref="RemoteTypeName"/> names it.
/// </remarks>
public sealed class RemoteException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    public RemoteException()
    {
        RemoteTypeName = typeof(Exception).FullName!;
        InnerExceptions = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The remote exception's message.</param>
    public RemoteException(string message)
        : base(message)
    {
        RemoteTypeName = typeof(Exception).FullName!;
        InnerExceptions = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The remote exception's message.</param>
    /// <param name="innerException">The cause.</param>
    public RemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
        RemoteTypeName = typeof(Exception).FullName!;
        InnerExceptions = innerException is RemoteException r ? [r] : [];
    }

    /// <summary>Creates the representation of a remote exception.</summary>
    /// <param name="remoteTypeName">The full name of the original exception's type.</param>
    /// <param name="message">The original message.</param>
    /// <param name="remoteStackTrace">The original stack trace, as text; null when it was never thrown.</param>
    /// <param name="innerExceptions">The original inner exceptions (all of them for an <see cref="AggregateException"/>).</param>
    public RemoteException(string remoteTypeName, string message, string? remoteStackTrace, IReadOnlyList<RemoteException> innerExceptions)
        : base(message, innerExceptions is { Count: > 0 } ? innerExceptions[0] : null!)
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteTypeName);
        ArgumentNullException.ThrowIfNull(innerExceptions);
        RemoteTypeName = remoteTypeName;
        RemoteStackTrace = remoteStackTrace;
        InnerExceptions = innerExceptions;
    }

    /// <summary>Gets the full name of the original exception's type, such as <c>System.InvalidOperationException</c>.</summary>
    public string RemoteTypeName { get; }

    /// <summary>Gets the original stack trace as text, or null when the exception was never thrown.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>Gets the original inner exceptions, in order.</summary>
    public IReadOnlyList<RemoteException> InnerExceptions { get; }

    /// <summary>Gets the stack trace: the remote one, followed by where it was rethrown on this side if it was.</summary>
    public override string? StackTrace =>
        base.StackTrace is { } local
            ? (RemoteStackTrace is null ? local : RemoteStackTrace + Environment.NewLine + "   --- End of remote stack trace ---" + Environment.NewLine + local)
            : RemoteStackTrace;

    /// <summary>Describes the exception with the original type, message and remote stack trace.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(RemoteTypeName).Append(" (remote): ").Append(Message);
        foreach (RemoteException inner in InnerExceptions)
        {
            sb.Append(" ---> ").Append(inner.ToString()).AppendLine().Append("   --- End of inner exception stack trace ---");
        }

        if (!string.IsNullOrEmpty(RemoteStackTrace))
        {
            sb.AppendLine().Append(RemoteStackTrace);
        }

        return sb.ToString();
    }
}
