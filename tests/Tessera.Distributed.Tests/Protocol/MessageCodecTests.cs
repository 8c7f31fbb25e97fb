using System.Security.Cryptography;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Protocol;

public sealed class MessageCodecTests
{
    public static TheoryData<string> Names => [.. Samples().Keys];

    private static Dictionary<string, Message> Samples()
    {
        Key[] keys = [new Key("x"), new Key("y", 1), new Key("z", 1, 2), new Key("w", [1, 2, 3, -4])];
        var error = new RemoteError("System.DivideByZeroException", "Attempted to divide by zero.", "   at Foo()");
        Message[] all =
        [
            new RegisterClient("client-1"),
            new RegisterWorker("tcp://127.0.0.1:40000", 2, 1L << 33, "w1"),
            new Welcome("sched"),
            new UpdateGraph([new WireTask(keys[1], [1, 2, 3], [keys[0], keys[2]], 7, 1), new WireTask(keys[0], [], [], 0, 0)], [keys[1]]),
            new ReleaseKeys(keys),
            new KeyInMemory(keys[3], ["tcp://a:1", "tcp://b:2"], 12345),
            new KeyErred(keys[2], keys[0], error),
            new KeyErred(keys[2], keys[0], error with { StackTrace = null }),
            new ComputeTask(keys[2], [9, 9], [new DependencyLocation(keys[0], ["tcp://a:1"], 8)], (5L << 32) | 3),
            new FreeKeys([keys[0]]),
            new TaskFinished(keys[1], 64, 0.25),
            new TaskErred(keys[1], error),
            new GetData(42, keys),
            new Data(42, [keys[0], keys[1]], [new SerializedMessage(new byte[] { 1 }, []), new SerializedMessage(new byte[] { 2, 3 }, [])], [keys[2]]),
            new Data(43, [], [], [], error),
            new Heartbeat(),
            new Heartbeat(3, 1L << 40, 123456789),
            new Close("bye"),
            new FireAndForget(keys),
            new GetWorkers(7),
            new WorkerList(7, ["tcp://a:1", "tcp://b:2"], [2, 4]),
            new UpdateData(8, [keys[0], keys[3]], [[1, 2], []]),
            new DataStored(8, null),
            new DataStored(8, error),
            new ScatteredKeys([new DependencyLocation(keys[0], ["tcp://a:1", "tcp://b:2"], 16)]),
            new RunFunction(9, [4, 5, 6]),
            new RunResult(9, [1], null),
            new RunResult(9, null, error),
            new Welcome("sched", 3),
            new ComputeTask(keys[0], [1], [], 4, Session: 3),
            new UpdateData(8, [keys[0]], [[1, 2]], Session: 3),
            new RunFunction(9, [4, 5, 6], Session: 3),
            new UploadCode(10, [Assembly("A", 1), Assembly("B", 2)]),
            new CodeUploaded(10, null),
            new CodeUploaded(10, error),
            new LoadCode(11, 3, "client-1", [Assembly("A", 1)]),
            new CodeLoaded(11, null),
            new CodeLoaded(11, error),
            new EndSession(3),
            new AddKeys(keys),
            new Restart(12, 60),
            new RestartDone(12, null),
            new RestartDone(12, error),
            new ClusterRestarted(),
            new RestartWorker(),
            new StealRequest(keys[3], 17),
            new StealResponse(keys[3], 17, true),
            new StealResponse(keys[0], 18, false),
            new ComputeTask(keys[0], [1], [], 4, 3, null, 1L << 40),
            new ComputeTask(keys[0], [1], [], 4, 3, null, 5, DependentsAfter: []),
            new ComputeTask(keys[0], [1], [], 4, 3, null, 5, DependentsAfter: [keys[1], keys[2]]),
            new ComputeTask(keys[0], [1], [], 4, 3, null, 5, FreesInputs: true),
            new TaskFinished(keys[1], 64, 0.25, 77),
            new TaskErred(keys[1], error, 77),
            new RegisterWorker("tcp://a:1", 2, 0, "gpu", [new ResourceAmount("GPU", 2), new ResourceAmount("MEM", 10e9)]),
            new RegisterWorker("tcp://a:2", 1, 1L << 30, "solo", OwnsProcess: true),
            new ComputeTask(keys[0], [1], [], 4, 3, [new ResourceAmount("GPU", 1)]),
            new UpdateGraph([new WireTask(keys[0], [1], [], 0, 0, new TaskRestrictions(["tcp://a:1", "gpu"], true, [new ResourceAmount("GPU", 0.5)]))], [keys[0]]),
            new TaskFinished(keys[1], 64, 0.25, 77, [1, 2, 3]),
            new KeyInMemory(keys[3], ["tcp://a:1"], 12345, [4, 5]),
            new Heartbeat(1, 2, 3, new TransferCounts(4, 1L << 35, 6, 7)),
            new Heartbeat(1, 2, 3, default, [new WorkerLogLine(1_700_000_000_000, SchedulerLogLevel.Warning, "Task x failed"), new WorkerLogLine(1, SchedulerLogLevel.Info, "")]),
            new Heartbeat(1, 2, 3, default, null, 187.5, 1L << 33, [new WorkerStreamEvent(TaskStreamKind.Transfer, keys[1], 2, 1L << 20, "tcp://b:2", 0.5, 0.001)]),
            new TaskStream(15, [new TaskStreamRecord(103, "tcp://a:1", 0, "x", "x", 1.5, 2.5, TaskStreamKind.DiskWrite, null, 800_000, 3)]),
            new GetTaskStream(13, 100, 5),
            new TaskStream(13, [new TaskStreamRecord(101, "tcp://a:1", 1, "('inc', 3)", "inc", 1.7e9, 1.7e9 + 0.25), new TaskStreamRecord(102, "tcp://b:2", 0, "total", "total", 1.5, 2.5)]),
            new TaskStream(14, []),
            new RetireWorkers(15, ["tcp://a:1", "local-2"]),
            new RetireWorkers(16, [], 2),
            new ReplicateKeys(16, keys, 3),
            new RebalanceKeys(17, []),
            new MoveDone(15, 2, ["tcp://a:1"], null),
            new MoveDone(16, 0, [], error),
            new AcquireReplicas(5, [new DependencyLocation(keys[1], ["tcp://a:1", "tcp://b:2"], 80)], [3], 50_000_000),
            new ReplicasAcquired(5, [keys[1]]),
            new GetWhoHas(18, keys),
            new WhoHasList(18, [keys[0], keys[1]], [["tcp://a:1"], []]),
            new RegisterNanny("tcp://127.0.0.1:40000"),
            new RestartWorkerProcess("was killed at the scheduler's request: no heartbeat for 2 s"),
            new RestartWorkerProcess("was killed at the scheduler's request: the cluster restarted", ClusterRestart: true),
            new UpdateGraph([new WireTask(keys[1], [1], [keys[0]], 1, 0), new WireTask(keys[0], [2], [], 0, 0)], [keys[1]], [[7, 8, 9], [10]], [UInt128.MaxValue, 5]),
            new ShipFunctions(3, [[7, 8, 9], [10]], [UInt128.MaxValue, 5]),
            new ShipFunctions(0, [], []),
        ];
        return all.Select((m, i) => (Name: $"{i}-{m.Op}", m)).ToDictionary(p => p.Name, p => p.m);
    }

