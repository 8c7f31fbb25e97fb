using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Diagnostics.Tests;

/// <summary>Graphs and schedulers shared by the diagnostics tests.</summary>
internal static class TestGraphs
{
    private static readonly TaskFunction s_inc = TaskFunction.Create((long x) => x + 1, "inc");
    private static readonly TaskFunction s_sum = TaskFunction.Create((IReadOnlyList<long> xs) => xs.Sum(), "sum");

    public static IScheduler Scheduler(string name) => name switch
    {
        "sync" => SyncScheduler.Instance,
        "threads" => new ThreadedScheduler(2),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "sync or threads"),
    };

    /// <summary>A literal, <paramref name="leaves"/> inc tasks, and a sum tree of fan-in 4 over them.</summary>
    public static (TaskGraph Graph, Key Root) Tree(int leaves, TaskFunction? leaf = null)
    {
        var g = new TaskGraph { ["seed"] = Node.Literal(1L) };
        for (int i = 0; i < leaves; i++)
        {
            g[new Key("inc", i)] = Node.Call(leaf ?? s_inc, Node.Ref("seed"));
        }

        string level = "inc";
        int width = leaves;
        int depth = 0;
        while (width > 1)
        {
            string next = "sum-" + (char)('a' + depth++);
            int count = (width + 3) / 4;
            for (int j = 0; j < count; j++)
            {
                var items = new List<Node>();
                for (int k = j * 4; k < Math.Min((j + 1) * 4, width); k++)
                {
                    items.Add(Node.Ref(new Key(level, k)));
                }

                g[new Key(next, j)] = Node.Call(s_sum, Node.List<long>([.. items]));
            }

            level = next;
            width = count;
        }

        return (g, new Key(level, 0));
    }

    /// <summary>A task function that sleeps, to make computations last.</summary>
    public static TaskFunction Sleeping(int milliseconds) => TaskFunction.Create(
        (long x) =>
        {
            Thread.Sleep(milliseconds);
            return x;
        },
        "nap");

    /// <summary>Records what callbacks see of a computation.</summary>
    public sealed class Probe : SchedulerCallback
    {
        public ComputeStartInfo? Info { get; private set; }

        public override void OnStart(ComputeStartInfo info) => Info = info;
    }
}
