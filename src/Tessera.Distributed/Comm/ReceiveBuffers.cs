using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tessera.Distributed.Serialization;
using Tessera.Scheduling;

namespace Tessera.Distributed.Comm;

/// <summary>
/// The arrays that large received buffers (the raw bytes of array values fetched from peers) are read
/// into, reused from message to message instead of allocated anew.
/// </summary>
/// <remarks>
/// <para>A received value is decoded into arrays of its own, so the buffer it came in is garbage right
/// after: on a worker that fetches blocks of tens of megabytes, each transfer left one such buffer on the
/// large object heap until the next full collection, and a few of them at once were much of the
/// worker's memory. A receiver that has decoded a message hands its buffers back
/// (<see cref="Return(SerializedMessage)"/>), and the next buffer of the same length takes one of them.</para>
/// <para>Only arrays that <see cref="Rent"/> lent are taken back (a buffer that aliases anything else is
/// ignored). The pool keeps at most <see cref="PoolBytes"/>, and holds them weakly, as
/// Tessera.Arrays' block pool does: a full collection still frees them, so an idle worker that collects
/// gives their memory back. An array never handed back is left to the garbage collector, as before.</para>
/// </remarks>
internal static class ReceiveBuffers
{
    /// <summary>Buffers of at least this many bytes are pooled.</summary>
    public const int MinBytes = 1 << 20;

    /// <summary>The most bytes the pool keeps for reuse.</summary>
    public const long PoolBytes = 64L << 20;

    private static readonly object s_lentMarker = new();
    private static readonly ConditionalWeakTable<byte[], object> s_lent = [];
    private static readonly WeakArrayPool s_free = new();

    /// <summary>Gets how many buffers were taken from the pool rather than allocated (for tests and diagnostics).</summary>
    public static long Reused => s_free.Reused;

    /// <summary>Gets an array of exactly <paramref name="length"/> bytes, uninitialized.</summary>
    public static byte[] Rent(int length)
    {
        if (length < MinBytes)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        byte[] array = s_free.Take<byte>(length) ?? GC.AllocateUninitializedArray<byte>(length);
        s_lent.AddOrUpdate(array, s_lentMarker);
        return array;
    }

    /// <summary>Hands back the lent arrays among <paramref name="message"/>'s buffers; nothing may read them afterwards.</summary>
    public static void Return(SerializedMessage message)
    {
        foreach (ReadOnlyMemory<byte> buffer in message.Buffers)
        {
            if (buffer.Length >= MinBytes && MemoryMarshal.TryGetArray(buffer, out ArraySegment<byte> segment) && segment.Array is { } array && s_lent.Remove(array))
            {
                s_free.Return(array, PoolBytes);
            }
        }
    }
}
