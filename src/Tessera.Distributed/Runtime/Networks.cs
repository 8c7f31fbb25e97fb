using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Runtime;

/// <summary>Chooses the message network for an address: in-memory for <c>memory://</c>, the wire transports otherwise.</summary>
internal static class Networks
{
    public static IMessageNetwork For(string address, string role) =>
        address.StartsWith("memory://", StringComparison.Ordinal)
            ? InMemoryNetwork.Instance
            : new TransportNetwork(CommOptions.Default, role);
}
