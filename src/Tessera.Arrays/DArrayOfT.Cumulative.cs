using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <content>Cumulative sums and products (Dask's sequential method: per-block scans plus carries).</content>
public sealed partial class DArray<TElement>
{
    /// <summary>Running sums along an axis (the flattened array when <paramref name="axis"/> is null).</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> CumSum(int? axis = null) => Cumulate("cumsum", axis, product: false);

    /// <summary>Running products along an axis (the flattened array when <paramref name="axis"/> is null).</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> CumProd(int? axis = null) => Cumulate("cumprod", axis, product: true);

    private DArray<TElement> Cumulate(string op, int? axis, bool product)
    {
        if (!ElementOps<TElement>.Instance.SupportsArithmetic)
        {
            throw new NotSupportedException($"{op}: dtype {DType.NumPyName()} is not supported; use AsType<long>() first.");
        }

        if (axis is null)
        {
            return Ravel().Cumulate(op, 0, product);
        }

        int ax = Shapes.NormalizeAxis(op, axis.Value, NDim);
        Node axisNode = Node.Literal(ax), productNode = Node.Literal(product);
        string token = Tokenizer.Tokenize(op, Name, ax);
        string scanName = op + "-scan-" + token, carryName = op + "-carry-" + token;
        var scans = new TaskGraph();
        var carries = new TaskGraph();
        foreach (int[] index in BlockIndices(NumBlocksArray))
        {
            scans.TryAdd(new Key(scanName, index), Node.Call(Cumulative<TElement>.Block, Node.Ref(BlockKey(index)), axisNode, productNode));
            if (index[ax] > 0)
            {
                int[] previous = (int[])index.Clone();
                previous[ax]--;
                Node carry = index[ax] == 1 ? Node.Literal<NDArray<TElement>?>(null) : Node.Ref(new Key(carryName, previous));
                carries.TryAdd(new Key(carryName, index), Node.Call(Cumulative<TElement>.CarryStep, carry, Node.Ref(new Key(scanName, previous)), axisNode, productNode));
            }
        }

        LayeredGraph graph = Graph.With(new BlockLayer(scanName, scans, fusable: false), Name)
            .With(new BlockLayer(carryName, carries, fusable: false), scanName);
        return Build<TElement>(op + "-" + token, _chunks, graph, [scanName, carryName], index =>
            index[ax] == 0
                ? Node.Ref(new Key(scanName, index))
                : Node.Call(Cumulative<TElement>.Apply, Node.Ref(new Key(scanName, index)), Node.Ref(new Key(carryName, index)), productNode), fusable: false);
    }
}
