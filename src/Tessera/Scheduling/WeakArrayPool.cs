using System.Runtime.CompilerServices;

namespace Tessera.Scheduling;

/// <summary>
/// Large arrays kept for reuse: a later request for an array of the same element type and exactly the
/// same length takes the newest of them instead of allocating.
/// </summary>
/// <remarks>
/// The arrays are held weakly, so a full collection still frees them (an idle process that collects
/// gives their memory back), and up to a cap of bytes that each return names: the oldest make room for
/// the newest, which the running computation is the likeliest to ask for again. Tessera.Arrays' block
/// buffers and the distributed receive buffers each have a pool of their own.
/// </remarks>
internal sealed class WeakArrayPool
{
    private readonly List<(WeakReference<Array> Array, long Bytes)> _free = [];
    private long _freeBytes;
    private long _reused;

    /// <summary>Gets how many requests took an array from the pool (for tests and diagnostics).</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Takes the newest pooled array of exactly <paramref name="length"/> elements, or none.</summary>
    public T[]? Take<T>(int length)
        where T : unmanaged
    {
        if (Volatile.Read(ref _freeBytes) == 0)
        {
            return null;
        }

        lock (_free)
        {
            for (int i = _free.Count - 1; i >= 0; i--)
            {
                if (_free[i].Array.TryGetTarget(out Array? a) && a is T[] array && array.Length == length)
                {
                    _freeBytes -= _free[i].Bytes;
                    _free.RemoveAt(i);
                    Interlocked.Increment(ref _reused);
                    return array;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Keeps <paramref name="array"/> for reuse within <paramref name="limitBytes"/> pooled bytes (an array larger
    /// than that is not kept); the caller guarantees that nothing reads or writes it any more.
    /// </summary>
    public void Return<T>(T[] array, long limitBytes)
        where T : unmanaged
    {
        long bytes = (long)array.Length * Unsafe.SizeOf<T>();
        if (bytes > limitBytes)
        {
            return;
        }

        lock (_free)
        {
            // Arrays that a collection has freed no longer count.
            _free.RemoveAll(e => !e.Array.TryGetTarget(out _));
            long pooled = _free.Sum(e => e.Bytes);
            while (pooled + bytes > limitBytes)
            {
                pooled -= _free[0].Bytes;
                _free.RemoveAt(0);
            }

            _free.Add((new WeakReference<Array>(array), bytes));
            Volatile.Write(ref _freeBytes, pooled + bytes);
        }
    }
}
