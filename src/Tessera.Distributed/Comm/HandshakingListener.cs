using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Tessera.Distributed.Comm;

/// <summary>
/// The part of a listener every transport shares: each incoming link is handshaken in the
/// background, and the outcome (a connection, or the exception that refused it) waits in a queue
/// for <see cref="AcceptAsync"/>.
/// </summary>
internal abstract class HandshakingListener : IListener
{
    private readonly Channel<object> _outcomes = Channel.CreateUnbounded<object>();
    private readonly HashSet<FramedConnection> _handshaking = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    protected HandshakingListener(string address, CommOptions options)
    {
        Address = address;
        Options = options;
    }

    /// <inheritdoc/>
    public string Address { get; }

    /// <summary>Gets the settings of this listener and the connections it accepts.</summary>
    protected CommOptions Options { get; }

    /// <inheritdoc/>
    public async ValueTask<IConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        object outcome;
        try
        {
            outcome = await _outcomes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(GetType().Name, $"The listener at {Address} was disposed.");
        }

        if (outcome is Exception e)
        {
            ExceptionDispatchInfo.Throw(e);
        }

        return (IConnection)outcome;
    }

    /// <summary>Stops accepting; connections already accepted stay open, handshakes in progress are aborted.</summary>
    /// <returns>A task that completes when the listener is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        FramedConnection[] handshaking;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            handshaking = [.. _handshaking];
            _outcomes.Writer.TryComplete();
        }

        await StopAsync().ConfigureAwait(false);
        foreach (FramedConnection connection in handshaking)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        while (_outcomes.Reader.TryRead(out object? outcome))
        {
            if (outcome is IAsyncDisposable connection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes a new link and handshakes it in the background.</summary>
    /// <param name="connection">The server side of the link.</param>
    protected void Offer(FramedConnection connection)
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _handshaking.Add(connection);
                _ = HandshakeAsync(connection);
                return;
            }
        }

        _ = connection.DisposeAsync().AsTask();
    }

    /// <summary>Stops taking new links.</summary>
    /// <returns>A task that completes when no new link will be offered.</returns>
    protected abstract ValueTask StopAsync();

    private async Task HandshakeAsync(FramedConnection connection)
    {
        object outcome;
        try
        {
            await connection.HandshakeAsync(Options.ConnectTimeout, CancellationToken.None).ConfigureAwait(false);
            outcome = connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            outcome = e;
        }

        bool published;
        lock (_lock)
        {
            _handshaking.Remove(connection);
            published = !_disposed && _outcomes.Writer.TryWrite(outcome);
        }

        if (!published && outcome is FramedConnection unwanted)
        {
            await unwanted.DisposeAsync().ConfigureAwait(false);
        }
    }
}
