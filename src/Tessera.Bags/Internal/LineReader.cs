using System.Buffers;

namespace Tessera.Bags.Internal;

/// <summary>
/// Reads the lines of one block of a file as byte spans, without a string per line. A block
/// <c>[start, end]</c> owns the lines that begin after the first <c>\n</c> at or after
/// <c>start</c> (or at 0) and at or before <c>end</c>: consecutive blocks own each line once,
/// the rule of Dask's <c>read_bytes</c> with a delimiter. A line's bytes exclude its <c>\n</c> and
/// a <c>\r</c> before it.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private const int InitialBuffer = 1 << 20;
    private readonly Stream _stream;
    private readonly long _end;
    private byte[] _buffer;
    private int _pos;
    private int _len;
    private long _bufferStart;   // absolute offset of _buffer[0] in the uncompressed data
    private bool _eof;
    private bool _done;

    /// <param name="stream">The data, positioned at <paramref name="start"/>.</param>
    /// <param name="start">The block's first byte (0 for a whole file).</param>
    /// <param name="end">The last byte at which a line of the block may begin; -1 for the end of the data.</param>
    /// <param name="skipBom">Skip a UTF-8 byte order mark at offset 0.</param>
    public LineReader(Stream stream, long start, long end, bool skipBom)
    {
        _stream = stream;
        _end = end;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        _bufferStart = start;
        if (start > 0)
        {
            // The line that contains 'start' belongs to the previous block, even when it begins exactly at 'start'.
            SkipPastNewline();
        }
        else if (skipBom && Fill(3) && _len >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            _pos = 3;
        }
    }

    /// <summary>Gets the number of lines read so far (the 1-based number of the last line, within the block).</summary>
    public long LinesRead { get; private set; }

    /// <summary>Gets the absolute offset of the start of the last line read.</summary>
    public long LineStart { get; private set; }

    /// <summary>Gets the absolute offset of the block's first line.</summary>
    public long FirstLineStart { get; private set; }

    /// <summary>Reads the next line; the span is valid until the next call.</summary>
    public bool TryRead(out ReadOnlySpan<byte> line)
    {
        line = default;
        if (_done)
        {
            return false;
        }

        while (true)
        {
            long lineStart = _bufferStart + _pos;
            if (_end >= 0 && lineStart > _end)
            {
                _done = true;
                return false;
            }

            int nl = _buffer.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int length = nl;
                if (length > 0 && _buffer[_pos + length - 1] == (byte)'\r')
                {
                    length--;
                }

                line = _buffer.AsSpan(_pos, length);
                _pos += nl + 1;
                return Count(lineStart);
            }

            if (_eof)
            {
                _done = true;
                if (_pos == _len)
                {
                    return false;
                }

                int length = _len - _pos;
                if (_buffer[_pos + length - 1] == (byte)'\r')
                {
                    length--;
                }

                line = _buffer.AsSpan(_pos, length);
                _pos = _len;
                return Count(lineStart);
            }

            Refill();
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        byte[] b = _buffer;
        _buffer = [];
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private bool Count(long lineStart)
    {
        if (LinesRead == 0)
        {
            FirstLineStart = lineStart;
        }

        LinesRead++;
        LineStart = lineStart;
        return true;
    }

    private void SkipPastNewline()
    {
        while (true)
        {
            int nl = _buffer.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _pos += nl + 1;
                return;
            }

            _bufferStart += _len;
            _pos = 0;
            _len = 0;
            if (_eof || !Fill(1))
            {
                _done = true;
                return;
            }
        }
    }

    // Moves the unread bytes to the front (growing the buffer when one line fills it) and reads more.
    private void Refill()
    {
        int unread = _len - _pos;
        if (_pos == 0 && unread == _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, unread).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        else if (_pos > 0)
        {
            _buffer.AsSpan(_pos, unread).CopyTo(_buffer);
            _bufferStart += _pos;
            _pos = 0;
            _len = unread;
        }

        Fill(1);
    }

    // Reads until at least 'min' more bytes are buffered or the data ends; false when nothing was read.
    private bool Fill(int min)
    {
        int before = _len;
        while (_len - before < min && _len < _buffer.Length)
        {
            int n = _stream.Read(_buffer, _len, _buffer.Length - _len);
            if (n == 0)
            {
                _eof = true;
                break;
            }

            _len += n;
        }

        return _len > before;
    }
}
