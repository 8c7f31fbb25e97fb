namespace Tessera.Arrays;

/// <summary>Joins a grid of blocks into one array.</summary>
internal static class BlockGrid
{
    /// <summary>Joins blocks given in C order over a grid of <paramref name="grid"/> blocks per axis; block lengths are read from the blocks.</summary>
    public static NDArray<T> Assemble<T>(IReadOnlyList<NDArray<T>> parts, int[] grid)
        where T : unmanaged
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        int ndim = grid.Length;
        var lengths = new int[ndim][];
        int[] strides = Shapes.CStrides(grid);
        for (int a = 0; a < ndim; a++)
        {
            lengths[a] = new int[grid[a]];
            for (int i = 0; i < grid[a]; i++)
            {
                lengths[a][i] = parts[i * strides[a]].ShapeArray[a];
            }
        }

        // The blocks tile the result, so every element is written: no need to zero it first.
        int[] shape = [.. lengths.Select(l => l.Sum())];
        var result = new NDArray<T>(BlockMemory.Allocate<T>(Shapes.Product(shape)), shape);
        long[][] starts = [.. lengths.Select(Chunking.Starts)];
        int p = 0;
        foreach (int[] index in DArray<T>.BlockIndices(grid))
        {
            var ix = new Ix[ndim];
            for (int a = 0; a < ndim; a++)
            {
                int s = (int)starts[a][index[a]];
                ix[a] = Ix.S(s, s + lengths[a][index[a]]);
            }

            result.Slice(ix).Assign(parts[p++]);
        }

        return result;
    }
}
