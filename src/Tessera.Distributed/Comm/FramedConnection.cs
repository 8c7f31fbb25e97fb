using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Tessera.Distributed.Comm;

/// <summary>
/// A connection over a duplex byte pipe: the Tessera handshake, message framing, the batching
/// writer and the receive loop. Transports derive from it and only say how to shut the link.
/// </summary>
/// <remarks>
/// <para>Frame layout of one message, all integers little-endian uint32:
/// <c>headerLength, bufferCount, bufferLength[bufferCount]</c>, then the header bytes, then each
/// buffer's bytes. The preamble is 8 + 4·bufferCount bytes.</para>
/// <para>Copies: the sender copies the preamble, the header and buffers below
/// <see cref="DirectThreshold"/> into the pipe (so many small messages become one write); larger
/// buffers go from the caller's memory straight to the stream when the transport has one (TCP). The
/// receiver reads each buffer into a fresh array of exactly its size: bytes already in the pipe are
/// copied from it, and the rest of a large buffer is read from the stream straight into the array,
/// so every byte is copied once after the kernel.</para>
/// <para>Lifetimes: one writer at a time owns the output (the handshake first, then
/// <see cref="WriteLoopAsync"/>), and one reader at a time owns the input (the handshake, then
/// <see cref="ReceiveAsync"/>); <see cref="DisposeAsync"/> completes each side only when its owner
/// has let go.</para>
/// </remarks>
internal abstract class FramedConnection : IConnection
{
    /// <summary>Buffers at least this large bypass the pipe where the transport has a stream.</summary>
    internal const int DirectThreshold = 64 * 1024;

    /// <summary>A message whose preamble and header fit in this many bytes is received all-or-nothing.</summary>
    private const int SmallControl = 64 * 1024;

    /// <summary>
    /// A send finds the link idle, and writes on the caller's thread, when the last flush is at
    /// least this old (or a message arrived since): sends closer together than this are a burst,
    /// written from the thread pool so that they coalesce.
    /// </summary>
    private static readonly long s_idleTicks = Stopwatch.Frequency / 50_000;

    private static readonly Action<object?> s_startWriter = state => _ = ((FramedConnection)state!).WriteLoopAsync();

    /// <summary>Large buffers are written to a pipe-only transport in slices of this size.</summary>
    private const int PipeSlice = 1024 * 1024;

    private const int ReceiveIdle = 0;
    private const int ReceiveActive = 1;
    private const int ReceiveDisposed = 2;

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Stream? _stream;
    private readonly CommOptions _options;
    private readonly long _batchWindowTicks;
    private readonly CancellationTokenSource _closing = new();

    // Send side; every field below is guarded by _sendLock except where noted.
    private readonly Lock _sendLock = new();
    private List<OutgoingMessage> _queue = [];
    private List<OutgoingMessage>? _spare = [];  // owned by the writer
    private TaskCompletionSource? _queued;       // completes when everything in _queue is written
    private bool _writing = true;                // the handshake owns the output first
    private bool _disposing;
    private TaskCompletionSource? _writerExited;
    private CommClosedException? _sendClosed;
    private long _lastFlush;                     // Stopwatch timestamp of the writer's last flush
    private volatile bool _receivedSinceFlush;   // lock-free: set by the receiver, cleared by the writer
    private long _flushes;                       // lock-free counters, for tests and benchmarks
    private long _messagesWritten;

    // Receive side.
    private int _receiveState;
    private bool _midMessage;
    private bool _handshaking = true;
    private CommClosedException? _receiveClosed;

    private int _disposed;

    protected FramedConnection(PipeReader input, PipeWriter output, Stream? stream, string localAddress, string remoteAddress, CommOptions options)
    {
        _input = input;
        _output = output;
        _stream = stream;
        _options = options;
        _batchWindowTicks = (long)(options.BatchWindow.TotalSeconds * Stopwatch.Frequency);
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
    }

    /// <inheritdoc/>
    public string LocalAddress { get; }

    /// <inheritdoc/>
    public string RemoteAddress { get; }

    /// <inheritdoc/>
    public string RemoteRole { get; private set; } = string.Empty;

    /// <summary>Gets how many times the writer has flushed; for tests of batching.</summary>
    internal long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Gets how many messages the writer has written; for tests of batching.</summary>
    internal long MessagesWritten => Interlocked.Read(ref _messagesWritten);

