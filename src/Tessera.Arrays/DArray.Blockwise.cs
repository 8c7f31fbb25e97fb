using Tessera.Graphs;

namespace Tessera.Arrays;

/// <content>Blockwise operations in index notation.</content>
public static partial class DArray
{
    /// <summary>
    /// Applies a function block by block, with the blocks lined up by index notation (Dask's
    /// <c>blockwise</c> with <c>concatenate=True</c>): in <c>"ij,jk->ik"</c> each input has one
    /// letter per axis, axes with the same letter are aligned (their chunks unified), and an output
    /// block (i, k) is computed from the first input's blocks (i, all j) and the second's (all j, k),
    /// each joined into one array along <c>j</c>, a letter the output does not have.
    /// </summary>
    /// <typeparam name="T">The inputs' element type.</typeparam>
    /// <typeparam name="TOut">The result's element type.</typeparam>
    /// <param name="indices">The index notation: comma-separated letters per input, <c>-&gt;</c>, the output's letters (each also an input's).</param>
    /// <param name="function">Computes one output block from one array per input; it must return the block's shape and be pure.</param>
    /// <param name="inputs">The inputs, as many as the notation names.</param>
    /// <returns>The lazy result.</returns>
    /// <example><c>DArray.Blockwise&lt;double, double&gt;("ij,jk->ik", b =&gt; b[0].MatMul(b[1]), x, y)</c> is a matrix product.</example>
    public static DArray<TOut> Blockwise<T, TOut>(string indices, Func<NDArray<T>[], NDArray<TOut>> function, params DArray<T>[] inputs)
        where T : unmanaged
        where TOut : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(indices);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        (string[] ins, string output) = ParseIndices(indices, inputs.Select(x => x.NDim).ToArray());

        // Align every letter's axes: equal lengths, common chunks.
        var chunksOf = new Dictionary<char, int[]>();
        foreach (char letter in ins.SelectMany(s => s).Distinct())
        {
            var axes = new List<(int Input, int Axis)>();
            for (int i = 0; i < ins.Length; i++)
            {
                for (int a = 0; a < ins[i].Length; a++)
                {
                    if (ins[i][a] == letter)
                    {
                        axes.Add((i, a));
                    }
                }
            }

            long[] lengths = [.. axes.Select(p => inputs[p.Input].Shape[p.Axis])];
            if (lengths.Distinct().Skip(1).Any())
            {
                throw new ArgumentException(
                    $"blockwise: index '{letter}' of \"{indices}\" names axes of different lengths ({string.Join(", ", axes.Select((p, k) => $"input {p.Input} axis {p.Axis}: {lengths[k]}"))}).", nameof(inputs));
            }

            chunksOf[letter] = Chunking.Common("blockwise", [.. axes.Select(p => inputs[p.Input].ChunksArray[p.Axis])]);
        }

        DArray<T>[] aligned = [.. inputs.Select((x, i) =>
        {
            int[][] target = [.. ins[i].Select(l => chunksOf[l])];
            return target.Select((c, a) => c.AsSpan().SequenceEqual(x.ChunksArray[a])).All(same => same) ? x : x.Rechunk(target);
        })];

        int[][] outChunks = [.. output.Select(l => chunksOf[l])];
        TaskFunction fn = TaskFunction.Create(function, "blockwise");
        string name = DArray<TOut>.NewName("blockwise", [indices, Tokenizer.Tokenize(function), .. aligned.Select(x => (object?)x.Name)]);
        LayeredGraph graph = LayeredGraph.Merge(aligned.Select(x => x.Graph));
        return DArray<TOut>.Build<TOut>(name, outChunks, graph, aligned.Select(x => x.Name), index =>
        {
            var args = new Node[aligned.Length];
            for (int i = 0; i < aligned.Length; i++)
            {
                string letters = ins[i];

                // The input's blocks for this output block: its output letters fixed, every block along the others.
                int[] grid = [.. letters.Select(l => output.Contains(l, StringComparison.Ordinal) ? 1 : chunksOf[l].Length)];
                var refs = new List<Node>();
                foreach (int[] inner in DArray<T>.BlockIndices(grid))
                {
                    int[] block = [.. letters.Select((l, a) => output.IndexOf(l, StringComparison.Ordinal) is int o and >= 0 ? index[o] : inner[a])];
                    refs.Add(Node.Ref(aligned[i].BlockKey(block)));
                }

                args[i] = refs.Count == 1 ? refs[0] : Node.Call(BlockFunctions<T>.Merge, Node.List<NDArray<T>>([.. refs]), Node.Literal(grid));
            }

            int[] expected = [.. index.Select((b, a) => outChunks[a][b])];
            return Node.Call(BlockFunctions<TOut>.CheckShape, Node.Call(fn, Node.List<NDArray<T>>(args)), Node.Literal(expected), Node.Literal("blockwise"));
        }, fusable: false);
    }

    private static (string[] Inputs, string Output) ParseIndices(string indices, int[] ndims)
    {
        string[] sides = indices.Replace(" ", string.Empty, StringComparison.Ordinal).Split("->");
        string[] ins = sides.Length == 2 ? sides[0].Split(',') : [];
        if (sides.Length != 2 || ins.Length != ndims.Length || ins.Concat([sides[1]]).Any(s => s.Any(c => !char.IsAsciiLetter(c))))
        {
            throw new ArgumentException(
                $"blockwise: \"{indices}\" is not index notation for {ndims.Length} input(s); write one group of letters per input, then '->' and the output's letters, as in \"ij,jk->ik\".", nameof(indices));
        }

        string output = sides[1];
        for (int i = 0; i < ins.Length; i++)
        {
            if (ins[i].Length != ndims[i])
            {
                throw new ArgumentException($"blockwise: input {i} has {ndims[i]} axes but \"{ins[i]}\" in \"{indices}\" names {ins[i].Length}.", nameof(indices));
            }
        }

        if (ins.Append(output).FirstOrDefault(s => s.Distinct().Count() != s.Length) is string repeated)
        {
            throw new ArgumentException($"blockwise: \"{repeated}\" in \"{indices}\" repeats a letter; each axis of one array needs its own letter.", nameof(indices));
        }

        if (output.FirstOrDefault(c => !ins.Any(s => s.Contains(c, StringComparison.Ordinal))) is char fresh and not '\0')
        {
            throw new ArgumentException($"blockwise: output index '{fresh}' of \"{indices}\" is not an input's; new axes are not supported.", nameof(indices));
        }

        return (ins, output);
    }
}
