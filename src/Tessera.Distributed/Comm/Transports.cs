namespace Tessera.Distributed.Comm;

/// <summary>
/// The transports Tessera knows, chosen by the scheme of an address: <c>tcp://host:port</c> and
/// <c>inproc://name</c>.
/// </summary>
public static class Transports
{
    /// <summary>Gets the TCP transport (<c>tcp://host:port</c>; port 0 picks a free port).</summary>
    public static ITransport Tcp => TcpTransport.Instance;

    /// <summary>Gets the in-process transport (<c>inproc://name</c>; an empty name picks a fresh one).</summary>
    public static ITransport InProc => InProcTransport.Instance;

    /// <summary>Chooses the transport for an address by its scheme.</summary>
    /// <param name="address">An address such as <c>tcp://127.0.0.1:8786</c>.</param>
    /// <returns>The transport serving that scheme.</returns>
    /// <exception cref="ArgumentException">The address has no scheme, or one no transport serves; the message names it.</exception>
    public static ITransport ForAddress(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        int end = address.IndexOf("://", StringComparison.Ordinal);
        if (end <= 0)
        {
            throw new ArgumentException($"The address '{address}' has no scheme; write it as tcp://host:port or inproc://name.", nameof(address));
        }

        string scheme = address[..end];
        if (scheme.Equals(Tcp.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Tcp;
        }

        if (scheme.Equals(InProc.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return InProc;
        }

        throw new ArgumentException($"Unknown address scheme '{scheme}' in '{address}'; Tessera speaks tcp:// and inproc://.", nameof(address));
    }

    /// <summary>Starts listening at an address, with the transport its scheme names.</summary>
    /// <param name="address">The address; a TCP port of 0, or an empty in-process name, picks a free one.</param>
    /// <param name="options">Settings; <see cref="CommOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels starting to listen.</param>
    /// <returns>The listener; its <see cref="IListener.Address"/> is the real address.</returns>
    /// <exception cref="ArgumentException">The address is malformed or its scheme unknown.</exception>
    /// <exception cref="IOException">The address cannot be listened on.</exception>
    public static Task<IListener> ListenAsync(string address, CommOptions? options = null, CancellationToken cancellationToken = default) =>
        ForAddress(address).ListenAsync(address, options ?? CommOptions.Default, cancellationToken);

    /// <summary>Connects to a listener, with the transport its address's scheme names, and completes the handshake.</summary>
    /// <param name="address">The listener's address.</param>
    /// <param name="options">Settings; <see cref="CommOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The open connection.</returns>
    /// <exception cref="ArgumentException">The address is malformed or its scheme unknown.</exception>
    /// <exception cref="CommClosedException">The address could not be reached in time, or the peer is not a Tessera endpoint.</exception>
    /// <exception cref="ProtocolMismatchException">The peer speaks another protocol version.</exception>
    public static Task<IConnection> ConnectAsync(string address, CommOptions? options = null, CancellationToken cancellationToken = default) =>
        ForAddress(address).ConnectAsync(address, options ?? CommOptions.Default, cancellationToken);
}
