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

/// <summary>
/// The two ends of a connection speak different protocols or protocol versions, so the connection
/// was refused; both ends raise this exception, each naming its own version and the peer's.
/// </summary>
public sealed class ProtocolMismatchException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="remoteAddress">The address of the peer.</param>
    /// <param name="localProtocol">The protocol name this side speaks.</param>
    /// <param name="localVersion">The protocol version this side speaks.</param>
    /// <param name="remoteProtocol">The protocol name the peer announced.</param>
    /// <param name="remoteVersion">The protocol version the peer announced.</param>
    public ProtocolMismatchException(string remoteAddress, string localProtocol, int localVersion, string remoteProtocol, int remoteVersion)
        : base($"The peer at {remoteAddress} speaks protocol '{remoteProtocol}' version {remoteVersion}, but this side speaks '{localProtocol}' version {localVersion}; run the same Tessera release on both sides.")
    {
        RemoteAddress = remoteAddress;
        LocalProtocol = localProtocol;
        LocalVersion = localVersion;
        RemoteProtocol = remoteProtocol;
        RemoteVersion = remoteVersion;
    }

    /// <summary>Gets the address of the peer.</summary>
    public string RemoteAddress { get; }

    /// <summary>Gets the protocol name this side speaks.</summary>
    public string LocalProtocol { get; }

    /// <summary>Gets the protocol version this side speaks.</summary>
    public int LocalVersion { get; }

    /// <summary>Gets the protocol name the peer announced.</summary>
    public string RemoteProtocol { get; }

    /// <summary>Gets the protocol version the peer announced.</summary>
    public int RemoteVersion { get; }
}

/// <summary>
/// The cluster was restarted (<see cref="Client.RestartAsync"/>, by this client or another) while the
/// future was pending or held its result: every task and result was dropped, so the future has no value.
/// Submit the work again.
/// </summary>
public sealed class ClusterRestartedException : TesseraException
{
    /// <summary>Creates the exception for a key.</summary>
    /// <param name="key">The key of the future whose result was dropped.</param>
    public ClusterRestartedException(Tessera.Graphs.Key key)
        : base($"The cluster was restarted, which dropped every task and result, including {key}; submit the work again.")
    {
        Key = key;
    }

    /// <summary>Gets the key of the future whose result was dropped.</summary>
    public Tessera.Graphs.Key Key { get; }
}
