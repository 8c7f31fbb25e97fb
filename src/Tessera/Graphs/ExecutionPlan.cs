using System.Runtime.CompilerServices;

namespace Tessera.Graphs;

/// <summary>
/// A task graph compiled for execution: the tasks needed for the requested keys (culled), numbered
/// densely, with dependencies and dependents as flat index arrays and a static priority per task.
/// </summary>
/// <remarks>
/// Building the plan validates the graph before anything runs: a requested key that is missing
/// raises <see cref="KeyNotFoundException"/>, a reference to a missing key or a cycle raises
/// <see cref="InvalidGraphException"/>. All schedulers run plans, so they share this validation.
/// </remarks>
internal sealed class ExecutionPlan
{
    private ExecutionPlan(Key[] keys, Node[] nodes, int[] slotStart, int[] slots, int[] depStart, int[] deps, int[] dependentStart, int[] dependents, int[] outputs)
    {
        Keys = keys;
        Nodes = nodes;
        SlotStart = slotStart;
        Slots = slots;
        DepStart = depStart;
        Deps = deps;
        DependentStart = dependentStart;
        Dependents = dependents;
        Outputs = outputs;
        Priority = GraphOrder.Compute(this);
        ByPriority = new int[keys.Length];
        for (int i = 0; i < Priority.Length; i++)
        {
            ByPriority[Priority[i]] = i;
        }
    }

    /// <summary>Gets the number of tasks.</summary>
    public int Count => Keys.Length;

    /// <summary>Gets the key of each task.</summary>
    public Key[] Keys { get; }

    /// <summary>Gets the node of each task.</summary>
    public Node[] Nodes { get; }

    /// <summary>Gets where each task's reference slots start in <see cref="Slots"/> (length Count + 1).</summary>
    public int[] SlotStart { get; }

    /// <summary>Gets, per task, the task index of every reference its node makes, in evaluation order.</summary>
    public int[] Slots { get; }

    /// <summary>Gets where each task's distinct dependencies start in <see cref="Deps"/> (length Count + 1).</summary>
    public int[] DepStart { get; }

    /// <summary>Gets the distinct dependencies of every task; within a task, the order in which <see cref="GraphOrder"/> visits them.</summary>
    public int[] Deps { get; }

    /// <summary>Gets where each task's dependents start in <see cref="Dependents"/> (length Count + 1).</summary>
    public int[] DependentStart { get; }

    /// <summary>Gets the dependents of every task.</summary>
    public int[] Dependents { get; }

    /// <summary>Gets the task index of each requested key, in request order.</summary>
    public int[] Outputs { get; }

    /// <summary>Gets the static priority of each task (0 runs first); a topological order.</summary>
    public int[] Priority { get; }

    /// <summary>Gets the task at each priority.</summary>
    public int[] ByPriority { get; }

    public ReadOnlySpan<int> DependenciesOf(int task) => Deps.AsSpan(DepStart[task], DepStart[task + 1] - DepStart[task]);

    public ReadOnlySpan<int> DependentsOf(int task) => Dependents.AsSpan(DependentStart[task], DependentStart[task + 1] - DependentStart[task]);

    public ReadOnlySpan<int> SlotsOf(int task) => Slots.AsSpan(SlotStart[task], SlotStart[task + 1] - SlotStart[task]);

