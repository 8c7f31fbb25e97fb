using System.Buffers;
using System.Runtime.InteropServices;

namespace Tessera.Distributed.Serialization;

/// <summary>The bytes of an array of unmanaged values as <see cref="Memory{T}"/>, without a copy.</summary>
internal sealed class ArrayMemory : MemoryManager<byte>
{
    private readonly Array _array;
    private readonly int _length;

    public ArrayMemory(Array array, int length)
    {
        _array = array;
        _length = length;
    }

    public override Span<byte> GetSpan() => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(_array), _length);

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        byte* start = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        return new MemoryHandle(start + elementIndex, handle, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
