using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>Graphs whose tasks share functions through the graph's function table, on an in-process cluster.</summary>
public sealed class FunctionTableClusterTests : InMemoryClusterTests
{
    private static readonly TaskFunction s_inc = TaskFunction.Create<long, long>(static x => x + 1, "inc");
    private static readonly TaskFunction s_sum = TaskFunction.Create<long[], long>(static xs => xs.Sum(), "sum");

    [Fact]
    public async Task GraphWithTwoFunctionsSharedByManyTasks_GivesTheLocalSchedulersResult()
    {
        var graph = new TaskGraph();
        var parts = new List<Node>();
        for (int i = 0; i < 300; i++)
        {
            graph[new Key("leaf", i)] = Node.Call(s_inc, Node.Literal((long)i));
            parts.Add(Node.Ref(new Key("leaf", i)));
        }

        graph["total"] = Node.Call(s_sum, Node.List<long>([.. parts]));
        object? expected = SyncScheduler.Instance.Get(graph, [new Key("total")])[0];

        object?[] first = await Client.GetAsync(graph, [new Key("total")]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(expected, first[0]);

        // A second graph with the same functions (a new table; the workers have the payloads already).
        TaskGraph again = new() { { "x", Node.Call(s_inc, Node.Literal(1L)) }, { "y", Node.Call(s_sum, Node.List<long>(Node.Ref("x"), Node.Literal(5L))) } };
        object?[] second = await Client.GetAsync(again, [new Key("y")]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(7L, second[0]);
    }
}
