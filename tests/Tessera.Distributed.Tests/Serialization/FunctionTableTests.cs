using System.IO.Hashing;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Distributed.Tests.Serialization;

public sealed class FunctionTableTests
{
    private static readonly TaskFunction s_inc = TaskFunction.Create<long, long>(static x => x + 1, "inc");
    private static readonly TaskFunction s_add = TaskFunction.Create<long, long, long>(static (a, b) => a + b, "add");

    [Fact]
    public void SharedByManyTasks_EachFunctionOnceInTheTable_SpecsReferToItByHash()
    {
        var client = WireSerializer.ForSameApplication("client");
        Node[] nodes = [.. Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? Node.Call(s_inc, Node.Literal((long)i)) : Node.Call(s_add, Node.Literal((long)i), Node.Literal(1L)))];
        var table = FunctionTable.For(nodes);
        byte[][] specs = [.. nodes.Select(n => client.SerializeNode(n, null, table))];

        byte[][] payloads = table.ToArray()!;
        Assert.Equal(2, payloads.Length);
        int smallest = payloads.Min(p => p.Length);
        Assert.All(specs, s => Assert.True(s.Length < smallest, $"a {s.Length}-byte spec should not carry a {smallest}-byte function"));

        // A worker given the table (and nothing else) runs every task: each is i + 1.
        var worker = WireSerializer.ForSameApplication("worker");
        Dictionary<UInt128, byte[]> shipped = payloads.ToDictionary(p => XxHash128.HashToUInt128(p));
        for (int i = 0; i < specs.Length; i++)
        {
            Node back = worker.DeserializeNode(specs[i], shipped.GetValueOrDefault);
            Assert.Equal((long)i + 1, Run(back));
        }
    }

    [Fact]
    public void GraphWithTwoFunctions_TheSharedOneGoesIntoTheTable_OneUsedOnceStaysInItsTask()
    {
        var client = WireSerializer.ForSameApplication("client");
        Node[] nodes = [Node.Call(s_add, Node.Call(s_inc, Node.Literal(1L)), Node.Literal(2L)), Node.Call(s_add, Node.Literal(3L), Node.Literal(4L)), Node.Call(s_inc, Node.Literal(9L))];
        var table = FunctionTable.For(nodes);
        Assert.True(table.Takes(s_add));
        Assert.False(table.Takes(s_inc));
        byte[][] specs = [.. nodes.Select(n => client.SerializeNode(n, null, table))];
        byte[][] payloads = table.ToArray()!;
        Assert.Single(payloads);
        Assert.True(specs[2].Length > payloads[0].Length, "the task calling inc alone carries inc");

        var worker = WireSerializer.ForSameApplication("worker");
        Dictionary<UInt128, byte[]> shipped = payloads.ToDictionary(p => XxHash128.HashToUInt128(p));
        Assert.Equal([4L, 7L, 10L], specs.Select(s => Run(worker.DeserializeNode(s, shipped.GetValueOrDefault))));
    }

    [Fact]
    public void WithoutTheTable_TheSpecCarriesItsFunction_AndAMissingTableIsAClearError()
    {
        var client = WireSerializer.ForSameApplication("client");
        Node node = Node.Call(s_inc, Node.Literal(41L));
        Assert.Equal(42L, Run(WireSerializer.ForSameApplication("worker").DeserializeNode(client.SerializeNode(node))));

        var table = FunctionTable.For([node, node]);
        byte[] spec = client.SerializeNode(node, null, table);
        var e = Assert.Throws<InvalidDataException>(() => WireSerializer.ForSameApplication("fresh").DeserializeNode(spec, null));
        Assert.Contains("function table", e.Message, StringComparison.Ordinal);
        Assert.Null(FunctionTable.For([]).ToArray());
    }

    private static object? Run(Node node) => SyncScheduler.Instance.Get(new TaskGraph { { "x", node } }, [new Key("x")])[0];
}
