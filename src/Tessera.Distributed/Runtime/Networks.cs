using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Runtime;

/// <summary>Chooses the message network for an address: in-memory for <c>memory://</c>, the wire transports otherwise.</summary>
internal static class Networks
{
    /// <summary>
    /// The wire options of the runtime's connections: the defaults, except that a control header may
    /// be as large as a bulk buffer (1 GiB). A graph travels as one UpdateGraph header of about 270
    /// bytes per task, so the default 64 MiB stopped graphs at about 240,000 tasks.
    /// </summary>
    private static readonly CommOptions s_options = CommOptions.Default with { MaxHeaderSize = CommOptions.Default.MaxBufferSize };

    public static IMessageNetwork For(string address, string role) =>
        address.StartsWith("memory://", StringComparison.Ordinal)
            ? InMemoryNetwork.Instance
            : new TransportNetwork(s_options, role);
}
