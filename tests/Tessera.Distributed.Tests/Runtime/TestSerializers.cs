using System.Collections.Concurrent;
using Tessera.Distributed.Runtime;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// The serializers the runtime tests use. Until the wire serializer lands this is a handle table that
/// only works inside one process.
/// </summary>
internal static class TestSerializers
{
    public static IWireSerializer Create() => new HandleSerializer();

    private sealed class HandleSerializer : IWireSerializer
    {
        private static readonly ConcurrentDictionary<long, object?> s_objects = new();
        private static long s_next;

        public byte[] SerializeNode(Node node) => Put(node);

        public Node DeserializeNode(byte[] bytes) => (Node)Get(bytes)!;

        public byte[] SerializeValue(object? value) => Put(value);

        public object? DeserializeValue(byte[] bytes) => Get(bytes);

        private static byte[] Put(object? value)
        {
            long id = Interlocked.Increment(ref s_next);
            s_objects[id] = value;
            return BitConverter.GetBytes(id);
        }

        private static object? Get(byte[] bytes) => s_objects[BitConverter.ToInt64(bytes)];
    }
}
