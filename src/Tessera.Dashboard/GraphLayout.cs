using Tessera.Distributed;
using Tessera.Distributed.Scheduler;

namespace Tessera.Dashboard;

/// <summary>
/// Places the tasks of a graph for the Graph page, off the scheduler's event loop and in linear time:
/// a task's layer is its dependency depth (0 for tasks with no dependency the scheduler still tracks,
/// else one more than its deepest dependency), and within a layer tasks are ordered by the mean
/// position of their dependencies (tasks with none by prefix, then key), so that chains stay level.
/// </summary>
internal static class GraphLayout
{
    public static GraphJson Build(SchedulerGraph graph)
    {
        PrefixJson[] prefixes = [.. graph.Prefixes.Select(p => new PrefixJson(p.Prefix, DashboardJson.Counts(p.Counts)))];
        PrefixEdgeJson[] prefixEdges = [.. graph.PrefixEdges.Select(e => new PrefixEdgeJson(e.From, e.To, e.Count))];
        if (graph.Tasks is not { } tasks)
        {
            return new GraphJson(graph.Time.ToUnixTimeMilliseconds() / 1000.0, graph.TaskCount, graph.Limit, true, 0, [], [], prefixes, prefixEdges);
        }

        int[] layer = Layers(tasks);
        int layerCount = tasks.Count == 0 ? 0 : layer.Max() + 1;
        var byLayer = new List<int>[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            byLayer[l] = [];
        }

        for (int i = 0; i < tasks.Count; i++)
        {
            byLayer[layer[i]].Add(i);
        }

        var position = new double[tasks.Count];
        byLayer.FirstOrDefault()?.Sort((a, b) => (string.CompareOrdinal(tasks[a].Prefix, tasks[b].Prefix), string.CompareOrdinal(tasks[a].Key, tasks[b].Key)) switch
        {
            (0, int byKey) => byKey,
            (int byPrefix, _) => byPrefix,
        });
        foreach (List<int> members in byLayer)
        {
            // Layers above the first: by the mean position of the dependencies, which are all in lower layers.
            double[] weight = [.. members.Select(i => tasks[i].Dependencies.Count == 0 ? -1 : tasks[i].Dependencies.Average(d => position[d]))];
            int[] order = [.. Enumerable.Range(0, members.Count).OrderBy(k => weight[k])];
            int[] sorted = [.. order.Select(k => members[k])];
            for (int k = 0; k < sorted.Length; k++)
            {
                position[sorted[k]] = k;
            }

            members.Clear();
            members.AddRange(sorted);
        }

        var nodes = new GraphNodeJson[tasks.Count];
        var edges = new List<int[]>();
        for (int i = 0; i < tasks.Count; i++)
        {
            GraphTask t = tasks[i];
            nodes[i] = new GraphNodeJson(t.Key, t.Prefix, StateName(t.State), layer[i], (int)position[i]);
            foreach (int d in t.Dependencies)
            {
                edges.Add([d, i]);
            }
        }

        return new GraphJson(graph.Time.ToUnixTimeMilliseconds() / 1000.0, graph.TaskCount, graph.Limit, false, layerCount, nodes, [.. edges], prefixes, prefixEdges);
    }

    /// <summary>Each task's dependency depth, found in topological order (Kahn's algorithm).</summary>
    internal static int[] Layers(IReadOnlyList<GraphTask> tasks)
    {
        var layer = new int[tasks.Count];
        var waiting = new int[tasks.Count];
        var dependents = new List<int>?[tasks.Count];
        var ready = new Queue<int>();
        for (int i = 0; i < tasks.Count; i++)
        {
            waiting[i] = tasks[i].Dependencies.Count;
            foreach (int d in tasks[i].Dependencies)
            {
                (dependents[d] ??= []).Add(i);
            }

            if (waiting[i] == 0)
            {
                ready.Enqueue(i);
            }
        }

        while (ready.TryDequeue(out int i))
        {
            foreach (int j in dependents[i] ?? [])
            {
                layer[j] = Math.Max(layer[j], layer[i] + 1);
                if (--waiting[j] == 0)
                {
                    ready.Enqueue(j);
                }
            }
        }

        return layer;
    }

    public static string StateName(TaskStateKind state) => state switch
    {
        TaskStateKind.NoWorker => "no-worker",
        _ => state.ToString().ToLowerInvariant(),
    };
}
