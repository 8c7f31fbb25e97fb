using System.Runtime.CompilerServices;
using Tessera.Scheduling;

namespace Tessera.Arrays;

/// <summary>
/// Allocates the buffers of blocks, and keeps dead large blocks from piling up in memory.
/// </summary>
/// <remarks>
/// <para>The blocks of a chunked computation are large, short-lived arrays on the large object
/// heap. NumPy frees a block the moment its last reference goes (reference counting); the .NET GC
/// frees it only at the next full collection, which comes when the large object heap's allocation
/// budget runs out. Until then dead blocks stay resident: a streaming sum of 80 MB blocks on two
/// threads peaked at 4-7 blocks instead of the 2 that are live.</para>
/// <para>So a large allocation (1 MiB or more) first runs a blocking, non-compacting full
/// collection when the large blocks allocated since the last such collection add up to at least
/// one block of the new one's size and to <c>array.gc-budget</c> bytes (default 32 MiB): the new
/// block then reuses the memory of the dead ones instead of adding to it, and at most about one
/// dead block of the usual 32-128 MiB chunk size is resident (smaller blocks: about the budget).
/// On a heap of a few megabytes of graph and bookkeeping a collection costs about a millisecond,
/// against the tens of milliseconds a block of 32 MB takes to fill. A negative budget turns the
/// collections off and leaves the GC to its own schedule.</para>
/// <para>Better still, a block is not left to the GC at all where the local scheduler can show that
/// nothing holds it any more (see <see cref="Tessera.Scheduling.IRecyclable"/>: a block made by a
/// function that declares fresh memory, read only by functions that keep nothing of it): its buffer
/// comes back here, and the next allocation of the same type and length takes it, with no
/// collection, page faults or zeroing by the kernel. Returned buffers are held weakly (a collection
/// still frees them) and up to <c>array.block-pool</c> bytes (default 64 MiB; 0 turns recycling
/// off).</para>
/// </remarks>
internal static class BlockMemory
{
    /// <summary>Allocations of at least this many bytes count as large blocks.</summary>
    public const long LargeBytes = 1 << 20;

    /// <summary>The default of <c>array.gc-budget</c>.</summary>
    public const long DefaultBudgetBytes = 32L << 20;

    /// <summary>The default of <c>array.block-pool</c>.</summary>
    public const long DefaultPoolBytes = 64L << 20;

    private static readonly WeakArrayPool s_pool = new();
    private static long s_sinceCollection;

    /// <summary>Gets how many allocations took a recycled buffer (for tests and diagnostics).</summary>
    public static long Reused => s_pool.Reused;

    /// <summary>Allocates an uninitialized buffer of <paramref name="length"/> elements.</summary>
    public static T[] Allocate<T>(long length)
        where T : unmanaged
    {
        int n = CheckLength(length);
        return TakePooled<T>(n) ?? AllocateNew<T>(n);
    }

    /// <summary>Allocates a buffer of <paramref name="length"/> zeros (default values).</summary>
    public static T[] AllocateZeroed<T>(long length)
        where T : unmanaged
    {
        int n = CheckLength(length);
        if (TakePooled<T>(n) is { } reused)
        {
            reused.AsSpan().Clear();
            return reused;
        }

        BeforeAllocation<T>(n);
        return HugePages.Advise(new T[n]);
    }

    /// <summary>
    /// Takes back the buffer of a dead block for reuse (large buffers only, within
    /// <c>array.block-pool</c> bytes); the caller guarantees that nothing reads or writes it any more.
    /// </summary>
    public static void Recycle<T>(T[] buffer)
        where T : unmanaged
    {
        if ((long)buffer.Length * Unsafe.SizeOf<T>() >= LargeBytes)
        {
            s_pool.Return(buffer, Chunking.ConfiguredBytes("array.block-pool", DefaultPoolBytes));
        }
    }

    private static T[]? TakePooled<T>(int length)
        where T : unmanaged =>
        (long)length * Unsafe.SizeOf<T>() < LargeBytes ? null : s_pool.Take<T>(length);

    private static T[] AllocateNew<T>(int n)
        where T : unmanaged
    {
        BeforeAllocation<T>(n);
        return HugePages.Advise(GC.AllocateUninitializedArray<T>(n));
    }

    private static int CheckLength(long length)
    {
        if ((ulong)length > (ulong)Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A block holds at most {Array.MaxLength} elements, not {length}; use smaller chunks.");
        }

        return (int)length;
    }

    private static void BeforeAllocation<T>(int length)
        where T : unmanaged
    {
        long bytes = (long)length * Unsafe.SizeOf<T>();
        if (bytes < LargeBytes)
        {
            return;
        }

        long budget = Chunking.ConfiguredBytes("array.gc-budget", DefaultBudgetBytes);
        if (budget < 0)
        {
            return;
        }

        // Collect when at least one earlier block of this size (and the budget in all) has been
        // allocated since the last forced collection: that much may be dead. Counting from the
        // GC's own collections instead would skip collections during a background collection,
        // which frees nothing until it ends. Of threads that pass the test together, the one
        // that resets the count collects.
        long since = Interlocked.Add(ref s_sinceCollection, bytes);
        if (since >= Math.Max(2 * bytes, budget) && Interlocked.CompareExchange(ref s_sinceCollection, bytes, since) == since)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
    }
}
