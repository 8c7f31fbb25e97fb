using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>Indexing by a lazy boolean mask, against LINQ over the whole array in row-major order.</summary>
public sealed class MaskIndexingTests
{
    [Fact]
    public void FullMask_SelectsTheElementsInRowMajorOrder_WithUnknownChunks()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 7);
            NDArray<double> a = TestData.Doubles(r, shape);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, shape));
            DArray<double> selected = x[x > 0.0];

            Assert.Equal(a.ToArray().Where(v => v > 0), selected.Compute().ToArray());
            Assert.True(selected.HasUnknownChunks || selected.NPartitions == 0);
            DArray<double> known = selected.ComputeChunkSizes();
            Assert.Equal(a.ToArray().Count(v => v > 0), known.Shape[0]);
            Assert.Equal(a.ToArray().Where(v => v > 0).Sum(), known.Sum().Compute().ToScalar(), 9);

            // A mask chunked differently from the array follows the array's blocks.
            DArray<bool> other = DArray.FromArray(a, TestData.Chunks(r, shape)) < 0.5;
            Assert.Equal(a.ToArray().Where(v => v < 0.5), x[other].Compute().ToArray());
        }, iter: 150);
    }

    [Fact]
    public void RowMask_SelectsRowsAlongAxis0()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 2, 3, 6);
            NDArray<double> a = TestData.Doubles(r, shape);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, shape));
            bool[] rows = [.. Enumerable.Range(0, shape[0]).Select(_ => r.Next(2) == 0)];
            DArray<bool> mask = DArray.FromArray(rows, [shape[0]], TestData.Partition(r, shape[0]));

            NDArray<double> got = x[mask].Compute();
            int rowSize = a.ToArray().Length / shape[0];
            double[] expected = [.. Enumerable.Range(0, shape[0]).Where(i => rows[i]).SelectMany(i => a.ToArray().Skip(i * rowSize).Take(rowSize))];
            Assert.Equal([rows.Count(b => b), .. shape.Skip(1)], got.Shape);
            Assert.Equal(expected, got.ToArray());
        }, iter: 100);
    }

    [Fact]
    public void MaskOfAnotherShape_FailsWhenTheGraphIsBuilt()
    {
        DArray<double> x = DArray.Ones<double>([4, 6], 2);
        ArgumentException e = Assert.Throws<ArgumentException>(() => x[DArray.Ones<double>([6], 2) > 0.0]);
        Assert.Contains("(6,)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(4, 6)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => x[DArray.Ones<double>([4, 5], 2) > 0.0]);
    }
}
