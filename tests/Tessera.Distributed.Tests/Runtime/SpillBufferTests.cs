using Tessera.Arrays;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Runtime;

public sealed class SpillBufferTests
{
    private static long SizeOf(object? value) => value is double[] xs ? 8L * xs.Length : 32;

    [Fact]
    public void AboveTheTarget_SpillsLeastRecentlyUsed_AndReadsBackEqual()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tessera-spillbuffer-" + Guid.NewGuid().ToString("N"));
        IWireSerializer serializer = TestSerializers.Create();
        using (var store = new SpillBuffer(directory, targetBytes: 2_500, SizeOf))
        {
            double[][] values = [.. Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 100).Select(j => (i * 1000.0) + j).ToArray())];
            store.Set(new Key("a", 0), values[0], serializer);
            store.Set(new Key("a", 1), values[1], serializer);
            store.Set(new Key("a", 2), values[2], serializer);

            // a-0 was used again, so a-1 is the least recently used when a-3 arrives.
            Assert.True(store.TryGetValue(new Key("a", 0), out _));
            store.Set(new Key("a", 3), values[3], serializer);
            Assert.Equal(1, store.SpillCount);
            Assert.True(store.MemoryBytes <= 2_500);
            Assert.Single(Directory.EnumerateFiles(directory));

            // Served straight from the file, in the wire format.
            Assert.True(store.TryGetSerialized(new Key("a", 1), serializer, out SerializedMessage served));
            Assert.Equal(values[1], (double[])serializer.DeserializeValue(served)!);

            // Read back into memory, which spills another.
            Assert.True(store.TryGetValue(new Key("a", 1), out object? back));
            Assert.Equal(values[1], (double[])back!);
            Assert.Equal(1, store.UnspillCount);
            Assert.Equal(4, store.Count);
            Assert.True(store.MemoryBytes <= 2_500);

            foreach (int i in new[] { 0, 1, 2, 3 })
            {
                Assert.True(store.TryGetValue(new Key("a", i), out object? v));
                Assert.Equal(values[i], (double[])v!);
            }

            foreach (int i in new[] { 0, 1, 2, 3 })
            {
                Assert.True(store.TryRemove(new Key("a", i)));
            }

            Assert.Equal(0, store.Count);
            Assert.Equal(0, store.MemoryBytes);
            Assert.Equal(0, store.SpilledBytes);
            Assert.Empty(Directory.EnumerateFiles(directory));
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void SpillsAndReads_AreRecordedForTheTaskStream_WithTheirKeysAndFileBytes()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tessera-spillbuffer-" + Guid.NewGuid().ToString("N"));
        IWireSerializer serializer = TestSerializers.Create();
        var log = new WorkerStreamLog();
        using var store = new SpillBuffer(directory, targetBytes: 2_500, SizeOf, log);
        double[][] values = [.. Enumerable.Range(0, 4).Select(i => new double[100 + i])];
        for (int i = 0; i < 3; i++)
        {
            store.Set(new Key("a", i), values[i], serializer);
        }

        Assert.Null(log.Take());

        // The fourth passes the target: the oldest is written; then a pass that leaves nothing in memory writes the other three, oldest first.
        store.Set(new Key("a", 3), values[3], serializer);
        WorkerStreamEvent first = Assert.Single(log.Take()!);
        Assert.Equal((TaskStreamKind.DiskWrite, new Key("a", 0), 1, store.SpilledBytes, (string?)null), (first.Kind, first.Key, first.KeyCount, first.Bytes, first.Peer));
        Assert.Equal(3, store.SpillUntil(0));
        WorkerStreamEvent rest = Assert.Single(log.Take()!);
        Assert.Equal((TaskStreamKind.DiskWrite, new Key("a", 1), 3, store.SpilledBytes - first.Bytes), (rest.Kind, rest.Key, rest.KeyCount, rest.Bytes));
        Assert.True(rest.DurationSeconds >= 0 && rest.StopAgoSeconds >= 0);
        Assert.Null(log.Take());

        // A file served to a peer and a file read back into memory: one read each, with the file's bytes.
        long spilled = store.SpilledBytes;
        Assert.True(store.TryGetSerialized(new Key("a", 2), serializer, out SerializedMessage served));
        Assert.True(store.TryGetValue(new Key("a", 1), out _));
        WorkerStreamEvent[] reads = log.Take()!;
        Assert.Equal([(TaskStreamKind.DiskRead, new Key("a", 2), 1), (TaskStreamKind.DiskRead, new Key("a", 1), 1)], reads.Select(r => (r.Kind, r.Key, r.KeyCount)));
        Assert.Equal(served.ToArray().Length, reads[0].Bytes);
        Assert.Equal(serializer.SerializeValue(values[1]).Length, reads[1].Bytes);

        // The file read back stays on disk: its copy in memory may leave again without a write.
        Assert.Equal(spilled, store.SpilledBytes);
    }

    [Fact]
    public void AValueReadBack_KeepsItsFile_LeavesMemoryAgainWithoutAWrite_AndIsEvictedAfterItsTask()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tessera-spillbuffer-" + Guid.NewGuid().ToString("N"));
        IWireSerializer serializer = TestSerializers.Create();
        using var store = new SpillBuffer(directory, targetBytes: 2_500, SizeOf);
        double[][] values = [.. Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 100).Select(j => (i * 1000.0) + j).ToArray())];
        store.Set(new Key("a", 0), values[0], serializer);
        store.Set(new Key("a", 1), values[1], serializer);
        Assert.Equal(2, store.SpillUntil(0));
        long onDisk = store.SpilledBytes, fileBytes = onDisk / 2;
        Assert.Equal(1_600, store.ReleasedBytes);

        Assert.True(store.TryGetValue(new Key("a", 0), out object? a0));
        Assert.Equal(values[0], (double[])a0!);
        Assert.Equal((800L, onDisk, 2), (store.MemoryBytes, store.SpilledBytes, Directory.EnumerateFiles(directory).Count()));

        // Needed room: the copy read back leaves memory, and nothing is written.
        Assert.Equal(1, store.SpillUntil(0));
        Assert.Equal((0L, 2L, onDisk), (store.MemoryBytes, store.SpillCount, store.SpilledBytes));

        // Its tasks are done with it: evicted when the last one ends its read. A value only in memory is not.
        Assert.True(store.TryBeginRead(new Key("a", 1), mayKeep: false, out _, out SpillBuffer.Reading first));
        Assert.True(store.TryBeginRead(new Key("a", 1), mayKeep: false, out _, out SpillBuffer.Reading second));
        store.EndRead(first);
        Assert.Equal(800, store.MemoryBytes);
        store.EndRead(second);
        Assert.Equal(0, store.MemoryBytes);
        store.Set(new Key("a", 2), values[2], serializer);
        Assert.True(store.TryBeginRead(new Key("a", 2), mayKeep: false, out _, out SpillBuffer.Reading third));
        store.EndRead(third);
        Assert.Equal(800, store.MemoryBytes);

        // Read again, equal; the store let go of each value that left memory and of each file buffer it read.
        Assert.True(store.TryGetValue(new Key("a", 1), out object? a1));
        Assert.Equal(values[1], (double[])a1!);
        Assert.Equal(3, store.UnspillCount);
        Assert.Equal(1_600 + 800 + 800 + (3 * fileBytes), store.ReleasedBytes);

        // Removing a value read back deletes its file too.
        Assert.True(store.TryRemove(new Key("a", 1)));
        Assert.Equal(fileBytes, store.SpilledBytes);
        Assert.Single(Directory.EnumerateFiles(directory));
    }

    [Fact]
    public void WorkerStreamLog_KeepsTheNewestUpToItsCapacity()
    {
        var log = new WorkerStreamLog();
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < WorkerStreamLog.Capacity + 5; i++)
        {
            log.Add(TaskStreamKind.Transfer, new Key("k", i), 1, i, "tcp://peer:1", now, now);
        }

        WorkerStreamEvent[] events = log.Take()!;
        Assert.Equal(WorkerStreamLog.Capacity, events.Length);
        Assert.Equal(new Key("k", 5), events[0].Key);
        Assert.Equal(new Key("k", WorkerStreamLog.Capacity + 4), events[^1].Key);
        Assert.Null(log.Take());
    }

    [Fact]
    public void AFreshValue_IsRecycledWhenItLeavesMemory_UnlessSomethingMayStillHoldIt()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tessera-spillbuffer-" + Guid.NewGuid().ToString("N"));
        IWireSerializer serializer = TestSerializers.Create();
        using var store = new SpillBuffer(directory, targetBytes: long.MaxValue, _ => 800);
        NDArray<double>[] blocks = [.. Enumerable.Range(0, 8).Select(i => NDArray<double>.Zeros(10, 10))];
        Key Block(int i) => new("b", i);
        for (int i = 0; i < blocks.Length; i++)
        {
            store.Set(Block(i), blocks[i], serializer, recyclable: i != 7);
        }

        // Freed after a task that keeps nothing of it read it: recycled.
        Assert.True(store.TryBeginRead(Block(0), mayKeep: false, out _, out SpillBuffer.Reading read));
        store.EndRead(read);
        Assert.True(store.TryRemove(Block(0)));
        Assert.Equal(1, store.Recycled);

        // Freed while a task still reads it, or after a task that may keep it (a view) read it: not recycled.
        Assert.True(store.TryBeginRead(Block(1), mayKeep: false, out _, out SpillBuffer.Reading reading));
        Assert.True(store.TryRemove(Block(1)));
        store.EndRead(reading);
        Assert.True(store.TryBeginRead(Block(2), mayKeep: true, out _, out read));
        store.EndRead(read);
        Assert.True(store.TryRemove(Block(2)));

        // Handed out, or sent (the message aliases its buffer): not recycled.
        Assert.True(store.TryGetValue(Block(3), out _));
        Assert.True(store.TryRemove(Block(3)));
        Assert.True(store.TryGetSerialized(Block(4), serializer, out _));
        Assert.True(store.TryRemove(Block(4)));
        Assert.Equal(1, store.Recycled);

        // Spilled: recycled once written; the copy read back is not the task's, so it is not recycled again.
        Assert.Equal(3, store.SpillUntil(0));
        Assert.Equal(3, store.Recycled);
        Assert.True(store.TryGetValue(Block(5), out object? back));
        Assert.Equal(new double[100], ((NDArray<double>)back!).ToArray());
        Assert.True(store.TryRemove(Block(5)));
        Assert.Equal(3, store.Recycled);
    }

    [Fact]
    public void WithoutADirectory_NeverSpills()
    {
        using var store = new SpillBuffer(null, targetBytes: 10, SizeOf);
        store.Set(new Key("x"), new double[100], TestSerializers.Create());
        Assert.Equal(0, store.SpillCount);
        Assert.Equal(0, store.SpillUntil(0));
        Assert.Equal(800, store.MemoryBytes);
    }
}
