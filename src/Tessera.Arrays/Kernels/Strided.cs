namespace Tessera.Arrays.Kernels;

/// <summary>Called for each innermost row of a strided walk over several operands of one shape.</summary>
/// <param name="length">The row length.</param>
/// <param name="offsets">Each operand's offset of the row's first element.</param>
/// <param name="strides">Each operand's stride along the row.</param>
internal delegate void RowAction(int length, int[] offsets, int[] strides);

/// <summary>Walks strided operands row by row after merging axes that are contiguous in all of them.</summary>
internal static class Strided
{
    public static void ForEachRow(int[] shape, int[][] strides, int[] offsets, RowAction action)
    {
        int operands = strides.Length;
        // Coalesce: drop length-1 axes, merge neighbours that are contiguous for every operand.
        var dims = new List<int>(shape.Length);
        var st = new List<int[]>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0)
            {
                return;
            }

            if (shape[i] == 1)
            {
                continue;
            }

            var s = new int[operands];
            for (int k = 0; k < operands; k++)
            {
                s[k] = strides[k][i];
            }

            if (dims.Count > 0)
            {
                int last = dims.Count - 1;
                bool merge = true;
                for (int k = 0; k < operands; k++)
                {
                    if (st[last][k] != s[k] * shape[i])
                    {
                        merge = false;
                        break;
                    }
                }

                if (merge)
                {
                    dims[last] *= shape[i];
                    st[last] = s;
                    continue;
                }
            }

            dims.Add(shape[i]);
            st.Add(s);
        }

        var offs = (int[])offsets.Clone();
        if (dims.Count == 0)
        {
            action(1, offs, new int[operands]);
            return;
        }

        int n = dims.Count;
        int rowLength = dims[n - 1];
        int[] rowStrides = st[n - 1];
        if (n == 1)
        {
            action(rowLength, offs, rowStrides);
            return;
        }

        var counter = new int[n - 1];
        var baseOffs = (int[])offsets.Clone();
        while (true)
        {
            action(rowLength, offs, rowStrides);
            int axis = n - 2;
            while (axis >= 0)
            {
                counter[axis]++;
                int[] s = st[axis];
                if (counter[axis] < dims[axis])
                {
                    for (int k = 0; k < operands; k++)
                    {
                        offs[k] += s[k];
                    }

                    break;
                }

                for (int k = 0; k < operands; k++)
                {
                    offs[k] -= s[k] * (dims[axis] - 1);
                }

                counter[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                return;
            }
        }
    }

    /// <summary>Gives a contiguous view of a row, gathering into <paramref name="scratch"/> when strided.</summary>
    public static ReadOnlySpan<T> Row<T>(T[] data, int offset, int length, int stride, T[] scratch)
    {
        if (stride == 1 || length == 1)
        {
            return data.AsSpan(offset, length);
        }

        for (int i = 0, p = offset; i < length; i++, p += stride)
        {
            scratch[i] = data[p];
        }

        return scratch.AsSpan(0, length);
    }
}