    private static ShippedAssembly Assembly(string name, byte seed)
    {
        byte[] bytes = [seed, 2, 3];
        return new ShippedAssembly(name, new Guid([seed, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), SHA256.HashData(bytes), bytes);
    }

    [Fact]
    public void Read_UploadCode_KeepsNamesMvidsHashesAndBytes()
    {
        ShippedAssembly a = Assembly("A", 7);
        var back = (LoadCode)MessageCodec.Read(MessageCodec.Encode(new LoadCode(5, 2, "c", [a])));
        ShippedAssembly b = Assert.Single(back.Assemblies);
        Assert.Equal((a.Name, a.Mvid, a.ContentId), (b.Name, b.Mvid, b.ContentId));
        Assert.Equal(a.Bytes.ToArray(), b.Bytes.ToArray());
        Assert.True(b.VerifyContent());
        Assert.Equal((5L, 2, "c"), (back.UploadId, back.Session, back.ClientId));
    }

    [Fact]
    public void Read_UpdateGraph_KeepsTheFunctionTable_AndSharesKeyNames()
    {
        UInt128 big = (UInt128.One << 100) + 3;
        var m = new UpdateGraph([new WireTask(new Key("leaf", 0), [1], [], 0, 0), new WireTask(new Key("leaf", 1), [2], [], 1, 0)], [new Key("leaf", 1)], [[7, 8, 9], [10]], [big, 9]);
        var back = (UpdateGraph)MessageCodec.Read(MessageCodec.Encode(m));
        Assert.Equal([[7, 8, 9], [10]], back.Functions!);
        Assert.Equal([big, 9], back.FunctionHashes!);
        Assert.Equal(m.Tasks.Select(t => t.Key), back.Tasks.Select(t => t.Key));
        Assert.Same(back.Tasks[0].Key.Name, back.Tasks[1].Key.Name);
        Assert.Null(((UpdateGraph)MessageCodec.Read(MessageCodec.Encode(m with { Functions = null, FunctionHashes = null }))).Functions);
    }

    [Fact]
    public void Read_KeyClaimingAHugeIndex_IsMalformed()
    {
        // [ReleaseKeys, [[name, 2^31 - 1 indices…]]]: the claim is checked before anything is allocated
        // (InvalidDataException, or the reader's EndOfStreamException).
        byte[] bytes = [0x92, (byte)Op.ReleaseKeys, 0x91, 0xdd, 0x7f, 0xff, 0xff, 0xff, 0xa1, (byte)'k'];
        Assert.ThrowsAny<IOException>(() => MessageCodec.Read(bytes));
    }

    [Fact]
    public void Encode_KeyWithoutIndex_IsJustItsName()
    {
        byte[] bytes = MessageCodec.Encode(new ReleaseKeys([new Key("abc")]));
        Assert.Equal([0x92, (byte)Op.ReleaseKeys, 0x91, 0xa3, (byte)'a', (byte)'b', (byte)'c'], bytes);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Read_Encode_RoundTripsEveryMessage(string name)
    {
        Message m = Samples()[name];
        byte[] bytes = MessageCodec.Encode(m);
        Message back = MessageCodec.Read(bytes);
        Assert.Equal(m.GetType(), back.GetType());
        Assert.Equal(bytes, MessageCodec.Encode(back));
    }

    [Fact]
    public void Read_TaskStreamAndTransfers_KeepTheirValues()
    {
        var records = new[] { new TaskStreamRecord(101, "tcp://a:1", 1, "('inc', 3)", "inc", 1.7e9, 1.7e9 + 0.25) };
        Assert.Equal(records, ((TaskStream)MessageCodec.Read(MessageCodec.Encode(new TaskStream(5, records)))).Records);
        Assert.Equal(new GetTaskStream(6, 7, 8), MessageCodec.Read(MessageCodec.Encode(new GetTaskStream(6, 7, 8))));
        var transfers = new TransferCounts(4, 1L << 35, 6, 7);
        Assert.Equal(transfers, ((Heartbeat)MessageCodec.Read(MessageCodec.Encode(new Heartbeat(1, 2, 3, transfers)))).Transfers);

        WorkerLogLine[] lines = [new WorkerLogLine(1_700_000_000_000, SchedulerLogLevel.Error, "boom")];
        Assert.Equal(lines, ((Heartbeat)MessageCodec.Read(MessageCodec.Encode(new Heartbeat(Logs: lines)))).Logs);
        Assert.Null(((Heartbeat)MessageCodec.Read(MessageCodec.Encode(new Heartbeat()))).Logs);

        // A heartbeat from a worker without transfer counts (four fields) still reads, with none.
        byte[] old = [0x94, (byte)Op.Heartbeat, 1, 2, 3];
        Assert.Equal(new Heartbeat(1, 2, 3), MessageCodec.Read(old));
    }

    [Fact]
    public void Read_CpuSpillsAndStreamEvents_KeepTheirValues_AndAnEarlierHeartbeatStillReads()
    {
        WorkerStreamEvent[] events =
        [
            new WorkerStreamEvent(TaskStreamKind.Transfer, new Key("x", 1), 2, 1L << 33, "tcp://b:2", 0.25, 0.125),
            new WorkerStreamEvent(TaskStreamKind.DiskWrite, new Key("y"), 5, 4_000_000, null, 0, 0.5),
            new WorkerStreamEvent(TaskStreamKind.DiskRead, new Key("z", 1, 2), 1, 800_000, null, 1.5, 0.01),
        ];
        var back = (Heartbeat)MessageCodec.Read(MessageCodec.Encode(new Heartbeat(1, 2, 3, default, null, 187.5, 1L << 33, events)));
        Assert.Equal((187.5, 1L << 33), (back.CpuPercent, back.SpilledBytes));
        Assert.Equal(events, back.Events);
        Assert.Null(((Heartbeat)MessageCodec.Read(MessageCodec.Encode(new Heartbeat()))).Events);

        // A heartbeat from a worker before CPU and spills (nine fields: transfer counts and no log lines) reads with none.
        byte[] earlier = [0x99, (byte)Op.Heartbeat, 1, 2, 3, 4, 5, 6, 7, 0xc0];
        Assert.Equal(new Heartbeat(1, 2, 3, new TransferCounts(4, 5, 6, 7)), MessageCodec.Read(earlier));

        // Records of every kind keep their kind, peer, bytes and key count; a task run keeps its earlier seven fields.
        TaskStreamRecord[] records =
        [
            new TaskStreamRecord(1, "tcp://a:1", 1, "('inc', 3)", "inc", 1.7e9, 1.7e9 + 0.25),
            new TaskStreamRecord(2, "tcp://a:1", 0, "('x', 1)", "x", 1.5, 2.5, TaskStreamKind.Transfer, "tcp://b:2", 1L << 33, 2),
            new TaskStreamRecord(3, "tcp://b:2", 0, "y", "y", 1.5, 2.5, TaskStreamKind.DiskWrite, null, 4_000_000, 5),
            new TaskStreamRecord(4, "tcp://b:2", 0, "z", "z", 3, 3.5, TaskStreamKind.DiskRead, null, 800_000, 1),
        ];
        Assert.Equal(records, ((TaskStream)MessageCodec.Read(MessageCodec.Encode(new TaskStream(5, records)))).Records);
        Assert.Equal(0x97, MessageCodec.Encode(new TaskStream(5, [records[0]]))[4]);
        Assert.Equal(0x9b, MessageCodec.Encode(new TaskStream(5, [records[1]]))[4]);

        // A client asks for them; a request from a client before them (four fields) reads as asking without.
        Assert.Equal(new GetTaskStream(6, 7, 8, true), MessageCodec.Read(MessageCodec.Encode(new GetTaskStream(6, 7, 8, true))));
        Assert.Equal(new GetTaskStream(6, 7, 8, false), MessageCodec.Read(new byte[] { 0x94, (byte)Op.GetTaskStream, 6, 7, 8 }));

        // An unknown kind is another protocol version's: [..., kind, "p", 7, 1] with the kind changed.
        byte[] bytes = MessageCodec.Encode(new TaskStream(5, [records[1] with { Peer = "p", Bytes = 7, KeyCount = 1 }]));
        Assert.Equal((byte)TaskStreamKind.Transfer, bytes[^5]);
        bytes[^5] = 9;
        Assert.Throws<InvalidDataException>(() => MessageCodec.Read(bytes));
    }

    [Fact]
    public void Read_KeysAndErrors_KeepTheirValues()
    {
        var m = (KeyErred)MessageCodec.Read(MessageCodec.Encode(new KeyErred(new Key("a", 1, 2, 3), "b", new RemoteError("T", "msg", null))));
        Assert.Equal(new Key("a", 1, 2, 3), m.Key);
        Assert.Equal(new Key("b"), m.ErredOn);
        Assert.Equal(new RemoteError("T", "msg", null), m.Error);
    }

    [Fact]
    public void Read_OptionalFieldsAndLists_KeepTheirValues()
    {
        var workers = (WorkerList)MessageCodec.Read(MessageCodec.Encode(new WorkerList(3, ["tcp://a:1", "tcp://b:2"], [2, 4])));
        Assert.Equal(["tcp://a:1", "tcp://b:2"], workers.Addresses);
        Assert.Equal([2, 4], workers.Threads);
        var ok = (RunResult)MessageCodec.Read(MessageCodec.Encode(new RunResult(5, [7, 8], null)));
        Assert.Equal([7, 8], ok.Value);
        Assert.Null(ok.Error);
        var failed = (RunResult)MessageCodec.Read(MessageCodec.Encode(new RunResult(5, null, new RemoteError("T", "m", null))));
        Assert.Null(failed.Value);
        Assert.Equal(new RemoteError("T", "m", null), failed.Error);
    }

    [Fact]
    public void Read_InlineValues_KeepTheirBytesAndAreOmittedWhenAbsent()
    {
        var finished = (TaskFinished)MessageCodec.Read(MessageCodec.Encode(new TaskFinished("k", 8, 0.5, 3, [7, 8, 9])));
        Assert.Equal([7, 8, 9], finished.Value!);
        Assert.Null(((TaskFinished)MessageCodec.Read(MessageCodec.Encode(new TaskFinished("k", 8, 0.5, 3)))).Value);
        var inMemory = (KeyInMemory)MessageCodec.Read(MessageCodec.Encode(new KeyInMemory("k", ["tcp://a:1"], 8, [])));
        Assert.Equal([], inMemory.Value!);
        Assert.Null(((KeyInMemory)MessageCodec.Read(MessageCodec.Encode(new KeyInMemory("k", ["tcp://a:1"], 8)))).Value);

        // Without a value the messages keep their earlier encoding.
        Assert.Equal(0x95, MessageCodec.Encode(new TaskFinished("k", 8, 0.5, 3))[0]);
        Assert.Equal(0x94, MessageCodec.Encode(new KeyInMemory("k", ["tcp://a:1"], 8))[0]);
    }

    [Fact]
    public void Encode_DataWithBuffers_SendsLargeValueBuffersOutOfBand_WithoutACopy_AndReadsThemBack()
    {
        byte[] large = [.. Enumerable.Range(0, MessageCodec.OutOfBandBytes).Select(i => (byte)(i * 7))];
        var big = new SerializedMessage(new byte[] { 1, 2 }, [large, new byte[] { 9 }]);
        var small = new SerializedMessage(new byte[] { 3 }, [new byte[] { 4, 5 }]);
        var data = new Data(7, [new Key("a"), new Key("b")], [big, small], []);

        var buffers = new List<ReadOnlyMemory<byte>>();
        byte[] header = MessageCodec.Encode(data, buffers);
        Assert.True(header.Length < 200, $"The header holds {header.Length} bytes: the large buffer was copied into it.");
        Assert.Equal(2, buffers.Count);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(buffers[0], out ArraySegment<byte> sent));
        Assert.Same(large, sent.Array);

        var back = (Data)MessageCodec.Read(header, buffers);
        Assert.Equal([big.ToArray(), small.ToArray()], back.Values.Select(v => v.ToArray()));

        // Without a transport for buffers, each value travels as one block, as before.
        byte[] inline = MessageCodec.Encode(data);
        Assert.True(inline.Length > MessageCodec.OutOfBandBytes);
        Assert.Equal([big.ToArray(), small.ToArray()], ((Data)MessageCodec.Read(inline)).Values.Select(v => v.ToArray()));

        // A value that refers to a buffer the message did not bring is refused.
        Assert.Throws<InvalidDataException>(() => MessageCodec.Read(header, [buffers[0]]));
    }

    [Fact]
    public void Read_UnknownOperation_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => MessageCodec.Read(new byte[] { 0x91, 0xcc, 255 }));
    }
}
