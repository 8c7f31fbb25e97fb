namespace Tessera.Distributed.Serialization;

/// <summary>
/// The function table of a graph being encoded: each distinct function payload once, in the order first
/// used. Task specifications encoded with a table refer to their functions by content hash instead of
/// carrying the payload, so a function shared by a million tasks travels once with the graph
/// (<c>UpdateGraph</c>) and once to each worker that runs one of them (<c>ShipFunctions</c>).
/// </summary>
internal sealed class FunctionTable
{
    private readonly Dictionary<UInt128, int> _index = [];
    private readonly List<byte[]> _payloads = [];

    /// <summary>Gets how many distinct payloads the table holds.</summary>
    public int Count => _payloads.Count;

    /// <summary>Adds a payload unless one with the same hash is there already.</summary>
    public void Add(FunctionPayload payload)
    {
        if (_index.TryAdd(payload.Hash, _payloads.Count))
        {
            _payloads.Add(payload.Bytes.ToArray());
        }
    }

    /// <summary>Gets the payloads, or null when no function was added (nothing to send).</summary>
    public byte[][]? ToArray() => _payloads.Count == 0 ? null : [.. _payloads];
}
