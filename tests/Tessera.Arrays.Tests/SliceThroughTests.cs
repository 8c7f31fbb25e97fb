using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>Slicing pushed through elementwise operations: <c>(x + 1)[s]</c> is built as <c>x[s] + 1</c>.</summary>
public class SliceThroughTests
{
    private static DArray<double> Without(Func<DArray<double>> build)
    {
        using (TesseraConfig.Set(("array.slice-through", false)))
        {
            return build();
        }
    }

    [Fact]
    public void Slice_OfAnElementwiseResult_BuildsTasksOnlyForTheSelectedBlocks()
    {
        DArray<double> x = DArray.Random.Uniform([100, 100], chunks: 10, seed: 1);
        Func<DArray<double>> build = () => ((x + 1.0) * 2.0)[5..15, ..10];
        DArray<double> pushed = build(), plain = Without(build);

        // Pushed: x's 100 random blocks, then per selected block (2 x 1) a getitem, an add and a multiply.
        Assert.Equal(100 + (3 * 2), pushed.Graph.TaskCount);

        // Not pushed: the add and the multiply over all 100 blocks, then two getitems.
        Assert.Equal(100 + (2 * 100) + 2, plain.Graph.TaskCount);
        Assert.Equal(plain.Chunks.Select(c => c.ToList()), pushed.Chunks.Select(c => c.ToList()));
        TestData.Same(plain.Compute(), pushed.Compute());

        NDArray<double> full = x.Compute();
        TestData.Same(((full + 1.0) * 2.0).Slice(Ix.S(5, 15), Ix.S(null, 10)), pushed.Compute());
    }

    [Fact]
    public void Slice_ThroughABroadcastOperand_IsNotPushed()
    {
        DArray<double> x = DArray.Random.Uniform([20, 20], chunks: 5, seed: 1);
        DArray<double> row = DArray.Random.Uniform([20], chunks: 5, seed: 2);
        DArray<double> y = (x + row)[..5];
        Assert.Equal(16 + 4 + 16 + 4, y.Graph.TaskCount);
        TestData.Same((x.Compute() + row.Compute()).Slice(Ix.S(null, 5)), y.Compute());
    }

    [Fact]
    public void Slice_IsTheSameWithAndWithoutPushing()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            NDArray<double> a = TestData.Doubles(r, shape), b = TestData.Doubles(r, shape);
            DArray<double> da = DArray.FromArray(a, TestData.Chunks(r, shape)), db = DArray.FromArray(b, TestData.Chunks(r, shape));
            Ix[] ix = TestData.BasicIndex(r, shape);
            Func<DArray<double>> build = () => DArray.Where(da > db, (da * db).Abs().Sqrt(), -da.Abs())[ix];
            DArray<double> pushed = build(), plain = Without(build);
            NDArray<double> expected = plain.Compute();
            TestData.Same(expected, pushed.Compute());
            Assert.Equal(plain.Shape, pushed.Shape);
            Assert.Equal(plain.Chunks.Select(c => c.ToList()), pushed.Chunks.Select(c => c.ToList()));

            NDArray<double> inMemory = NDArray.Where(a > b, (a * b).Abs().Sqrt(), -a.Abs()).Slice(ix);
            TestData.Same(inMemory, pushed.Compute());
        }, iter: 60);
    }

    [Fact]
    public void Slice_OutOfBounds_FailsWhenBuilt()
    {
        DArray<double> x = DArray.Ones<double>([4, 4], chunks: 2);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentOutOfRangeException>(() => (x + 1.0)[7, 0]).Message, StringComparison.Ordinal);
    }
}