    /// <inheritdoc/>
    public ValueTask SendAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (CheckLimits(message) is string error)
        {
            throw new ArgumentOutOfRangeException(nameof(message), error);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Task done = Enqueue(message, out CommClosedException? closed);
        if (closed is not null)
        {
            return ValueTask.FromException(closed);
        }

        return done.IsCompleted || !cancellationToken.CanBeCanceled
            ? new ValueTask(done)
            : new ValueTask(done.WaitAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public void Post(OutgoingMessage message)
    {
        if (CheckLimits(message) is string error)
        {
            throw new ArgumentOutOfRangeException(nameof(message), error);
        }

        Enqueue(message, out CommClosedException? closed);
        if (closed is not null)
        {
            throw closed;
        }
    }

    /// <summary>
    /// Queues several messages at once, like that many <see cref="Post"/> calls but with one lock and
    /// one start of the writer, so that they share one flush; all are checked against the limits first,
    /// and none is queued when one exceeds them.
    /// </summary>
    /// <param name="messages">The messages, in the order they are to arrive.</param>
    /// <exception cref="ArgumentOutOfRangeException">A message exceeds this side's limits; nothing was queued.</exception>
    /// <exception cref="CommClosedException">The connection is closed or broken.</exception>
    internal void PostMany(ReadOnlySpan<OutgoingMessage> messages)
    {
        foreach (OutgoingMessage message in messages)
        {
            if (CheckLimits(message) is string error)
            {
                throw new ArgumentOutOfRangeException(nameof(messages), error);
            }
        }

        if (messages.Length > 0)
        {
            Enqueue(messages, out CommClosedException? closed);
            if (closed is not null)
            {
                throw closed;
            }
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        EnterReceive();
        try
        {
            if (_receiveClosed is not null)
            {
                throw Fresh(_receiveClosed);
            }

            IncomingMessage message = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            _receivedSinceFlush = true;
            return message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (_midMessage)
            {
                _receiveClosed ??= Closed("is broken: a receive was cancelled in the middle of a message");
            }

            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CommClosedException failure = e as CommClosedException ?? Broken(e);
            _receiveClosed ??= failure;
            lock (_sendLock)
            {
                _sendClosed ??= failure;
            }

            throw failure;
        }
        finally
        {
            ExitReceive();
        }
    }

    /// <summary>
    /// Closes the connection: new sends fail at once, queued messages are written (for at most
    /// <see cref="CommOptions.ConnectTimeout"/>), the peer sees the end of the stream, and a pending
    /// receive fails with <see cref="CommClosedException"/>.
    /// </summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task? writerExited = null;
        lock (_sendLock)
        {
            _disposing = true;
            _sendClosed ??= Closed("was closed by this side");
            if (_writing)
            {
                _writerExited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                writerExited = _writerExited.Task;
            }
        }

        _closing.Cancel();
        if (writerExited is not null)
        {
            try
            {
                await writerExited.WaitAsync(_options.ConnectTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The peer stopped reading; abandon the queued messages.
                _output.CancelPendingFlush();
                Abort();
                await writerExited.ConfigureAwait(false);
            }
        }

        try
        {
            _output.Complete();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The link is already gone; there is nothing left to flush to.
        }

        CloseSend();
        if (Interlocked.Exchange(ref _receiveState, ReceiveDisposed) == ReceiveIdle)
        {
            _input.Complete();
        }
        else
        {
            try
            {
                // Wakes the pending receive, which completes the input when it leaves.
                _input.CancelPendingRead();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // The receive left and completed the input meanwhile.
            }
        }

        Abort();
        _closing.Dispose();
    }

    /// <summary>Sends this side's handshake, reads the peer's and checks that they match.</summary>
    /// <param name="timeout">How long the handshake may take.</param>
    /// <param name="cancellationToken">The caller's token; its cancellation is not wrapped.</param>
    internal async Task HandshakeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            try
            {
                _output.Write(Handshake.Encode(_options.ProtocolName, _options.ProtocolVersion, _options.Role));
                CheckFlush(await _output.FlushAsync(deadline.Token).ConfigureAwait(false));
            }
            finally
            {
                ExitWriter();
            }

            byte[] prefix = new byte[Handshake.PrefixLength];
            byte[] payload;
            EnterReceive();
            try
            {
                await ReadExactAsync(prefix.AsMemory(0, 4), deadline.Token).ConfigureAwait(false);
                if (!Handshake.HasMagic(prefix.AsSpan(0, 4)))
                {
                    throw NotTessera(prefix.AsSpan(0, 4));
                }

                await ReadExactAsync(prefix.AsMemory(4), deadline.Token).ConfigureAwait(false);
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(4));
                if (length > Handshake.MaxLength)
                {
                    throw NotTessera(prefix);
                }

                payload = new byte[length];
                await ReadExactAsync(payload, deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                ExitReceive();
            }

            (string protocol, int version, string role) = Handshake.TryDecode(payload)
                ?? throw new CommClosedException($"The peer at {RemoteAddress} sent a malformed Tessera handshake ({Handshake.Describe(payload.AsSpan(0, Math.Min(payload.Length, 32)))}).");
            if (protocol != _options.ProtocolName || version != _options.ProtocolVersion)
            {
                throw new ProtocolMismatchException(RemoteAddress, _options.ProtocolName, _options.ProtocolVersion, protocol, version);
            }

            RemoteRole = role;
            _handshaking = false;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommClosedException(
                $"The peer at {RemoteAddress} did not complete the Tessera handshake within {timeout.TotalSeconds:0.###} s (CommOptions.ConnectTimeout); is it a Tessera endpoint?",
                new TimeoutException(e.Message, e));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw Broken(e);
        }
    }

    /// <summary>Half-closes the link: the peer sees the end of the stream.</summary>
    protected abstract void CloseSend();

    /// <summary>Tears the link down so that pending reads and writes end at once; idempotent.</summary>
    protected abstract void Abort();

    private static CommClosedException Fresh(CommClosedException e) =>
        e.InnerException is null ? new CommClosedException(e.Message) : new CommClosedException(e.Message, e.InnerException);

    private static string? CheckLimit(long value, int limit, string what, string option) =>
        value > limit
            ? $"The message's {what} ({value:N0} bytes) is over CommOptions.{option} ({limit:N0}); split the message or raise the limit on both sides."
            : null;

    private CommClosedException Closed(string what, Exception? inner = null) =>
        inner is null
            ? new CommClosedException($"The connection to {RemoteAddress} {what}.")
            : new CommClosedException($"The connection to {RemoteAddress} {what}.", inner);

    private CommClosedException ClosedLocally() => Closed("was closed by this side");

    private CommClosedException Broken(Exception e) =>
        Volatile.Read(ref _disposed) != 0 ? Closed("was closed by this side", e) : Closed($"broke: {e.Message}", e);

    private CommClosedException ClosedByPeer(bool midMessage) =>
        _handshaking
            ? new CommClosedException($"The peer at {RemoteAddress} closed the connection during the Tessera handshake; is it a Tessera endpoint?")
            : Closed(midMessage ? "was closed by the peer in the middle of a message" : "was closed by the peer");

    private CommClosedException OverLimit(string what, long value, int limit, string option) =>
        new($"The peer at {RemoteAddress} sent {what} of {value:N0} bytes, over CommOptions.{option} ({limit:N0}); the connection is closed. Raise the limit on this side if such messages are expected.");

    private CommClosedException NotTessera(ReadOnlySpan<byte> received) =>
        new($"The peer at {RemoteAddress} is not a Tessera endpoint: it sent {Handshake.Describe(received)} where the Tessera handshake should start.");

    private string? CheckLimits(OutgoingMessage message)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> buffers = message.Buffers;
        string? error = CheckLimit(message.Header.Length, _options.MaxHeaderSize, "header", nameof(CommOptions.MaxHeaderSize))
            ?? (buffers.Count > _options.MaxBuffersPerMessage
                ? $"The message has {buffers.Count:N0} buffers, over CommOptions.MaxBuffersPerMessage ({_options.MaxBuffersPerMessage:N0}); split the message or raise the limit on both sides."
                : null);
        for (int i = 0; i < buffers.Count && error is null; i++)
        {
            error = CheckLimit(buffers[i].Length, _options.MaxBufferSize, $"buffer {i}", nameof(CommOptions.MaxBufferSize));
        }

        return error;
    }

