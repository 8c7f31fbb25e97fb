using System.Buffers;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// A per-thread buffer for encoders whose output is copied out at once (control messages, task specs,
/// small results): one buffer that has grown to fit is reused instead of a new growing buffer per
/// message. Rent and return in one synchronous block; a nested rent on the same thread gets a fresh
/// buffer.
/// </summary>
internal static class ScratchBuffer
{
    // Buffers that grew beyond this (a large result) are dropped rather than kept for the thread's life.
    private const int MaxKeptBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>Takes this thread's buffer (empty), or a new one when it is in use.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        ArrayBufferWriter<byte> buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        t_buffer = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Gives a rented buffer back once its contents were copied out.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= MaxKeptBytes)
        {
            t_buffer = buffer;
        }
    }
}