    /// <summary>Compiles the part of <paramref name="graph"/> that <paramref name="outputs"/> need.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="outputs">The requested keys; <see langword="null"/> keeps every key, with the keys nothing depends on as outputs.</param>
    /// <returns>The plan.</returns>
    public static ExecutionPlan Build(IReadOnlyDictionary<Key, Node> graph, IReadOnlyList<Key>? outputs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int capacity = graph.Count;
        var index = new Dictionary<Key, int>(capacity);
        var keys = new List<Key>(capacity);
        var nodes = new List<Node>(capacity);

        int[] outputIndices;
        if (outputs is null)
        {
            foreach (KeyValuePair<Key, Node> kv in graph)
            {
                index.Add(kv.Key, keys.Count);
                keys.Add(kv.Key);
                nodes.Add(kv.Value);
            }

            outputIndices = [];
        }
        else
        {
            outputIndices = new int[outputs.Count];
            for (int i = 0; i < outputs.Count; i++)
            {
                Key k = outputs[i];
                if (!index.TryGetValue(k, out int id))
                {
                    if (k.IsDefault || !graph.TryGetValue(k, out Node? node))
                    {
                        throw new KeyNotFoundException($"Requested key {k} is not in the graph; check the key's name and block index.");
                    }

                    id = keys.Count;
                    index.Add(k, id);
                    keys.Add(k);
                    nodes.Add(node);
                }

                outputIndices[i] = id;
            }
        }

        // Discover what the outputs need, breadth first, and record every reference as a slot.
        var slotStart = new List<int>(capacity + 1);
        var slots = new List<int>(capacity);
        var refs = new List<Key>();
        for (int p = 0; p < keys.Count; p++)
        {
            slotStart.Add(slots.Count);
            Node node = nodes[p];
            if (!node.HasReferences)
            {
                continue;
            }

            refs.Clear();
            node.CollectReferences(refs);
            foreach (Key r in refs)
            {
                if (!index.TryGetValue(r, out int id))
                {
                    if (!graph.TryGetValue(r, out Node? dep))
                    {
                        throw new InvalidGraphException(r, $"Task {keys[p]} refers to key {r}, which is not in the graph; add a task for {r} or fix the reference.");
                    }

                    id = keys.Count;
                    index.Add(r, id);
                    keys.Add(r);
                    nodes.Add(dep);
                }

                slots.Add(id);
            }
        }

        slotStart.Add(slots.Count);
        int n = keys.Count;
        int[] slotStartArr = [.. slotStart];
        int[] slotsArr = [.. slots];

        // Distinct dependencies per task.
        int[] depStart = new int[n + 1];
        int[] deps = new int[slotsArr.Length];
        int[] mark = new int[n];
        mark.AsSpan().Fill(-1);
        int count = 0;
        for (int t = 0; t < n; t++)
        {
            depStart[t] = count;
            for (int s = slotStartArr[t]; s < slotStartArr[t + 1]; s++)
            {
                int d = slotsArr[s];
                if (mark[d] != t)
                {
                    mark[d] = t;
                    deps[count++] = d;
                }
            }
        }

        depStart[n] = count;
        if (count != deps.Length)
        {
            Array.Resize(ref deps, count);
        }

        // Dependents, by counting.
        int[] dependentStart = new int[n + 1];
        foreach (int d in deps)
        {
            dependentStart[d + 1]++;
        }

        for (int t = 0; t < n; t++)
        {
            dependentStart[t + 1] += dependentStart[t];
        }

        int[] fill = new int[n];
        int[] dependents = new int[count];
        for (int t = 0; t < n; t++)
        {
            for (int i = depStart[t]; i < depStart[t + 1]; i++)
            {
                int d = deps[i];
                dependents[dependentStart[d] + fill[d]++] = t;
            }
        }

        if (outputs is null)
        {
            var sinks = new List<int>();
            for (int t = 0; t < n; t++)
            {
                if (dependentStart[t + 1] == dependentStart[t])
                {
                    sinks.Add(t);
                }
            }

            outputIndices = [.. sinks];
        }

        return new ExecutionPlan([.. keys], [.. nodes], slotStartArr, slotsArr, depStart, deps, dependentStart, dependents, outputIndices);
    }

    /// <summary>Gets how many bytes the plan's own arrays hold (the keys' strings and the nodes are not counted).</summary>
    public long EstimatedBytes =>
        ((long)Keys.Length * (Unsafe.SizeOf<Key>() + IntPtr.Size)) +
        (4L * (SlotStart.Length + Slots.Length + DepStart.Length + Deps.Length + DependentStart.Length + Dependents.Length + Priority.Length + ByPriority.Length));
}
