namespace Tessera.Distributed.Comm;

/// <summary>
/// A message to send: one control header (bytes the layer above encoded, usually MessagePack) and
/// zero or more bulk buffers that travel as separate frames, never copied into the header.
/// </summary>
/// <remarks>
/// The wire layer reads <see cref="Header"/> and <see cref="Buffers"/> after
/// <see cref="IConnection.SendAsync"/> returns, until the task it returned completes; do not modify
/// them before then.
/// </remarks>
public readonly struct OutgoingMessage
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _buffers;

    /// <summary>Creates a message.</summary>
    /// <param name="header">The control header.</param>
    /// <param name="buffers">The bulk buffers, in order; <see langword="null"/> for none.</param>
    public OutgoingMessage(ReadOnlyMemory<byte> header, IReadOnlyList<ReadOnlyMemory<byte>>? buffers = null)
    {
        Header = header;
        _buffers = buffers;
    }

    /// <summary>Gets the control header.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>Gets the bulk buffers, in order; empty when there are none.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers => _buffers ?? [];
}

/// <summary>A message received from the peer: its control header and its bulk buffers.</summary>
/// <remarks>
/// The header and every buffer are fresh arrays of exactly their length that belong to the receiver:
/// nothing is pooled or reused by the wire layer, so they stay valid for as long as they are
/// referenced (a worker may keep a received buffer as a stored result without copying it).
/// </remarks>
public readonly struct IncomingMessage
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _buffers;

    /// <summary>Creates a message.</summary>
    /// <param name="header">The control header.</param>
    /// <param name="buffers">The bulk buffers, in order; <see langword="null"/> for none.</param>
    public IncomingMessage(ReadOnlyMemory<byte> header, IReadOnlyList<ReadOnlyMemory<byte>>? buffers = null)
    {
        Header = header;
        _buffers = buffers;
    }

    /// <summary>Gets the control header.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>Gets the bulk buffers, in the order they were sent; empty when there are none.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers => _buffers ?? [];
}
