using CsCheck;

namespace Tessera.Arrays.Tests;

public sealed class OverlapTests
{
    /// <summary>A stencil along axis 0: the sum of the 2d+1 neighbours, zero where they are missing.</summary>
    private static NDArray<double> Stencil(NDArray<double> block, int d)
    {
        int len = block.Shape[0];
        NDArray<double> result = NDArray<double>.Zeros([.. block.Shape]);
        if (len <= 2 * d)
        {
            return result;
        }

        Ix[] Rows(int start, int stop) => [Ix.S(start, stop), Ix.Ellipsis];
        NDArray<double> acc = block.Slice(Rows(0, len - (2 * d))).Copy();
        for (int k = 1; k <= 2 * d; k++)
        {
            acc += block.Slice(Rows(k, len - (2 * d) + k));
        }

        result.Slice(Rows(d, len - d)).Assign(acc);
        return result;
    }

    private static NDArray<double> Pad(NDArray<double> a, int axis, int d, Boundary boundary)
    {
        int n = a.Shape[axis];
        Ix[] Index(Ix ix)
        {
            Ix[] index = [.. Enumerable.Repeat(Ix.All, a.NDim)];
            index[axis] = ix;
            return index;
        }

        (NDArray<double> left, NDArray<double> right) = boundary switch
        {
            Boundary.Reflect => (a.Slice(Index(Ix.Take(Enumerable.Range(0, d).Reverse().Select(i => (long)i)))), a.Slice(Index(Ix.Take(Enumerable.Range(n - d, d).Reverse().Select(i => (long)i))))),
            Boundary.Periodic => (a.Slice(Index(Ix.S(n - d, n))), a.Slice(Index(Ix.S(0, d)))),
            Boundary.Nearest => (a.Slice(Index(Ix.Take(Enumerable.Repeat(0L, d)))), a.Slice(Index(Ix.Take(Enumerable.Repeat((long)n - 1, d))))),
            _ => (NDArray<double>.Full(7, [.. a.Shape.Select((s, i) => i == axis ? d : s)]), NDArray<double>.Full(7, [.. a.Shape.Select((s, i) => i == axis ? d : s)])),
        };
        return NDArray.Concatenate([left, a, right], axis);
    }

    [Theory]
    [InlineData(Boundary.Reflect)]
    [InlineData(Boundary.Periodic)]
    [InlineData(Boundary.Nearest)]
    [InlineData(Boundary.Constant)]
    [InlineData(Boundary.None)]
    public void MapOverlap_MatchesTheStencilOnThePaddedArray(Boundary boundary)
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int d = r.Next(0, 3);
            int[] shape = TestData.Shape(r, 1, 2, 9);
            shape[0] = Math.Max(shape[0], 3 * Math.Max(d, 1));
            NDArray<double> a = TestData.Doubles(r, shape);
            int[][] chunks = [.. shape.Select(n => Partition(r, n, Math.Max(d, 1)))];
            DArray<double> da = DArray.FromArray(a, chunks);
            int[] depth = [.. shape.Select((_, i) => i == 0 ? d : r.Next(0, 2))];
            depth = [.. depth.Select((x, i) => Math.Min(x, chunks[i].Min()))];

            NDArray<double> expected = a;
            if (boundary != Boundary.None)
            {
                for (int axis = 0; axis < a.NDim; axis++)
                {
                    if (depth[axis] > 0)
                    {
                        expected = Pad(expected, axis, depth[axis], boundary);
                    }
                }
            }

            expected = Stencil(expected, d);
            if (boundary != Boundary.None)
            {
                expected = expected.Slice([.. depth.Select((x, i) => Ix.S(x, x + shape[i]))]);
            }

            NDArray<double> actual = da.MapOverlap(b => Stencil(b, d), depth, boundary, constant: 7).Compute();
            TestData.Close(expected, actual);
        }, iter: 40);
    }

    private static int[] Partition(Random r, int n, int min)
    {
        var parts = new List<int>();
        int left = n;
        while (left > 0)
        {
            int take = left < 2 * min ? left : r.Next(min, left - min + 1);
            parts.Add(take);
            left -= take;
        }

        return [.. parts];
    }

    [Fact]
    public void Boundaries_DaskCasesA17()
    {
        DArray<long> x = DArray.Arange<long>(0, 10, chunks: 5);
        static NDArray<long> Same(NDArray<long> b) => b;
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 8, 9], x.MapOverlap<long>(Same, [2], Boundary.Reflect).Compute().ToArray());
        Assert.Contains("rechunk", Assert.Throws<ArgumentException>(() => x.MapOverlap<long>(Same, [6])).Message, StringComparison.Ordinal);
    }
}
