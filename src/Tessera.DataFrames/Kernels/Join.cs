using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Hash join of two tables on key columns (pandas' <c>merge</c> on one partition pair).</summary>
internal static class Join
{
    public static Table HashJoin(Table left, Table right, string[] leftOn, string[] rightOn, int how, string[] suffixes)
    {
        var h = (JoinHow)how;
        int nl = left.RowCount;
        int nr = right.RowCount;
        var keys = new IArrowArray[leftOn.Length];
        for (int k = 0; k < keys.Length; k++)
        {
            IArrowArray l = left[leftOn[k]];
            IArrowArray r = right[rightOn[k]];
            keys[k] = Arrays.Concat([l, r], l.Data.DataType);
        }

        Factorization f = Hashing.Factorize(keys);
        int[] codes = f.Codes;

        // Right rows by code (CSR).
        var start = new int[f.Count + 1];
        for (int j = 0; j < nr; j++)
        {
            int c = codes[nl + j];
            if (c >= 0)
            {
                start[c + 1]++;
            }
        }

        for (int c = 0; c < f.Count; c++)
        {
            start[c + 1] += start[c];
        }

        var rows = new int[start[f.Count]];
        var fill = (int[])start.Clone();
        for (int j = 0; j < nr; j++)
        {
            int c = codes[nl + j];
            if (c >= 0)
            {
                rows[fill[c]++] = j;
            }
        }

        // The output rows, counted first so the row lists are allocated once.
        bool keepLeft = h is JoinHow.Left or JoinHow.Outer;
        bool keepRight = h is JoinHow.Right or JoinHow.Outer;
        long size = 0;
        for (int i = 0; i < nl; i++)
        {
            int c = codes[i];
            int matches = c >= 0 ? start[c + 1] - start[c] : 0;
            size += matches > 0 ? matches : keepLeft ? 1 : 0;
        }

        // A right row is unmatched when no left row has its key.
        bool[]? onLeft = null;
        if (keepRight)
        {
            onLeft = new bool[f.Count];
            for (int i = 0; i < nl; i++)
            {
                if (codes[i] >= 0)
                {
                    onLeft[codes[i]] = true;
                }
            }

            for (int j = 0; j < nr; j++)
            {
                int c = codes[nl + j];
                if (c < 0 || !onLeft[c])
                {
                    size++;
                }
            }
        }

        if (size > System.Array.MaxLength)
        {
            throw new InvalidOperationException($"merge: one partition pair would give {size} rows, more than an array holds; use more partitions.");
        }

        var l2 = new int[size];
        var r2 = new int[size];
        int at = 0;

        // Every left row once, in order (a many-to-one join where all rows match, as with a lookup
        // table): the left columns are then reused as they are instead of gathered.
        bool leftAsIs = size == nl;
        for (int i = 0; i < nl; i++)
        {
            int c = codes[i];
            int from = c >= 0 ? start[c] : 0;
            int to = c >= 0 ? start[c + 1] : 0;
            if (from == to)
            {
                if (keepLeft)
                {
                    l2[at] = i;
                    r2[at++] = -1;
                }
                else
                {
                    leftAsIs = false;
                }

                continue;
            }

            leftAsIs &= to - from == 1;
            for (int p = from; p < to; p++)
            {
                l2[at] = i;
                r2[at++] = rows[p];
            }
        }

        if (onLeft is not null)
        {
            for (int j = 0; j < nr; j++)
            {
                int c = codes[nl + j];
                if (c < 0 || !onLeft[c])
                {
                    l2[at] = -1;
                    r2[at++] = j;
                    leftAsIs = false;
                }
            }
        }

        var output = new List<(string, IArrowArray)>();
        var shared = new HashSet<string>(leftOn.Where((k, i) => rightOn[i] == k), StringComparer.Ordinal);
        var leftNames = new HashSet<string>(left.ColumnNames, StringComparer.Ordinal);
        var rightNames = new HashSet<string>(right.ColumnNames.Where(c => !shared.Contains(c)), StringComparer.Ordinal);
        int[]? keyRows = null;
        foreach ((string name, IArrowArray a) in left.DataColumns())
        {
            if (shared.Contains(name))
            {
                // A key column with the same name on both sides appears once, from whichever side has the row.
                int k = System.Array.IndexOf(leftOn, name);
                if (leftAsIs && DTypes.Of(a) == DTypes.Of(keys[k]))
                {
                    output.Add((name, a));
                    continue;
                }

                if (keyRows is null)
                {
                    keyRows = new int[l2.Length];
                    for (int i = 0; i < keyRows.Length; i++)
                    {
                        keyRows[i] = l2[i] >= 0 ? l2[i] : nl + r2[i];
                    }
                }

                output.Add((name, Arrays.Take(keys[k], keyRows)));
                continue;
            }

            output.Add((rightNames.Contains(name) ? name + suffixes[0] : name, leftAsIs ? a : Arrays.Take(a, l2)));
        }

        foreach ((string name, IArrowArray a) in right.DataColumns())
        {
            if (shared.Contains(name))
            {
                continue;
            }

            output.Add((leftNames.Contains(name) ? name + suffixes[1] : name, Arrays.Take(a, r2)));
        }

        return Table.Create([], output);
    }
}
