namespace Tessera.Distributed.Comm;

/// <summary>
/// One way of moving messages between processes (or within one), chosen by an address scheme:
/// <c>tcp://host:port</c> or <c>inproc://name</c>. Every transport has the same semantics; see
/// <see cref="Transports"/> for choosing one by address.
/// </summary>
public interface ITransport
{
    /// <summary>Gets the address scheme this transport serves, such as <c>tcp</c>.</summary>
    string Scheme { get; }

    /// <summary>Starts listening at an address.</summary>
    /// <param name="address">The address; a TCP port of 0, or an empty in-process name, picks a free one.</param>
    /// <param name="options">Settings for the listener and the connections it accepts.</param>
    /// <param name="cancellationToken">Cancels starting to listen.</param>
    /// <returns>The listener; its <see cref="IListener.Address"/> is the real address.</returns>
    /// <exception cref="ArgumentException">The address is malformed or has another scheme.</exception>
    /// <exception cref="IOException">The address cannot be listened on, for example because it is in use.</exception>
    Task<IListener> ListenAsync(string address, CommOptions options, CancellationToken cancellationToken = default);

    /// <summary>Opens a connection to a listener and completes the Tessera handshake with it.</summary>
    /// <param name="address">The listener's address.</param>
    /// <param name="options">Settings for the connection.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The open connection.</returns>
    /// <exception cref="ArgumentException">The address is malformed or has another scheme.</exception>
    /// <exception cref="CommClosedException">
    /// Nothing listens at the address, it did not answer within <see cref="CommOptions.ConnectTimeout"/>,
    /// or the peer is not a Tessera endpoint; the message names the address.
    /// </exception>
    /// <exception cref="ProtocolMismatchException">The peer speaks another protocol version.</exception>
    Task<IConnection> ConnectAsync(string address, CommOptions options, CancellationToken cancellationToken = default);
}

/// <summary>Accepts incoming connections at one address.</summary>
public interface IListener : IAsyncDisposable
{
    /// <summary>Gets the address peers connect to, with the real port or name.</summary>
    string Address { get; }

    /// <summary>Waits for the next incoming connection that completed the Tessera handshake.</summary>
    /// <remarks>
    /// Handshakes run in the background, several at once, so a slow or misbehaving peer never
    /// delays the others. A peer that fails its handshake is reported by throwing here; the
    /// listener stays open, so catch <see cref="TesseraException"/> and call this again.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The connection, which the caller now owns and must dispose.</returns>
    /// <exception cref="ProtocolMismatchException">A peer spoke another protocol version; it was refused.</exception>
    /// <exception cref="CommClosedException">A peer was not a Tessera endpoint, or closed during its handshake.</exception>
    /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
    ValueTask<IConnection> AcceptAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// An open, handshaken connection that carries <see cref="OutgoingMessage"/>s one way and
/// <see cref="IncomingMessage"/>s the other, intact and in order.
/// </summary>
/// <remarks>
/// <para><see cref="SendAsync"/> and <see cref="Post"/> may be called from several threads at once;
/// messages arrive in the order they were queued. Messages are queued and written by one writer per
/// connection, which writes everything queued and then flushes once: an idle connection sends at
/// once (on the calling thread, with no hand-off), a busy one coalesces many small messages into one
/// system call (see <see cref="CommOptions.BatchWindow"/>).</para>
/// <para><see cref="ReceiveAsync"/> must be called by one loop at a time.</para>
/// <para>Once the connection breaks, or either side closes it, every call throws
/// <see cref="CommClosedException"/>; dispose it then.</para>
/// </remarks>
public interface IConnection : IAsyncDisposable
{
    /// <summary>Gets this end's address, such as <c>tcp://127.0.0.1:50512</c>.</summary>
    string LocalAddress { get; }

    /// <summary>Gets the peer's address; exception messages about this connection name it.</summary>
    string RemoteAddress { get; }

    /// <summary>Gets the role the peer announced in the handshake (<see cref="CommOptions.Role"/>).</summary>
    string RemoteRole { get; }

    /// <summary>Queues a message for sending.</summary>
    /// <param name="message">The message; its header and buffers must stay unchanged until the returned task completes.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting. A message that was already queued may still be sent, and its buffers may
    /// still be read, after the wait is cancelled.
    /// </param>
    /// <returns>
    /// A task that completes when the message has been handed to the operating system (or the
    /// in-process peer). A sender that awaits each message before sending the next gets no
    /// coalescing, and with a <see cref="CommOptions.BatchWindow"/> waits up to one window per
    /// message; queue several sends before awaiting them, or use <see cref="Post"/>.
    /// </returns>
    /// <exception cref="ArgumentException">The message exceeds this side's <see cref="CommOptions"/> limits; the connection stays usable.</exception>
    /// <exception cref="CommClosedException">The connection is closed or broken.</exception>
    ValueTask SendAsync(OutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues a message for sending without waiting for it, like Dask's <c>BatchedSend.send</c>: the
    /// way to stream many small messages from one loop, and the way to use
    /// <see cref="CommOptions.BatchWindow"/> without waiting out a window per message.
    /// </summary>
    /// <param name="message">The message; the connection owns its header and buffers from now on, so never modify them.</param>
    /// <remarks>If writing fails, the connection closes, and the failure surfaces as a
    /// <see cref="CommClosedException"/> from later calls.</remarks>
    /// <exception cref="ArgumentException">The message exceeds this side's <see cref="CommOptions"/> limits; the connection stays usable.</exception>
    /// <exception cref="CommClosedException">The connection is closed or broken.</exception>
    void Post(OutgoingMessage message);

    /// <summary>Waits for the next message from the peer.</summary>
    /// <param name="cancellationToken">
    /// Cancels the wait. Cancelling before the message has started to arrive leaves the connection
    /// usable; cancelling in the middle of a large message leaves it broken.
    /// </param>
    /// <returns>The message; its header and buffers belong to the caller.</returns>
    /// <exception cref="CommClosedException">
    /// The peer closed the connection, it broke, this side closed it, or the peer sent a message
    /// over this side's limits; the message names the remote address.
    /// </exception>
    /// <exception cref="InvalidOperationException">Another receive is in progress on this connection.</exception>
    ValueTask<IncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default);
}
