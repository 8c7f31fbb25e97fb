using System.Buffers.Binary;

namespace Tessera.Distributed.Serialization;

/// <summary>
/// What the serializer produces and consumes: a MessagePack header plus out-of-band bulk buffers
/// (the raw bytes of large arrays, uploaded assemblies), as the wire layer moves them.
/// </summary>
/// <remarks>
/// The header refers to buffers by index. On the sending side a buffer may alias the memory of the
/// value it came from (an array is sent without a copy), so the value must not change until the
/// message has been written.
/// </remarks>
public sealed class SerializedMessage
{
    private const uint Magic = 0x314D5354; // "TSM1", little-endian

    /// <summary>Creates a message.</summary>
    /// <param name="header">The MessagePack header.</param>
    /// <param name="buffers">The out-of-band buffers, in the order the header refers to them.</param>
    public SerializedMessage(ReadOnlyMemory<byte> header, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        Header = header;
        Buffers = buffers;
    }

    /// <summary>Gets the MessagePack header.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>Gets the out-of-band buffers, in the order the header refers to them.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers { get; }

    private int TableLength => 12 + (8 * Buffers.Count);

    /// <summary>Gets the number of bytes in the header and all buffers.</summary>
    public long TotalLength
    {
        get
        {
            long n = Header.Length;
            foreach (ReadOnlyMemory<byte> b in Buffers)
            {
                n += b.Length;
            }

            return n;
        }
    }

    /// <summary>Gets the number of bytes of the block that <see cref="ToArray"/> makes.</summary>
    /// <returns>The length of the block.</returns>
    /// <exception cref="InvalidOperationException">The block would be longer than one array can hold.</exception>
    public int GetBlockLength()
    {
        long total = TableLength + TotalLength;
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException($"The message is {total} bytes, more than one array can hold; send its frames separately.");
        }

        return (int)total;
    }

    /// <summary>
    /// Copies the message into one self-contained block (for files and tests; the wire layer sends
    /// the header and buffers as separate frames instead).
    /// </summary>
    /// <returns>The block: a small table of lengths, the header, then each buffer.</returns>
    public byte[] ToArray()
    {
        byte[] result = new byte[GetBlockLength()];
        CopyTo(result);
        return result;
    }

    /// <summary>Writes the block that <see cref="ToArray"/> makes into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="GetBlockLength"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyTo(Span<byte> destination)
    {
        int length = GetBlockLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination has {destination.Length} bytes; the message needs {length}.", nameof(destination));
        }

        WriteTable(destination);
        int offset = TableLength;
        Header.Span.CopyTo(destination[offset..]);
        offset += Header.Length;
        foreach (ReadOnlyMemory<byte> b in Buffers)
        {
            b.Span.CopyTo(destination[offset..]);
            offset += b.Length;
        }
    }

    /// <summary>Writes the block that <see cref="ToArray"/> makes to a stream, without making it in memory.</summary>
    /// <param name="destination">The stream.</param>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        byte[] table = new byte[TableLength];
        WriteTable(table);
        destination.Write(table);
        destination.Write(Header.Span);
        foreach (ReadOnlyMemory<byte> b in Buffers)
        {
            destination.Write(b.Span);
        }
    }

    /// <summary>Reads a message from the block <see cref="ToArray"/> made; header and buffers are slices of <paramref name="block"/>.</summary>
    /// <param name="block">The block.</param>
    /// <returns>The message.</returns>
    /// <exception cref="InvalidDataException">The block is not a serialized message or is truncated.</exception>
    public static SerializedMessage FromArray(ReadOnlyMemory<byte> block)
    {
        ReadOnlySpan<byte> span = block.Span;
        if (span.Length < 12 || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
        {
            throw new InvalidDataException("The block is not a serialized Tessera message (bad magic number); pass bytes made by SerializedMessage.ToArray.");
        }

        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (headerLength < 0 || count < 0 || 12L + (8L * count) > span.Length)
        {
            throw new InvalidDataException("The serialized message's length table is corrupt.");
        }

        long offset = 12 + (8L * count);
        var lengths = new long[count];
        long total = offset + headerLength;
        for (int i = 0; i < count; i++)
        {
            lengths[i] = BinaryPrimitives.ReadInt64LittleEndian(span[(12 + (8 * i))..]);
            if (lengths[i] < 0)
            {
                throw new InvalidDataException($"The serialized message's buffer {i} has a negative length.");
            }

            total += lengths[i];
        }

        if (total != span.Length)
        {
            throw new InvalidDataException($"The serialized message should be {total} bytes but is {span.Length}; it was truncated or padded.");
        }

        ReadOnlyMemory<byte> header = block.Slice((int)offset, headerLength);
        offset += headerLength;
        var buffers = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            buffers[i] = block.Slice((int)offset, (int)lengths[i]);
            offset += lengths[i];
        }

        return new SerializedMessage(header, buffers);
    }

    // The block's magic number and table of lengths.
    private void WriteTable(Span<byte> span)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Header.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Buffers.Count);
        for (int i = 0; i < Buffers.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(12 + (8 * i))..], Buffers[i].Length);
        }
    }
}
