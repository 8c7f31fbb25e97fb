namespace Tessera.Distributed.Comm;

/// <summary>
/// Settings of the wire layer for one listener or connection: timeouts, batching and the sanity
/// limits on incoming messages. Immutable; derive variants with a <c>with</c> expression.
/// </summary>
public sealed record CommOptions
{
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _batchWindow = TimeSpan.Zero;
    private int _maxHeaderSize = 64 * 1024 * 1024;
    private int _maxBufferSize = 1024 * 1024 * 1024;
    private int _maxBuffersPerMessage = 65_536;
    private string _role = string.Empty;

    /// <summary>Gets the options every connection uses unless told otherwise.</summary>
    public static CommOptions Default { get; } = new();

    /// <summary>
    /// Gets how long opening a connection may take, the Tessera handshake included (default 10 s).
    /// A listener gives an accepted connection the same time to complete its handshake, and
    /// disposing a connection waits at most this long for queued messages to be written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(int.MaxValue));
            _connectTimeout = value;
        }
    }

    /// <summary>
    /// Gets the least time between two flushes of one connection (default zero: none).
    /// </summary>
    /// <remarks>
    /// <para>With zero, a message sent on an idle connection is written at once, and messages sent
    /// while a write is in progress are written together by the next one — a busy connection
    /// coalesces on its own, and nothing ever waits for a timer.</para>
    /// <para>A positive window (Dask uses 2–5 ms) makes a connection flush at most once per window:
    /// a message on a connection idle for longer than the window still goes out at once, but a
    /// burst of messages is held back until the window has passed since the previous flush. That
    /// trades up to one window of latency per message for fewer system calls, packets and wake-ups
    /// on both ends when many tiny messages flow, e.g. task-state updates from the scheduler.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan BatchWindow
    {
        get => _batchWindow;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(int.MaxValue));
            _batchWindow = value;
        }
    }

    /// <summary>
    /// Gets the largest control header, in bytes, that this side sends or accepts (default 64 MiB).
    /// A peer that sends a larger one has its connection closed with a <see cref="CommClosedException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxHeaderSize
    {
        get => _maxHeaderSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxHeaderSize = value;
        }
    }

    /// <summary>
    /// Gets the largest bulk buffer, in bytes, that this side sends or accepts (default 1 GiB; at
    /// most <see cref="Array.MaxLength"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="Array.MaxLength"/>.</exception>
    public int MaxBufferSize
    {
        get => _maxBufferSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Array.MaxLength);
            _maxBufferSize = value;
        }
    }

    /// <summary>Gets the largest number of bulk buffers in one message that this side sends or accepts (default 65,536).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above 16,777,216.</exception>
    public int MaxBuffersPerMessage
    {
        get => _maxBuffersPerMessage;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 24);
            _maxBuffersPerMessage = value;
        }
    }

    /// <summary>
    /// Gets what this end is (for example "scheduler", "worker" or "client"), announced to the peer
    /// in the handshake and visible there as <see cref="IConnection.RemoteRole"/>; empty by default.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public string Role
    {
        get => _role;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _role = value;
        }
    }

    /// <summary>Gets the protocol name announced in the handshake; changed only by tests.</summary>
    internal string ProtocolName { get; init; } = Handshake.ProtocolName;

    /// <summary>Gets the protocol version announced in the handshake; changed only by tests.</summary>
    internal int ProtocolVersion { get; init; } = Handshake.ProtocolVersion;
}
