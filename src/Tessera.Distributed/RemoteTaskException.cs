namespace Tessera.Distributed;

/// <summary>
/// An exception thrown by a task on a worker, carried to the client: the original exception's type
/// name, message and stack trace (the type itself may not exist in the client's process).
/// </summary>
public sealed class RemoteTaskException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="remoteTypeName">The full type name of the exception on the worker.</param>
    /// <param name="remoteMessage">Its message.</param>
    /// <param name="remoteStackTrace">Its stack trace on the worker.</param>
    public RemoteTaskException(string remoteTypeName, string remoteMessage, string? remoteStackTrace)
        : base($"{remoteTypeName}: {remoteMessage}")
    {
        RemoteTypeName = remoteTypeName;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Gets the full type name of the exception on the worker.</summary>
    public string RemoteTypeName { get; }

    /// <summary>Gets the exception's message on the worker.</summary>
    public string RemoteMessage { get; }

    /// <summary>Gets the stack trace on the worker.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string? StackTrace => RemoteStackTrace is null ? base.StackTrace : RemoteStackTrace + Environment.NewLine + "   --- on the client ---" + Environment.NewLine + base.StackTrace;
}
