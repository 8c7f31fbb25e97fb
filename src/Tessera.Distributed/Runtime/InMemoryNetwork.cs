using System.Collections.Concurrent;
using System.Threading.Channels;
using Tessera.Distributed.Protocol;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// Message channels between components of one process (<c>memory://name</c>): messages are handed
/// over as objects, not encoded, as Dask's inproc comm does. For in-process clusters and fast tests.
/// </summary>
internal sealed class InMemoryNetwork : IMessageNetwork
{
    private static readonly ConcurrentDictionary<string, Listener> s_listeners = new(StringComparer.Ordinal);
    private static long s_next;

    public static InMemoryNetwork Instance { get; } = new();

    public ValueTask<IMessageListener> ListenAsync(string address, CancellationToken cancellationToken = default)
    {
        string name = address.StartsWith("memory://", StringComparison.Ordinal) ? address["memory://".Length..] : address;
        if (name.Length == 0 || name == "0")
        {
            name = "listener-" + Interlocked.Increment(ref s_next);
        }

        var listener = new Listener("memory://" + name);
        if (!s_listeners.TryAdd(listener.Address, listener))
        {
            throw new InvalidOperationException($"Address {listener.Address} is already in use; choose another name.");
        }

        return ValueTask.FromResult<IMessageListener>(listener);
    }

    public ValueTask<IMessageChannel> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        if (!s_listeners.TryGetValue(address, out Listener? listener))
        {
            throw new CommClosedException($"Nothing listens at {address}; start the scheduler or worker first.");
        }

        string local = "memory://peer-" + Interlocked.Increment(ref s_next);
        var a = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
        var b = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
        var client = new Endpoint(local, address, b.Reader, a.Writer);
        var server = new Endpoint(address, local, a.Reader, b.Writer);
        if (!listener.Incoming.Writer.TryWrite(server))
        {
            throw new CommClosedException($"The listener at {address} is closed.");
        }

        return ValueTask.FromResult<IMessageChannel>(client);
    }

    private sealed class Listener(string address) : IMessageListener
    {
        public string Address { get; } = address;

        public Channel<Endpoint> Incoming { get; } = Channel.CreateUnbounded<Endpoint>();

        public async ValueTask<IMessageChannel> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await Incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException e)
            {
                throw new CommClosedException($"The listener at {Address} is closed.", e);
            }
        }

        public ValueTask DisposeAsync()
        {
            s_listeners.TryRemove(Address, out _);
            Incoming.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Endpoint(string local, string remote, ChannelReader<Message> incoming, ChannelWriter<Message> outgoing) : IMessageChannel
    {
        public string LocalAddress { get; } = local;

        public string RemoteAddress { get; } = remote;

        public ValueTask SendAsync(Message message, CancellationToken cancellationToken = default)
        {
            Post(message);
            return ValueTask.CompletedTask;
        }

        public void Post(Message message)
        {
            if (!outgoing.TryWrite(message))
            {
                throw new CommClosedException($"The connection to {RemoteAddress} is closed.");
            }
        }

        public void PostMany(IReadOnlyList<Message> messages)
        {
            foreach (Message m in messages)
            {
                Post(m);
            }
        }

        public async ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException e)
            {
                throw new CommClosedException($"The connection to {RemoteAddress} is closed.", e);
            }
        }

        public ValueTask DisposeAsync()
        {
            outgoing.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
