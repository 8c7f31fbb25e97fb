using CsCheck;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

/// <summary>Random partitionings of random data, and the schedulers to compute them on.</summary>
internal static class TestBags
{
    /// <summary>Chunks of small integers: each chunk becomes one partition (empty partitions included).</summary>
    public static readonly Gen<int[][]> IntChunks = Gen.Int[-30, 30].Array[0, 14].Array[1, 7];

    /// <summary>A partitioning, a scheduler choice, and whether to persist the bag first.</summary>
    public static readonly Gen<(int[][] Chunks, bool Sync, bool Persist)> Ints = Gen.Select(IntChunks, Gen.Bool, Gen.Bool);

    public static Bag<T> Of<T>(T[][] chunks, bool persist = false)
    {
        Bag<T> bag = Bag.Concat(chunks.Select(c => Bag.FromSequence(c, partitionSize: Math.Max(1, c.Length))));
        return persist ? bag.Persist(Schedulers.Sync) : bag;
    }

    public static IScheduler Scheduler(bool sync) => sync ? Schedulers.Sync : Schedulers.Threaded;

    public static T[] All<T>(T[][] chunks) => [.. chunks.SelectMany(static c => c)];

    /// <summary>Unwraps the exception a task threw.</summary>
    public static TException Inner<TException>(Action compute)
        where TException : Exception
    {
        TaskFailedException failed = Assert.Throws<TaskFailedException>(compute);
        return Assert.IsType<TException>(failed.InnerException);
    }
}
