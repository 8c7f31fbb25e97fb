using Tessera.Distributed.Comm;
using Tessera.Distributed.Protocol;

namespace Tessera.Distributed.Runtime;

/// <summary>Carries control messages over a wire transport (TCP, or in-process pipes), encoded by <see cref="MessageCodec"/>.</summary>
internal sealed class TransportNetwork(CommOptions options, string role) : IMessageNetwork
{
    public async ValueTask<IMessageListener> ListenAsync(string address, CancellationToken cancellationToken = default) =>
        new Listener(await Transports.ListenAsync(address, options with { Role = role }, cancellationToken).ConfigureAwait(false));

    public async ValueTask<IMessageChannel> ConnectAsync(string address, CancellationToken cancellationToken = default) =>
        new ChannelAdapter(await Transports.ConnectAsync(address, options with { Role = role }, cancellationToken).ConfigureAwait(false));

    private sealed class Listener(IListener inner) : IMessageListener
    {
        public string Address => inner.Address;

        public async ValueTask<IMessageChannel> AcceptAsync(CancellationToken cancellationToken = default) =>
            new ChannelAdapter(await inner.AcceptAsync(cancellationToken).ConfigureAwait(false));

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class ChannelAdapter(IConnection connection) : IMessageChannel
    {
        public string LocalAddress => connection.LocalAddress;

        public string RemoteAddress => connection.RemoteAddress;

        public ValueTask SendAsync(Message message, CancellationToken cancellationToken = default) =>
            connection.SendAsync(Encode(message), cancellationToken);

        public void Post(Message message) => connection.Post(Encode(message));

        public void PostMany(IReadOnlyList<Message> messages)
        {
            if (connection is not FramedConnection framed)
            {
                foreach (Message m in messages)
                {
                    Post(m);
                }

                return;
            }

            var encoded = new OutgoingMessage[messages.Count];
            for (int i = 0; i < encoded.Length; i++)
            {
                encoded[i] = Encode(messages[i]);
            }

            framed.PostMany(encoded);
        }

        public async ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            IncomingMessage m = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            return MessageCodec.Read(m.Header, m.Buffers);
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();

        // Values fetched from a worker send their large buffers as frames of their own, straight from the
        // stored arrays, rather than copied into the header.
        private static OutgoingMessage Encode(Message message)
        {
            if (message is not Data)
            {
                return new OutgoingMessage(MessageCodec.Encode(message));
            }

            var buffers = new List<ReadOnlyMemory<byte>>();
            byte[] header = MessageCodec.Encode(message, buffers);
            return new OutgoingMessage(header, buffers);
        }
    }
}
