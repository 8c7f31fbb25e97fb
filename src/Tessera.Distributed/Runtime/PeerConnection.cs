using System.Threading.Channels;
using Tessera.Distributed.Protocol;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// A message channel with an outgoing queue drained by one writer task, so callers (the scheduler's
/// event loop above all) never wait on the network. The wire layer coalesces what the writer sends
/// in a burst.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly Channel<Message> _outgoing = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public PeerConnection(IMessageChannel channel)
    {
        Transport = channel;
        _writer = Task.Run(WriteLoopAsync);
    }

    public IMessageChannel Transport { get; }

    public string RemoteAddress => Transport.RemoteAddress;

    /// <summary>Queues a message; never blocks. Messages after the connection broke are dropped.</summary>
    public void Post(Message message) => _outgoing.Writer.TryWrite(message);

    public ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken) => Transport.ReceiveAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or CommClosedException or OperationCanceledException)
        {
        }

        await Transport.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        ChannelReader<Message> reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out Message? m))
                {
                    await Transport.SendAsync(m).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is CommClosedException or ObjectDisposedException or IOException)
        {
            // The reader side notices the broken connection and reports it.
            _outgoing.Writer.TryComplete();
        }
    }
}
