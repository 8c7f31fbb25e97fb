using System.Globalization;

namespace Tessera.Arrays;

/// <summary>Dask's chunk rules: normalization (including "auto"), unification and intersections.</summary>
internal static class Chunking
{
    public const long DefaultChunkBytes = 128L * 1024 * 1024;

    public static long ConfiguredChunkBytes() => ConfiguredBytes("array.chunk-size", DefaultChunkBytes);

    /// <summary>Reads a byte size from the configuration: a number, or text such as <c>32MiB</c>; a negative number passes through.</summary>
    public static long ConfiguredBytes(string key, long defaultValue)
    {
        object? v = TesseraConfig.Get(key);
        return v switch
        {
            null => defaultValue,
            string s when s.TrimStart().StartsWith('-') => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
            string s => ParseBytes(s, key),
            long l => l,
            int i => i,
            double d => (long)d,
            _ => ParseBytes(Convert.ToString(v, CultureInfo.InvariantCulture)!, key),
        };
    }

    public static long ParseBytes(string text, string op)
    {
        try
        {
            return Units.ParseBytes(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{op}: {e.Message}", e);
        }
    }

    public static int[] BlockDims(long length, long size)
    {
        if (length == 0)
        {
            return [0];
        }

        size = Math.Max(1, Math.Min(size, length));
        long n = length / size;
        var r = new List<int>((int)n + 1);
        for (long i = 0; i < n; i++)
        {
            r.Add((int)size);
        }

        if (length % size != 0)
        {
            r.Add((int)(length % size));
        }

        return [.. r];
    }

    /// <summary>Normalizes a chunk spec for <paramref name="shape"/> (Dask's <c>normalize_chunks</c>).</summary>
    /// <param name="op">The operation, for messages.</param>
    /// <param name="spec">The spec.</param>
    /// <param name="shape">The shape (-1 = unknown).</param>
    /// <param name="itemSize">Bytes per element (for "auto").</param>
    /// <param name="previous">The current chunks, for rechunk: axes a dictionary leaves out keep them.</param>
    public static int[][] Normalize(string op, ChunkSpec spec, long[] shape, int itemSize, int[][]? previous = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int ndim = shape.Length;
        var items = new object?[ndim];
        var keepPrevious = new bool[ndim];
        if (spec.All is not null)
        {
            Array.Fill(items, spec.All);
        }
        else if (spec.Items is not null)
        {
            object?[] given = spec.Items;
            if (ndim == 1 && given.Length > 1 && given.All(g => g is int))
            {
                // A flat tuple for a 1-D shape is that axis' explicit chunks.
                given = [given.Cast<int>().ToArray()];
            }

            if (given.Length != ndim)
            {
                throw new ArgumentException($"{op}: chunks {spec} have {given.Length} entries but the shape {Shapes.Format(shape)} has {ndim} dimensions.");
            }

            Array.Copy(given, items, ndim);
        }
        else
        {
            for (int i = 0; i < ndim; i++)
            {
                keepPrevious[i] = previous is not null;
                items[i] = -1;
            }

            foreach ((int axis, object? item) in spec.ByAxisMap!)
            {
                int a = axis < 0 ? axis + ndim : axis;
                if (a < 0 || a >= ndim)
                {
                    throw new ArgumentException($"{op}: chunks {spec} name axis {axis}, but the shape {Shapes.Format(shape)} has {ndim} dimensions.");
                }

                items[a] = item;
                keepPrevious[a] = false;
            }
        }

        var result = new int[ndim][];
        var auto = new List<int>();
        long limit = ConfiguredChunkBytes();
        for (int i = 0; i < ndim; i++)
        {
            if (keepPrevious[i])
            {
                result[i] = previous![i];
                continue;
            }

            object? item = items[i];
            switch (item)
            {
                case null:
                    result[i] = Whole(op, shape[i]);
                    break;
                case int size when size == -1:
                    result[i] = Whole(op, shape[i]);
                    break;
                case int size when size > 0:
                    result[i] = shape[i] < 0
                        ? throw new InvalidOperationException($"{op}: axis {i} has unknown chunk sizes; call ComputeChunkSizes() first.")
                        : BlockDims(shape[i], size);
                    break;
                case int size:
                    throw new ArgumentException($"{op}: chunk size {size} on axis {i} must be positive (or -1 for the whole axis).");
                case long size when size > 0:
                    result[i] = BlockDims(shape[i], size);
                    break;
                case int[] explicitChunks:
                    long sum = explicitChunks.Sum(c => (long)c);
                    if (explicitChunks.Any(c => c < 0) || (shape[i] >= 0 && sum != shape[i]))
                    {
                        throw new ArgumentException($"{op}: chunks {ChunkSpec.Describe(explicitChunks)} on axis {i} add up to {sum}, not the axis length {shape[i]} of shape {Shapes.Format(shape)}.");
                    }

                    result[i] = explicitChunks.Length == 0 ? [0] : (int[])explicitChunks.Clone();
                    break;
                case string text:
                    if (!text.Equals("auto", StringComparison.OrdinalIgnoreCase))
                    {
                        limit = ParseBytes(text, op);
                    }

                    auto.Add(i);
                    break;
                default:
                    throw new ArgumentException($"{op}: cannot use {item} ({item.GetType().Name}) as the chunks of axis {i}; use an int, an int[], \"auto\" or a byte size.");
            }
        }

        if (auto.Count > 0)
        {
            Auto(op, result, auto, shape, itemSize, limit);
        }

        return result;
    }

    private static int[] Whole(string op, long length) => length < 0 ? [-1] : [(int)Math.Min(length, int.MaxValue)];

    private static void Auto(string op, int[][] result, List<int> auto, long[] shape, int itemSize, long limit)
    {
        foreach (int a in auto)
        {
            if (shape[a] < 0)
            {
                throw new ArgumentException($"{op}: can't use \"auto\" chunks on axis {a} of shape {Shapes.Format(shape)} with unknown (NaN) length; call ComputeChunkSizes() first.");
            }
        }

        double fixedElements = 1;
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] is not null)
            {
                fixedElements *= Math.Max(1, result[i].Max());
            }
        }

        var remaining = new List<int>(auto);
        double perAxis;
        while (true)
        {
            double budget = limit / (double)itemSize / fixedElements;
            perAxis = Math.Pow(budget, 1.0 / remaining.Count);
            var small = remaining.Where(a => shape[a] < perAxis).ToList();
            if (small.Count == 0)
            {
                break;
            }

            foreach (int a in small)
            {
                result[a] = shape[a] == 0 ? [0] : [(int)shape[a]];
                fixedElements *= Math.Max(1, shape[a]);
                remaining.Remove(a);
            }

            if (remaining.Count == 0)
            {
                return;
            }
        }

        foreach (int a in remaining)
        {
            long size = Math.Max(1, (long)perAxis);
            result[a] = BlockDims(shape[a], size);
        }
    }

    /// <summary>The common refinement of several chunkings of one axis (Dask's <c>common_blockdim</c>).</summary>
    public static int[] Common(string op, IReadOnlyList<int[]> chunkings)
    {
        var distinct = chunkings.Where(c => !(c.Length == 1)).ToList();
        if (distinct.Count == 0)
        {
            return chunkings[0];
        }

        if (distinct.All(c => c.AsSpan().SequenceEqual(distinct[0])))
        {
            return distinct[0];
        }

        if (distinct.Any(c => c.Contains(-1)))
        {
            throw new InvalidOperationException($"{op}: cannot unify chunks with unknown (NaN) sizes; call ComputeChunkSizes() first.");
        }

        long total = distinct[0].Sum(c => (long)c);
        var bounds = new SortedSet<long>();
        foreach (int[] c in distinct)
        {
            if (c.Sum(x => (long)x) != total)
            {
                throw new ArgumentException($"{op}: chunks {ChunkSpec.Describe(distinct[0])} and {ChunkSpec.Describe(c)} cover different lengths and cannot be unified.");
            }

            long at = 0;
            foreach (int x in c)
            {
                at += x;
                bounds.Add(at);
            }
        }

        var r = new List<int>();
        long prev = 0;
        foreach (long b in bounds)
        {
            if (b > prev)
            {
                r.Add((int)(b - prev));
            }

            prev = b;
        }

        return [.. r];
    }

    /// <summary>For each new block along one axis: the old blocks it draws from and the range within each (Dask's <c>old_to_new</c>).</summary>
    public static List<(int Block, int Start, int Stop)>[] Intersect(int[] oldChunks, int[] newChunks)
    {
        var result = new List<(int, int, int)>[newChunks.Length];
        long[] oldStarts = Starts(oldChunks);
        int ob = 0;
        long pos = 0;
        for (int n = 0; n < newChunks.Length; n++)
        {
            var pieces = new List<(int, int, int)>();
            long end = pos + newChunks[n];
            while (pos < end)
            {
                while (ob < oldChunks.Length && oldStarts[ob] + oldChunks[ob] <= pos)
                {
                    ob++;
                }

                long blockEnd = oldStarts[ob] + oldChunks[ob];
                long take = Math.Min(end, blockEnd);
                pieces.Add((ob, (int)(pos - oldStarts[ob]), (int)(take - oldStarts[ob])));
                pos = take;
            }

            if (newChunks[n] == 0)
            {
                pieces.Add((Math.Min(ob, oldChunks.Length - 1), 0, 0));
            }

            result[n] = pieces;
        }

        return result;
    }

    public static long[] Starts(int[] chunks)
    {
        var s = new long[chunks.Length];
        long at = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            s[i] = at;
            at += chunks[i];
        }

        return s;
    }
}
