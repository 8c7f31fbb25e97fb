using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// The function table of a graph being encoded: each distinct function payload once, in the order first
/// used. Task specifications encoded with a table refer to their functions by content hash instead of
/// carrying the payload, so a function shared by a million tasks travels once with the graph
/// (<c>UpdateGraph</c>) and once to each worker that runs one of them (<c>ShipFunctions</c>).
/// </summary>
/// <remarks>
/// Only functions that several tasks call go into the table: a worker gets the whole table, so a graph
/// whose tasks each call a function of their own (fused tasks, closures over one block) keeps those
/// functions in the tasks that call them.
/// </remarks>
/// <param name="shared">The functions that two or more of the graph's tasks call.</param>
internal sealed class FunctionTable(IReadOnlySet<TaskFunction> shared)
{
    private readonly Dictionary<UInt128, int> _index = [];
    private readonly List<byte[]> _payloads = [];
    private readonly List<UInt128> _hashes = [];

    /// <summary>Makes the table of a graph: the functions that its tasks' top-level calls share.</summary>
    public static FunctionTable For(IEnumerable<Node> tasks)
    {
        var seen = new HashSet<TaskFunction>(ReferenceEqualityComparer.Instance);
        var shared = new HashSet<TaskFunction>(ReferenceEqualityComparer.Instance);
        foreach (Node node in tasks)
        {
            if (node is CallNode call && !seen.Add(call.Function))
            {
                shared.Add(call.Function);
            }
        }

        return new FunctionTable(shared);
    }

    /// <summary>Tells whether a function goes into the table (several tasks call it).</summary>
    public bool Takes(TaskFunction function) => shared.Contains(function);

    /// <summary>Gets how many distinct payloads the table holds.</summary>
    public int Count => _payloads.Count;

    /// <summary>Adds a payload unless one with the same hash is there already.</summary>
    public void Add(FunctionPayload payload)
    {
        if (_index.TryAdd(payload.Hash, _payloads.Count))
        {
            _payloads.Add(payload.Bytes.ToArray());
            _hashes.Add(payload.Hash);
        }
    }

    /// <summary>Gets the payloads, or null when no function was added (nothing to send).</summary>
    public byte[][]? ToArray() => _payloads.Count == 0 ? null : [.. _payloads];

    /// <summary>Gets the payloads' content hashes, in the order of <see cref="ToArray"/>, or null when no function was added.</summary>
    public UInt128[]? Hashes() => _hashes.Count == 0 ? null : [.. _hashes];
}
