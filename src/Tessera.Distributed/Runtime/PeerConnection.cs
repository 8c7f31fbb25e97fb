using System.Runtime.CompilerServices;
using Tessera.Distributed.Protocol;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// A message channel whose <see cref="Post"/> never waits for the network, so callers (the
/// scheduler's event loop above all) are not held up by a peer. Messages go straight to the wire
/// layer's queue: on an idle link the first one is written on the caller's thread at once (no
/// hand-off), and messages posted while a write is in progress are written together by the wire
/// layer's writer, so a burst shares flushes and system calls.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private Exception? _sendFailure;
    private int _closing;

    public PeerConnection(IMessageChannel channel) => Transport = channel;

    public IMessageChannel Transport { get; }

    public string RemoteAddress => Transport.RemoteAddress;

    /// <summary>
    /// Queues a message; never blocks. Messages after the connection broke are dropped (the receive
    /// side reports the broken connection). A message the wire layer refuses (over its size limits)
    /// closes the connection, so that both sides see the failure instead of waiting for an answer.
    /// </summary>
    public void Post(Message message)
    {
        try
        {
            Transport.Post(message);
        }
        catch (Exception e) when (e is CommClosedException or ObjectDisposedException or IOException)
        {
        }
        catch (ArgumentException e)
        {
            CloseRefused($"a {message.Op} message", e);
        }
    }

    /// <summary>
    /// Queues several messages that share one write, like <see cref="Post"/> otherwise: never blocks,
    /// drops them after the connection broke, and closes the connection when one exceeds the limits.
    /// </summary>
    public void PostMany(IReadOnlyList<Message> messages)
    {
        try
        {
            Transport.PostMany(messages);
        }
        catch (Exception e) when (e is CommClosedException or ObjectDisposedException or IOException)
        {
        }
        catch (ArgumentException e)
        {
            CloseRefused($"a batch of {messages.Count} messages", e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CommClosedException) when (_sendFailure is not null)
        {
            throw _sendFailure;
        }
    }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _closing, 1) == 0 ? Transport.DisposeAsync() : ValueTask.CompletedTask;

    private void CloseRefused(string what, ArgumentException e)
    {
        _sendFailure ??= new CommClosedException($"The connection to {RemoteAddress} was closed because {what} could not be sent: {e.Message}", e);
        _ = CloseAsync();
    }

    private async Task CloseAsync()
    {
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CommClosedException or ObjectDisposedException or IOException)
        {
        }
    }
}