    private void EnterReceive()
    {
        int prior = Interlocked.CompareExchange(ref _receiveState, ReceiveActive, ReceiveIdle);
        if (prior == ReceiveActive)
        {
            throw new InvalidOperationException($"A receive is already in progress on the connection to {RemoteAddress}; receive from one loop only.");
        }

        if (prior == ReceiveDisposed)
        {
            throw _receiveClosed is null ? ClosedLocally() : Fresh(_receiveClosed);
        }
    }

    private void ExitReceive()
    {
        if (Interlocked.CompareExchange(ref _receiveState, ReceiveIdle, ReceiveActive) == ReceiveDisposed)
        {
            _input.Complete();
        }
    }

    /// <summary>Adds a message to the queue, and starts the writer if it is idle.</summary>
    /// <returns>The task of the batch the message joined (a completed task when <paramref name="closed"/> is set).</returns>
    private Task Enqueue(OutgoingMessage message, out CommClosedException? closed) => Enqueue(new ReadOnlySpan<OutgoingMessage>(in message), out closed);

    /// <summary>Adds messages to the queue, in order, and starts the writer if it is idle.</summary>
    /// <returns>The task of the batch the messages joined (a completed task when <paramref name="closed"/> is set).</returns>
    private Task Enqueue(ReadOnlySpan<OutgoingMessage> messages, out CommClosedException? closed)
    {
        TaskCompletionSource queued;
        bool startWriter = false;
        bool inline = false;
        lock (_sendLock)
        {
            if (_sendClosed is not null)
            {
                closed = Fresh(_sendClosed);
                return Task.CompletedTask;
            }

            _queue.AddRange(messages);

            queued = _queued ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_writing)
            {
                _writing = true;
                startWriter = true;
                long sinceFlush = Stopwatch.GetTimestamp() - _lastFlush;
                inline = _batchWindowTicks > 0
                    ? sinceFlush >= _batchWindowTicks
                    : _receivedSinceFlush || sinceFlush >= s_idleTicks;
            }
        }

