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
        var table = new FunctionTable();
        Node[] nodes = [.. Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? Node.Call(s_inc, Node.Literal((long)i)) : Node.Call(s_add, Node.Literal((long)i), Node.Literal(1L)))];
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
    public void TaskUsingTwoFunctions_BothGoIntoTheTable()
    {
        var client = WireSerializer.ForSameApplication("client");
        var table = new FunctionTable();
        Node node = Node.Call(s_add, Node.Call(s_inc, Node.Literal(1L)), Node.Call(s_inc, Node.Literal(2L)));
        byte[] spec = client.SerializeNode(node, null, table);
        byte[][] payloads = table.ToArray()!;
        Assert.Equal(2, payloads.Length);

        var worker = WireSerializer.ForSameApplication("worker");
        Dictionary<UInt128, byte[]> shipped = payloads.ToDictionary(p => XxHash128.HashToUInt128(p));
        Assert.Equal(5L, Run(worker.DeserializeNode(spec, shipped.GetValueOrDefault)));
    }

    [Fact]
    public void WithoutTheTable_TheSpecCarriesItsFunction_AndAMissingTableIsAClearError()
    {
        var client = WireSerializer.ForSameApplication("client");
        Node node = Node.Call(s_inc, Node.Literal(41L));
        Assert.Equal(42L, Run(WireSerializer.ForSameApplication("worker").DeserializeNode(client.SerializeNode(node))));

        var table = new FunctionTable();
        byte[] spec = client.SerializeNode(node, null, table);
        var e = Assert.Throws<InvalidDataException>(() => WireSerializer.ForSameApplication("fresh").DeserializeNode(spec, null));
        Assert.Contains("function table", e.Message, StringComparison.Ordinal);
        Assert.Null(new FunctionTable().ToArray());
    }

    private static object? Run(Node node) => SyncScheduler.Instance.Get(new TaskGraph { { "x", node } }, [new Key("x")])[0];
}
