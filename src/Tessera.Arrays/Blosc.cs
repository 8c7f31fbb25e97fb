using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;

namespace Tessera.Arrays;

/// <summary>
/// The Blosc 1 container (format version 2, what numcodecs' <c>Blosc</c> writes, Zarr v2's default
/// compressor): a 16-byte header, block offsets, and per block a byte- or bit-shuffle followed by an
/// inner codec (lz4/lz4hc, zlib or zstd; blosclz read only; snappy is refused by name). Our own code.
/// </summary>
internal static class Blosc
{
    private const int HeaderSize = 16;
    private const byte DoShuffle = 0x1, MemCopied = 0x2, DoBitShuffle = 0x4, DontSplit = 0x10;
    private const int MaxSplits = 16, MinBufferSize = 128;

    /// <summary>The shuffle filters, numbered as in numcodecs (0 none, 1 byte, 2 bit).</summary>
    public static readonly string[] ShuffleNames = ["noshuffle", "shuffle", "bitshuffle"];

    /// <summary>The inner codecs that we read and write.</summary>
    public static readonly string[] Compressors = ["lz4", "lz4hc", "zlib", "zstd"];

    /// <summary>Compresses <paramref name="source"/> (elements of <paramref name="typeSize"/> bytes).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, int typeSize, string compressor, int level, int shuffle, int blockSize = 0)
    {
        int code = compressor switch
        {
            "lz4" or "lz4hc" => 1,
            "zlib" => 3,
            "zstd" => 4,
            _ => throw new NotSupportedException($"blosc: compressor '{compressor}' is not supported for writing (lz4, lz4hc, zlib, zstd)."),
        };
        typeSize = typeSize is < 1 or > 255 ? 1 : typeSize;
        int nbytes = source.Length;
        byte flags = (byte)((code << 5) | DontSplit | (shuffle == 1 ? DoShuffle : 0) | (shuffle == 2 ? DoBitShuffle : 0));
        if (level > 0 && nbytes >= MinBufferSize)
        {
            int bs = blockSize > 0 ? Math.Min(blockSize, nbytes) : Math.Min(nbytes, 256 * 1024);
            bs = Math.Max(typeSize, bs / typeSize * typeSize);
            int nblocks = (nbytes + bs - 1) / bs;
            byte[] output = new byte[HeaderSize + (4 * nblocks) + nbytes + (4 * nblocks)];
            byte[] shuffled = new byte[bs], packed = new byte[Math.Max(LZ4Codec.MaximumOutputSize(bs), bs + 1024)];
            int at = HeaderSize + (4 * nblocks);
            bool fits = true;
            for (int b = 0; b < nblocks; b++)
            {
                int size = Math.Min(bs, nbytes - (b * bs));
                ReadOnlySpan<byte> block = source.Slice(b * bs, size);
                ReadOnlySpan<byte> input = Reorder(block, shuffled.AsSpan(0, size), typeSize, flags, forward: true) ? shuffled.AsSpan(0, size) : block;
                int clen = CompressBlock(compressor, level, input, packed);
                ReadOnlySpan<byte> stored = clen > 0 && clen < size ? packed.AsSpan(0, clen) : input;
                if (at + 4 + stored.Length > output.Length)
                {
                    fits = false;
                    break;
                }

                BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(HeaderSize + (4 * b)), at);
                BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(at), stored.Length);
                stored.CopyTo(output.AsSpan(at + 4));
                at += 4 + stored.Length;
            }