        if (inline)
        {
            // An idle link: write on this thread, with no hand-off, until something has to wait.
            _ = WriteLoopAsync();
        }
        else if (startWriter)
        {
            // A burst (or a batch window still open): the writer drains from the thread pool
            // while this caller goes on queueing, so the burst shares few flushes.
            ThreadPool.UnsafeQueueUserWorkItem(s_startWriter, this, preferLocal: false);
        }

        closed = null;
        return queued.Task;
    }

    /// <summary>The handshake gives up the output; nothing can be queued before the connection is handed out.</summary>
    private void ExitWriter()
    {
        TaskCompletionSource? exited;
        lock (_sendLock)
        {
            Debug.Assert(_queue.Count == 0, "Messages were queued before the handshake completed.");
            _writing = false;
            exited = _writerExited;
        }

        exited?.TrySetResult();
    }

    /// <summary>
    /// Writes everything queued, flushes once, and repeats until the queue is empty. Started on the
    /// sending thread when the link was idle (see <see cref="Enqueue(ReadOnlySpan{OutgoingMessage}, out CommClosedException?)"/>), else on the thread pool;
    /// a round on the sending thread is followed by a move to the thread pool if more was queued.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        int callerThread = Environment.CurrentManagedThreadId;
        while (true)
        {
            if (_batchWindowTicks > 0)
            {
                await WaitForBatchWindowAsync().ConfigureAwait(false);
            }

            List<OutgoingMessage> batch;
            TaskCompletionSource done;
            TaskCompletionSource? exited;
            lock (_sendLock)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    exited = _writerExited;
                    batch = null!;
                    done = null!;
                }
                else
                {
                    exited = null;
                    batch = _queue;
                    _queue = _spare ?? [];
                    _spare = null;
                    done = _queued!;
                    _queued = null;
                }
            }

            if (batch is null)
            {
                exited?.TrySetResult();
                return;
            }

            try
            {
                foreach (OutgoingMessage message in batch)
                {
                    await WriteMessageAsync(message).ConfigureAwait(false);
                }

                CheckFlush(await _output.FlushAsync().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                FailWriter(e, done);
                return;
            }

            _receivedSinceFlush = false;
            lock (_sendLock)
            {
                _lastFlush = Stopwatch.GetTimestamp();
            }

            Interlocked.Increment(ref _flushes);
            Interlocked.Add(ref _messagesWritten, batch.Count);
            batch.Clear();
            _spare = batch;
            done.TrySetResult();

            if (Environment.CurrentManagedThreadId == callerThread)
            {
                bool more;
                lock (_sendLock)
                {
                    more = _queue.Count > 0;
                }

                if (more)
                {
                    // Others queued while this caller was writing: give the caller its thread back
                    // and write their messages from the thread pool.
                    await Task.Yield();
                }
            }
        }
    }

    private void FailWriter(Exception e, TaskCompletionSource done)
    {
        CommClosedException failure;
        TaskCompletionSource? queued;
        TaskCompletionSource? exited;
        lock (_sendLock)
        {
            failure = _sendClosed is not null && _disposing ? Closed("was closed by this side", e) : e as CommClosedException ?? Broken(e);
            _sendClosed ??= failure;
            queued = _queued;
            _queued = null;
            _queue.Clear();
            _writing = false;
            exited = _writerExited;
        }

        // Posted messages have no awaiter; reading Exception marks the failure observed, since it
        // also surfaces from every later call on the connection.
        done.TrySetException(failure);
        _ = done.Task.Exception;
        if (queued is not null)
        {
            queued.TrySetException(failure);
            _ = queued.Task.Exception;
        }

        exited?.TrySetResult();
    }

    private async Task WaitForBatchWindowAsync()
    {
        long lastFlush;
        lock (_sendLock)
        {
            lastFlush = _lastFlush;
        }

        long wait = lastFlush + _batchWindowTicks - Stopwatch.GetTimestamp();
        if (wait <= 0 || _closing.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closing: write what is queued now.
        }
    }

    private ValueTask WriteMessageAsync(OutgoingMessage message)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> buffers = message.Buffers;
        WritePreamble(message.Header.Span, buffers);
        for (int i = 0; i < buffers.Count; i++)
        {
            ReadOnlyMemory<byte> buffer = buffers[i];
            if (buffer.Length >= DirectThreshold)
            {
                return WriteLargeBuffersAsync(buffers, i);
            }

            _output.Write(buffer.Span);
        }

        return ValueTask.CompletedTask;
    }

    private void WritePreamble(ReadOnlySpan<byte> header, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        int count = buffers.Count;
        int size = 8 + (4 * count);
        Span<byte> span = _output.GetSpan(size);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)header.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)count);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(8 + (4 * i))..], (uint)buffers[i].Length);
        }

        _output.Advance(size);
        _output.Write(header);
    }

    private async ValueTask WriteLargeBuffersAsync(IReadOnlyList<ReadOnlyMemory<byte>> buffers, int start)
    {
        for (int i = start; i < buffers.Count; i++)
        {
            ReadOnlyMemory<byte> buffer = buffers[i];
            if (buffer.Length < DirectThreshold)
            {
                _output.Write(buffer.Span);
            }
            else if (_stream is not null)
            {
                // Everything before this buffer goes first; then the buffer, straight from the caller's memory.
                CheckFlush(await _output.FlushAsync().ConfigureAwait(false));
                await _stream.WriteAsync(buffer).ConfigureAwait(false);
            }
            else
            {
                for (int offset = 0; offset < buffer.Length; offset += PipeSlice)
                {
                    ReadOnlyMemory<byte> slice = buffer.Slice(offset, Math.Min(PipeSlice, buffer.Length - offset));
                    CheckFlush(await _output.WriteAsync(slice).ConfigureAwait(false));
                }
            }
        }
    }

    private void CheckFlush(FlushResult result)
    {
        if (result.IsCanceled)
        {
            throw Closed("was closed by this side before queued messages could be written");
        }

        if (result.IsCompleted)
        {
            throw ClosedByPeer(midMessage: false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IncomingMessage> ReadMessageAsync(CancellationToken cancellationToken)
    {
        _midMessage = false;
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                throw ClosedLocally();
            }

            if (buffer.Length >= 8)
            {
                (uint headerLength, uint count) = ReadPreamble(buffer);
                CommClosedException? bad =
                    headerLength > (uint)_options.MaxHeaderSize ? OverLimit("a header", headerLength, _options.MaxHeaderSize, nameof(CommOptions.MaxHeaderSize))
                    : count > (uint)_options.MaxBuffersPerMessage ? new CommClosedException($"The peer at {RemoteAddress} sent a message with {count:N0} buffers, over CommOptions.MaxBuffersPerMessage ({_options.MaxBuffersPerMessage:N0}); the connection is closed. Raise the limit on this side if such messages are expected.")
                    : null;
                if (bad is not null)
                {
                    _input.AdvanceTo(buffer.Start);
                    throw bad;
                }

                long tableEnd = 8 + (4L * count);
                long controlEnd = tableEnd + headerLength;
                if (buffer.Length >= controlEnd)
                {
                    // The whole control part is here: take it in one step.
                    int[] lengths = count == 0 ? [] : new int[count];
                    bad = ReadLengths(buffer.Slice(8, tableEnd - 8), lengths);
                    if (bad is not null)
                    {
                        _input.AdvanceTo(buffer.Start);
                        throw bad;
                    }

                    byte[] header = new byte[headerLength];
                    buffer.Slice(tableEnd, headerLength).CopyTo(header);
                    _input.AdvanceTo(buffer.GetPosition(controlEnd));
                    return await ReadBuffersAsync(header, lengths, cancellationToken).ConfigureAwait(false);
                }

                if (controlEnd > SmallControl)
                {
                    // A large control part is consumed as it arrives rather than buffered whole.
                    _input.AdvanceTo(buffer.GetPosition(8));
                    _midMessage = true;
                    byte[] table = new byte[tableEnd - 8];
                    await ReadExactAsync(table, cancellationToken).ConfigureAwait(false);
                    int[] lengths = new int[count];
                    bad = ReadLengths(new ReadOnlySequence<byte>(table), lengths);
                    if (bad is not null)
                    {
                        throw bad;
                    }

                    byte[] header = new byte[headerLength];
                    await ReadExactAsync(header, cancellationToken).ConfigureAwait(false);
                    return await ReadBuffersAsync(header, lengths, cancellationToken).ConfigureAwait(false);
                }
            }

            if (result.IsCompleted)
            {
                bool partial = !buffer.IsEmpty;
                _input.AdvanceTo(buffer.End);
                throw ClosedByPeer(partial);
            }

            // Nothing consumed yet, so a cancellation here leaves the connection usable.
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (uint HeaderLength, uint Count) ReadPreamble(ReadOnlySequence<byte> buffer)
    {
        Span<byte> preamble = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(preamble);
        return (BinaryPrimitives.ReadUInt32LittleEndian(preamble), BinaryPrimitives.ReadUInt32LittleEndian(preamble[4..]));
    }

    private CommClosedException? ReadLengths(ReadOnlySequence<byte> table, int[] lengths)
    {
        var reader = new SequenceReader<byte>(table);
        for (int i = 0; i < lengths.Length; i++)
        {
            reader.TryReadLittleEndian(out int length);
            if ((uint)length > (uint)_options.MaxBufferSize)
            {
                return OverLimit($"buffer {i}", (uint)length, _options.MaxBufferSize, nameof(CommOptions.MaxBufferSize));
            }

            lengths[i] = length;
        }

        return null;
    }

    private async ValueTask<IncomingMessage> ReadBuffersAsync(byte[] header, int[] lengths, CancellationToken cancellationToken)
    {
        if (lengths.Length == 0)
        {
            return new IncomingMessage(header);
        }

        _midMessage = true;
        var buffers = new ReadOnlyMemory<byte>[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] == 0)
            {
                continue;
            }

            byte[] array = ReceiveBuffers.Rent(lengths[i]);
            await ReadExactAsync(array, cancellationToken).ConfigureAwait(false);
            buffers[i] = array;
        }

        _midMessage = false;
        return new IncomingMessage(header, buffers);
    }

    /// <summary>
    /// Fills <paramref name="destination"/>: first from bytes already in the pipe, then, for a large
    /// remainder on a stream transport, straight from the stream.
    /// </summary>
    private async ValueTask ReadExactAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int remaining = destination.Length - filled;
            if (!_input.TryRead(out ReadResult result))
            {
                if (_stream is not null && remaining >= DirectThreshold)
                {
                    int read = await _stream.ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw ClosedByPeer(midMessage: true);
                    }

                    filled += read;
                    continue;
                }

                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                throw ClosedLocally();
            }

            int take = (int)Math.Min(buffer.Length, remaining);
            buffer.Slice(0, take).CopyTo(destination.Span[filled..]);
            _input.AdvanceTo(buffer.GetPosition(take));
            filled += take;
            if (take == 0 && result.IsCompleted)
            {
                throw ClosedByPeer(midMessage: true);
            }
        }
    }
}
