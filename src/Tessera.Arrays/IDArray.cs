using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>What graph building needs from a chunked array of any element type.</summary>
internal interface IDArray
{
    string Name { get; }

    LayeredGraph Graph { get; }

    int[][] ChunksArray { get; }

    long[] ShapeArray { get; }

    int NDim { get; }

    IDArray RechunkTo(int[][] chunks);

    IDArray SliceBy(Ix[] index);

    Key BlockKey(int[] index);
}
