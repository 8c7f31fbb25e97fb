using System.Reflection;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>A connection that carries control messages (the wire layer underneath frames and batches them).</summary>
internal interface IMessageChannel : IAsyncDisposable
{
    /// <summary>Gets this side's address of the connection (for TCP, the local interface and port).</summary>
    string LocalAddress { get; }

    /// <summary>Gets the address of the other side.</summary>
    string RemoteAddress { get; }

    /// <summary>Queues a message; messages arrive in the order they were sent.</summary>
    ValueTask SendAsync(Message message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues a message without waiting for it to be written, so that messages queued in a burst
    /// share writes; messages arrive in the order they were queued. Throws
    /// <see cref="CommClosedException"/> when the connection is closed.
    /// </summary>
    void Post(Message message);

    /// <summary>
    /// Queues several messages without waiting, in order, so that they share one write (a batch of
    /// small messages from one event-loop turn); throws like <see cref="Post"/>.
    /// </summary>
    void PostMany(IReadOnlyList<Message> messages);

    /// <summary>Receives the next message; throws <see cref="CommClosedException"/> when the connection ends.</summary>
    ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken = default);
}

/// <summary>Opens and accepts message channels for one addressing scheme.</summary>
internal interface IMessageNetwork
{
    /// <summary>Listens at <paramref name="address"/> (port 0 picks a free one).</summary>
    ValueTask<IMessageListener> ListenAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Connects to <paramref name="address"/>.</summary>
    ValueTask<IMessageChannel> ConnectAsync(string address, CancellationToken cancellationToken = default);
}

/// <summary>Accepts incoming message channels.</summary>
internal interface IMessageListener : IAsyncDisposable
{
    /// <summary>Gets the address peers connect to.</summary>
    string Address { get; }

    /// <summary>Waits for the next connection.</summary>
    ValueTask<IMessageChannel> AcceptAsync(CancellationToken cancellationToken = default);
}

/// <summary>Turns task specifications and results into bytes and back.</summary>
internal interface IWireSerializer
{
    byte[] SerializeNode(Node node);

    /// <summary>Serializes a node; adds the user assemblies its functions and values come from to <paramref name="userAssemblies"/>.</summary>
    byte[] SerializeNode(Node node, HashSet<Assembly>? userAssemblies);

    /// <summary>
    /// Serializes a node whose functions go into a graph's function table (<paramref name="functions"/>),
    /// the node referring to them by hash; with null, the node carries its functions.
    /// </summary>
    byte[] SerializeNode(Node node, HashSet<Assembly>? userAssemblies, FunctionTable? functions);

    Node DeserializeNode(byte[] bytes);

    /// <summary>Deserializes a node whose functions may be in a shipped function table: <paramref name="shippedFunctions"/> gives a payload by its hash.</summary>
    Node DeserializeNode(byte[] bytes, Func<UInt128, byte[]?>? shippedFunctions);

    byte[] SerializeValue(object? value);

    /// <summary>Serializes a value; adds the user assemblies its types come from to <paramref name="userAssemblies"/>.</summary>
    byte[] SerializeValue(object? value, HashSet<Assembly>? userAssemblies);

    object? DeserializeValue(byte[] bytes);

    /// <summary>
    /// Serializes a value as its parts, without copying them into one block: the header, and buffers that
    /// alias the value's arrays (which must not change until the message has been sent).
    /// </summary>
    SerializedMessage SerializeValueParts(object? value);

    /// <summary>Deserializes a value from its parts (<see cref="SerializeValueParts"/>, or <see cref="SerializedMessage.FromArray"/> of <see cref="SerializeValue(object?)"/>'s block).</summary>
    object? DeserializeValue(SerializedMessage message);

    /// <summary>Writes a value to <paramref name="destination"/> in the format of <see cref="SerializeValue(object?)"/>, without making that array.</summary>
    void WriteValue(object? value, Stream destination);

    /// <summary>Gets a serializer that decodes in <paramref name="session"/> (a client's uploaded code on a worker).</summary>
    IWireSerializer ForSession(CodeSession session);
}

/// <summary>Decoding of values that arrived in <see cref="Data"/>.</summary>
internal static class ReceivedValues
{
    /// <summary>Decodes a received value into arrays of its own; the buffers it came in go back for reuse (<see cref="Comm.ReceiveBuffers"/>).</summary>
    public static object? DeserializeReceived(this IWireSerializer serializer, SerializedMessage message)
    {
        try
        {
            return serializer.DeserializeValue(message);
        }
        finally
        {
            Comm.ReceiveBuffers.Return(message);
        }
    }
}
