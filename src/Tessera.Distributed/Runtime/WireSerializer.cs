using System.Buffers;
using System.Reflection;
using Nerdbank.MessagePack;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// The runtime's view of <see cref="TesseraSerializer"/>: a task's node and a task's result each
/// become one self-contained byte block. Functions are decoded in a <see cref="CodeSession"/>
/// (cached by content hash, so a function shared by many tasks is rebuilt once).
/// </summary>
internal sealed class WireSerializer(TesseraSerializer serializer, CodeSession? session) : IWireSerializer
{
    [ThreadStatic]
    private static EncodeContext? t_context;

    private delegate void WriteItem<T>(TesseraSerializer serializer, ref MessagePackWriter writer, T item, EncodeContext context);

    /// <summary>Creates a serializer for a process that runs the same build as its peers (in-process clusters, local worker processes).</summary>
    public static WireSerializer ForSameApplication(string name) => new(new TesseraSerializer(), new CodeSession(name, trustApplicationAssemblies: true));

    public byte[] SerializeNode(Node node) => SerializeNode(node, null);

    public byte[] SerializeNode(Node node, HashSet<Assembly>? userAssemblies) => SerializeNode(node, userAssemblies, null);

    public byte[] SerializeNode(Node node, HashSet<Assembly>? userAssemblies, FunctionTable? functions) =>
        Serialize(node, userAssemblies, static (TesseraSerializer s, ref MessagePackWriter w, Node n, EncodeContext c) => s.WriteNode(ref w, n, c), functions);

    public Node DeserializeNode(byte[] bytes) => DeserializeNode(bytes, null);

    public Node DeserializeNode(byte[] bytes, Func<UInt128, byte[]?>? shippedFunctions)
    {
        SerializedMessage message = SerializedMessage.FromArray(bytes);
        DecodeContext context = serializer.CreateDecodeContext(message, session);
        context.ShippedFunctions = shippedFunctions;
        var reader = new MessagePackReader(message.Header);
        return serializer.ReadNode(ref reader, context);
    }

    public byte[] SerializeValue(object? value) => SerializeValue(value, null);

    public byte[] SerializeValue(object? value, HashSet<Assembly>? userAssemblies) =>
        Serialize(value, userAssemblies, static (TesseraSerializer s, ref MessagePackWriter w, object? v, EncodeContext c) => s.WriteValue(ref w, v, c));

    public void WriteValue(object? value, Stream destination) =>
        Encode(value, null, static (TesseraSerializer s, ref MessagePackWriter w, object? v, EncodeContext c) => s.WriteValue(ref w, v, c), message =>
        {
            message.WriteTo(destination);
            return true;
        });

    public object? DeserializeValue(byte[] bytes) => serializer.DeserializeValue(SerializedMessage.FromArray(bytes), session);

    public SerializedMessage SerializeValueParts(object? value) =>
        Encode(value, null, static (TesseraSerializer s, ref MessagePackWriter w, object? v, EncodeContext c) => s.WriteValue(ref w, v, c), static message => new SerializedMessage(message.Header.ToArray(), message.Buffers));

    public object? DeserializeValue(SerializedMessage message) => serializer.DeserializeValue(message, session);

    public IWireSerializer ForSession(CodeSession codeSession) => new WireSerializer(serializer, codeSession);

    private byte[] Serialize<T>(T item, HashSet<Assembly>? userAssemblies, WriteItem<T> write, FunctionTable? functions = null) =>
        Encode(item, userAssemblies, write, static message => message.ToArray(), functions);

    // Writes one item into this thread's scratch buffer with this thread's encode context (task specs refer
    // to the functions of `functions` by hash), and hands the message to finish (which copies it out); adds
    // the user assemblies it refers to to userAssemblies.
    private TResult Encode<T, TResult>(T item, HashSet<Assembly>? userAssemblies, WriteItem<T> write, Func<SerializedMessage, TResult> finish, FunctionTable? functions = null)
    {
        EncodeContext context = RentContext();
        context.FunctionTable = functions;
        ArrayBufferWriter<byte> buffer = ScratchBuffer.Rent();
        try
        {
            var writer = new MessagePackWriter(buffer);
            write(serializer, ref writer, item, context);
            writer.Flush();
            if (userAssemblies is not null && context.UserAssemblies.Count > 0)
            {
                userAssemblies.UnionWith(context.UserAssemblies);
            }

            return finish(new SerializedMessage(buffer.WrittenMemory, [.. context.Buffers]));
        }
        finally
        {
            ScratchBuffer.Return(buffer);
            ReturnContext(context);
        }
    }

    // One encode context per thread, reused from message to message: a context holds a handful of
    // dictionaries and sets, and a small task spec or result would otherwise allocate them all anew.
    private EncodeContext RentContext()
    {
        EncodeContext? spare = t_context;
        if (spare is not null && ReferenceEquals(spare.Serializer, serializer))
        {
            t_context = null;
            return spare;
        }

        return serializer.CreateEncodeContext();
    }

    private static void ReturnContext(EncodeContext context)
    {
        if (context.TryReset())
        {
            t_context = context;
        }
    }
}
