namespace Tessera.Arrays.Kernels;

/// <summary>
/// An array seen as a matrix: its leading axes flattened into rows, the rest into columns, each
/// element at <c>Offset + RowOffsets[r] + ColOffsets[c]</c> whatever the strides.
/// </summary>
internal sealed class StridedMatrix<T>
    where T : unmanaged
{
    private readonly T[] _data;
    private readonly int _offset;
    private readonly int[] _rowOffsets, _colOffsets;

    // Rows (or columns) that lie one element apart: read as spans.
    private readonly bool _rowsAdjacent, _colsAdjacent;

    public StridedMatrix(NDArray<T> x, int k)
    {
        _data = x.Data;
        _offset = x.Offset;
        _rowOffsets = Offsets(x, 0, k);
        _colOffsets = Offsets(x, k, x.NDim);
        _rowsAdjacent = Adjacent(_rowOffsets);
        _colsAdjacent = Adjacent(_colOffsets);
    }

    public int Rows => _rowOffsets.Length;

    public int Cols => _colOffsets.Length;

    /// <summary>Gets whether each row's elements are adjacent (read as spans).</summary>
    public bool HasRowSpans => _colsAdjacent;

    /// <summary>Gets whether each column's elements are adjacent (a transposed block).</summary>
    public bool HasColumnSpans => _rowsAdjacent;

    /// <summary>Gets the buffer.</summary>
    public T[] Data => _data;

    /// <summary>Where row r starts in <see cref="Data"/> (its elements follow where <see cref="HasRowSpans"/>).</summary>
    public int RowStart(int r) => _offset + _rowOffsets[r] + _colOffsets[0];

    /// <summary>Where column c starts in <see cref="Data"/> (its elements follow where <see cref="HasColumnSpans"/>).</summary>
    public int ColumnStart(int c) => _offset + _rowOffsets[0] + _colOffsets[c];

    private static int[] Offsets(NDArray<T> x, int from, int to)
    {
        int[] offsets = [0];
        for (int axis = from; axis < to; axis++)
        {
            int n = x.ShapeArray[axis], stride = x.StridesArray[axis];
            var next = new int[offsets.Length * n];
            for (int i = 0; i < offsets.Length; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    next[(i * n) + j] = offsets[i] + (j * stride);
                }
            }

            offsets = next;
        }

        return offsets;
    }

    private static bool Adjacent(int[] offsets)
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            if (offsets[i] != offsets[0] + i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Columns [c0, c0 + n) of row r (only where <see cref="HasRowSpans"/>).</summary>
    public ReadOnlySpan<T> Row(int r, int c0, int n) => _data.AsSpan(_offset + _rowOffsets[r] + _colOffsets[c0], n);

    /// <summary>Copies rows [r0, r0 + nr) × columns [c0, c0 + nc) to <paramref name="tile"/> in C order, reading along whichever axis is contiguous.</summary>
    public void CopyTile(int r0, int nr, int c0, int nc, T[] tile)
    {
        T[] data = _data;
        if (_colsAdjacent)
        {
            for (int i = 0; i < nr; i++)
            {
                Row(r0 + i, c0, nc).CopyTo(tile.AsSpan(i * nc, nc));
            }
        }
        else if (_rowsAdjacent)
        {
            // A transposed block: each column's rows are contiguous; the tile is written across.
            for (int j = 0; j < nc; j++)
            {
                ReadOnlySpan<T> column = data.AsSpan(_offset + _rowOffsets[r0] + _colOffsets[c0 + j], nr);
                for (int i = 0; i < nr; i++)
                {
                    tile[(i * nc) + j] = column[i];
                }
            }
        }
        else
        {
            for (int i = 0; i < nr; i++)
            {
                int at = _offset + _rowOffsets[r0 + i];
                for (int j = 0; j < nc; j++)
                {
                    tile[(i * nc) + j] = data[at + _colOffsets[c0 + j]];
                }
            }
        }
    }
}