            if (fits && at < nbytes + HeaderSize)
            {
                WriteHeader(output, flags, typeSize, nbytes, bs, at);
                return output[..at];
            }
        }

        // Too small or incompressible: the raw bytes after the header, as Blosc stores them.
        byte[] raw = new byte[HeaderSize + nbytes];
        WriteHeader(raw, (byte)(flags | MemCopied), typeSize, nbytes, nbytes, raw.Length);
        source.CopyTo(raw.AsSpan(HeaderSize));
        return raw;
    }

    /// <summary>Decompresses a Blosc buffer into <paramref name="destination"/>, which must be its exact size.</summary>
    /// <exception cref="InvalidDataException">The buffer is corrupt or truncated, or its size is not the destination's.</exception>
    /// <exception cref="NotSupportedException">The buffer uses blosclz or snappy.</exception>
    public static void Decompress(ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        if (stored.Length < HeaderSize)
        {
            throw new InvalidDataException($"blosc: {stored.Length} bytes is shorter than the 16-byte header.");
        }

        byte version = stored[0], flags = stored[2];
        int typeSize = stored[3];
        int nbytes = BinaryPrimitives.ReadInt32LittleEndian(stored[4..]);
        int bs = BinaryPrimitives.ReadInt32LittleEndian(stored[8..]);
        int cbytes = BinaryPrimitives.ReadInt32LittleEndian(stored[12..]);
        if (version is 0 or > 2)
        {
            throw new InvalidDataException($"blosc: format version {version} is not supported (Blosc 1 writes 1 or 2).");
        }

        if (nbytes != destination.Length)
        {
            throw new InvalidDataException($"blosc: the buffer holds {nbytes} bytes, expected {destination.Length}.");
        }

        if (cbytes > stored.Length || cbytes < HeaderSize)
        {
            throw new InvalidDataException($"blosc: the header says {cbytes} compressed bytes but {stored.Length} are stored (truncated).");
        }

        if ((flags & MemCopied) != 0)
        {
            if (stored.Length < HeaderSize + nbytes)
            {
                throw new InvalidDataException($"blosc: an uncompressed buffer of {nbytes} bytes has only {stored.Length - HeaderSize} after the header (truncated).");
            }

            stored.Slice(HeaderSize, nbytes).CopyTo(destination);
            return;
        }

        if (nbytes == 0)
        {
            return;
        }

        int code = flags >> 5;
        string compressor = code switch
        {
            0 => "blosclz",
            1 => "lz4",
            3 => "zlib",
            4 => "zstd",
            2 => throw new NotSupportedException("blosc: the inner compressor 'snappy' is not supported (blosclz, lz4, lz4hc, zlib, zstd); rewrite the store with another Blosc cname."),
            _ => throw new InvalidDataException($"blosc: unknown compressor code {code}."),
        };
        if (bs <= 0)
        {
            throw new InvalidDataException($"blosc: block size {bs} is invalid.");
        }

        int nblocks = (nbytes / bs) + (nbytes % bs > 0 ? 1 : 0);
        if (HeaderSize + (4L * nblocks) > cbytes)
        {
            throw new InvalidDataException($"blosc: {nblocks} block offsets do not fit in {cbytes} bytes (truncated).");
        }

        stored = stored[..cbytes];
        byte[] unpacked = new byte[bs];
        for (int b = 0; b < nblocks; b++)
        {
            int size = Math.Min(bs, nbytes - (b * bs));
            bool leftover = size < bs;
            int streams = (flags & DontSplit) == 0 && !leftover && typeSize <= MaxSplits && size / typeSize >= MinBufferSize ? typeSize : 1;
            int streamSize = size / streams;
            int at = BinaryPrimitives.ReadInt32LittleEndian(stored[(HeaderSize + (4 * b))..]);
            Span<byte> block = unpacked.AsSpan(0, size);
            for (int s = 0; s < streams; s++)
            {
                if (at < 0 || at + 4 > stored.Length)
                {
                    throw new InvalidDataException($"blosc: block {b} starts at {at}, past the buffer's {stored.Length} bytes (truncated or corrupt).");
                }

                int clen = BinaryPrimitives.ReadInt32LittleEndian(stored[at..]);
                at += 4;
                if (clen < 0 || at + clen > stored.Length)
                {
                    throw new InvalidDataException($"blosc: block {b} holds {clen} bytes past the buffer's end (truncated or corrupt).");
                }

                Span<byte> target = block.Slice(s * streamSize, streamSize);
                ReadOnlySpan<byte> packed = stored.Slice(at, clen);
                if (clen == streamSize)
                {
                    packed.CopyTo(target);
                }
                else if (DecompressBlock(compressor, packed, target) != streamSize)
                {
                    throw new InvalidDataException($"blosc: block {b} did not decompress with {compressor} to {streamSize} bytes (corrupt).");
                }

                at += clen;
            }

            if (!Reorder(block, destination.Slice(b * bs, size), typeSize, flags, forward: false))
            {
                block.CopyTo(destination.Slice(b * bs, size));
            }
        }
    }

    private static void WriteHeader(Span<byte> output, byte flags, int typeSize, int nbytes, int blockSize, int cbytes)
    {
        output[0] = 2;
        output[1] = 1;
        output[2] = flags;
        output[3] = (byte)typeSize;
        BinaryPrimitives.WriteInt32LittleEndian(output[4..], nbytes);
        BinaryPrimitives.WriteInt32LittleEndian(output[8..], blockSize);
        BinaryPrimitives.WriteInt32LittleEndian(output[12..], cbytes);
    }

    private static int CompressBlock(string compressor, int level, ReadOnlySpan<byte> input, Span<byte> output)
    {
        switch (compressor)
        {
            case "lz4":
                return LZ4Codec.Encode(input, output, LZ4Level.L00_FAST);
            case "lz4hc":
                return LZ4Codec.Encode(input, output, (LZ4Level)Math.Clamp(level, (int)LZ4Level.L03_HC, (int)LZ4Level.L12_MAX));
            case "zstd":
                {
                    using var zstd = new ZstdSharp.Compressor(level);
                    return zstd.TryWrap(input, output, out int written) ? written : -1;
                }

            default:
                {
                    var ms = new MemoryStream();
                    using (var z = new ZLibStream(ms, level <= 1 ? CompressionLevel.Fastest : level >= 7 ? CompressionLevel.SmallestSize : CompressionLevel.Optimal, leaveOpen: true))
                    {
                        z.Write(input);
                    }

                    if (ms.Length > output.Length)
                    {
                        return -1;
                    }

                    ms.GetBuffer().AsSpan(0, (int)ms.Length).CopyTo(output);
                    return (int)ms.Length;
                }
        }
    }

    private static int DecompressBlock(string compressor, ReadOnlySpan<byte> packed, Span<byte> target)
    {
        try
        {
            switch (compressor)
            {
                case "lz4":
                    return LZ4Codec.Decode(packed, target);
                case "blosclz":
                    return BloscLZDecompress(packed, target);
                case "zstd":
                    {
                        using var zstd = new ZstdSharp.Decompressor();
                        return zstd.TryUnwrap(packed, target, out int written) ? written : -1;
                    }

                default:
                    {
                        using var z = new ZLibStream(new MemoryStream(packed.ToArray()), CompressionMode.Decompress);
                        return z.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
                    }
            }
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
        {
            return -1;
        }
    }

    // Applies (forward) or undoes the block's shuffle into `output`; false where the block has none
    // (output untouched). Byte shuffle: byte j of every element together, then byte j + 1, ...; a
    // tail shorter than an element stays in place. Bit shuffle (Blosc 1: only when the element
    // count is a multiple of 8): bit k of byte j of every element together, planes ordered by (j, k).
    private static bool Reorder(ReadOnlySpan<byte> block, Span<byte> output, int typeSize, byte flags, bool forward)
    {
        int n = block.Length / typeSize;
        if ((flags & DoShuffle) != 0 && typeSize > 1)
        {
            TransposeBytes(block, output, typeSize, n, toStreams: forward);
        }
        else if ((flags & DoBitShuffle) != 0 && n % 8 == 0)
        {
            TransposeBits(block, output, typeSize, n, toPlanes: forward);
        }
        else
        {
            return false;
        }

        block[(n * typeSize)..].CopyTo(output[(n * typeSize)..]);
        return true;
    }

    // Byte j of elements 8g..8g+7 is an 8x8 bit matrix whose transpose is byte g of planes (j, 0..7).
    private static void TransposeBits(ReadOnlySpan<byte> source, Span<byte> destination, int typeSize, int n, bool toPlanes)
    {
        int row = n / 8;
        for (int j = 0; j < typeSize; j++)
        {
            for (int g = 0; g < row; g++)
            {
                ulong eight = 0;
                for (int b = 0; b < 8; b++)
                {
                    eight |= (ulong)source[toPlanes ? ((((g * 8) + b) * typeSize) + j) : ((((j * 8) + b) * row) + g)] << (8 * b);
                }

                eight = Transpose8x8(eight);
                for (int b = 0; b < 8; b++)
                {
                    destination[toPlanes ? ((((j * 8) + b) * row) + g) : ((((g * 8) + b) * typeSize) + j)] = (byte)(eight >> (8 * b));
                }
            }
        }
    }

    // BloscLZ (a FastLZ variant): a control byte below 32 starts a literal run of ctrl + 1 bytes;
    // otherwise its top 3 bits give the match length (7: more length bytes follow, while 255) and
    // its low 5 bits the high byte of the distance, then the distance's low byte (31 and 255 mark
    // a 16-bit distance beyond 8191 in the next two bytes). Matches may overlap what they copy.
    // Returns the decoded length, or -1 for a malformed stream.
    private static int BloscLZDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        const int MaxDistance = 8191;
        if (input.IsEmpty)
        {
            return -1;
        }

        int ip = 0, op = 0, ctrl = input[ip++] & 31;
        while (true)
        {
            if (ctrl >= 32)
            {
                int len = (ctrl >> 5) - 1, ofs = (ctrl & 31) << 8;
                if (len == 6)
                {
                    byte more;
                    do
                    {
                        if (ip >= input.Length)
                        {
                            return -1;
                        }

                        more = input[ip++];
                        len += more;
                    }
                    while (more == 255);
                }

                if (ip >= input.Length)
                {
                    return -1;
                }

                byte code = input[ip++];
                len += 3;
                int from = op - ofs - code;
                if (code == 255 && ofs == 31 << 8)
                {
                    if (ip + 1 >= input.Length)
                    {
                        return -1;
                    }

                    from = op - ((input[ip] << 8) + input[ip + 1]) - MaxDistance;
                    ip += 2;
                }

                from--;
                if (from < 0 || op + len > output.Length)
                {
                    return -1;
                }

                for (int k = 0; k < len; k++)
                {
                    output[op + k] = output[from + k];
                }

                op += len;
            }
            else
            {
                int run = ctrl + 1;
                if (op + run > output.Length || ip + run > input.Length)
                {
                    return -1;
                }

                input.Slice(ip, run).CopyTo(output[op..]);
                op += run;
                ip += run;
            }

            if (ip >= input.Length)
            {
                return op;
            }

            ctrl = input[ip++];
        }
    }

    // Byte shuffle and its inverse: `elements` elements of `typeSize` bytes, and typeSize streams of
    // `elements` bytes (stream j holds byte j of every element). Elements of 8 bytes (the common
    // case) move as one load or store with the stream bytes unrolled; bounds are checked once here.
    private static void TransposeBytes(ReadOnlySpan<byte> source, Span<byte> destination, int typeSize, int elements, bool toStreams)
    {
        if ((long)typeSize * elements > Math.Min(source.Length, destination.Length))
        {
            throw new ArgumentException("blosc: shuffle buffers are too small.");
        }

        ref byte packed = ref MemoryMarshal.GetReference(toStreams ? source : destination);
        ref byte streams = ref MemoryMarshal.GetReference(toStreams ? destination : source);
        nint n = elements;
        if (typeSize == 8)
        {
            ref byte s0 = ref streams, s1 = ref Unsafe.Add(ref s0, n), s2 = ref Unsafe.Add(ref s1, n), s3 = ref Unsafe.Add(ref s2, n);
            ref byte s4 = ref Unsafe.Add(ref s3, n), s5 = ref Unsafe.Add(ref s4, n), s6 = ref Unsafe.Add(ref s5, n), s7 = ref Unsafe.Add(ref s6, n);
            for (nint i = 0; i < n; i++)
            {
                ref byte element = ref Unsafe.Add(ref packed, i * 8);
                if (toStreams)
                {
                    ulong v = Unsafe.ReadUnaligned<ulong>(ref element);
                    (Unsafe.Add(ref s0, i), Unsafe.Add(ref s1, i), Unsafe.Add(ref s2, i), Unsafe.Add(ref s3, i)) = ((byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24));
                    (Unsafe.Add(ref s4, i), Unsafe.Add(ref s5, i), Unsafe.Add(ref s6, i), Unsafe.Add(ref s7, i)) = ((byte)(v >> 32), (byte)(v >> 40), (byte)(v >> 48), (byte)(v >> 56));
                }
                else
                {
                    Unsafe.WriteUnaligned(ref element, Unsafe.Add(ref s0, i) | ((ulong)Unsafe.Add(ref s1, i) << 8) | ((ulong)Unsafe.Add(ref s2, i) << 16) | ((ulong)Unsafe.Add(ref s3, i) << 24)
                        | ((ulong)Unsafe.Add(ref s4, i) << 32) | ((ulong)Unsafe.Add(ref s5, i) << 40) | ((ulong)Unsafe.Add(ref s6, i) << 48) | ((ulong)Unsafe.Add(ref s7, i) << 56));
                }
            }

            return;
        }

        for (nint i = 0; i < n; i++)
        {
            ref byte element = ref Unsafe.Add(ref packed, i * typeSize);
            for (int j = 0; j < typeSize; j++)
            {
                ref byte b = ref Unsafe.Add(ref streams, (j * n) + i);
                if (toStreams)
                {
                    b = Unsafe.Add(ref element, j);
                }
                else
                {
                    Unsafe.Add(ref element, j) = b;
                }
            }
        }
    }

    // Transposes an 8x8 bit matrix held as 8 bytes (byte r, bit c becomes byte c, bit r); its own inverse.
    private static ulong Transpose8x8(ulong x)
    {
        ulong t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        return x ^ t ^ (t << 28);
    }
}
