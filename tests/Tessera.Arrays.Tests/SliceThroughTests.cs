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
    public void Slice_ThroughABroadcastOperand_SlicesItAlongItsOwnAxes()
    {
        DArray<double> x = DArray.Random.Uniform([20, 20], chunks: 5, seed: 1);
        DArray<double> row = DArray.Random.Uniform([20], chunks: 5, seed: 2);
        DArray<double> col = DArray.Random.Uniform([20, 1], chunks: 5, seed: 3);
        Func<DArray<double>> build = () => (x + row - col)[..5, 2..8];
        DArray<double> pushed = build(), plain = Without(build);

        // Pushed: x's, row's and col's blocks, then getitems of x (1 x 2 blocks), row (2) and col (1), an add and a subtract per selected block.
        Assert.Equal(16 + 4 + 4 + 2 + 2 + 1 + 2 + 2, pushed.Graph.TaskCount);
        Assert.Equal(16 + 4 + 4 + 16 + 16 + 2, plain.Graph.TaskCount);
        Assert.Equal(plain.Chunks.Select(c => c.ToList()), pushed.Chunks.Select(c => c.ToList()));
        TestData.Same((x.Compute() + row.Compute() - col.Compute()).Slice(Ix.S(null, 5), Ix.S(2, 8)), pushed.Compute());
    }

    [Fact]
    public void Slice_OfATranspose_SlicesTheInputThenTransposes()
    {
        DArray<double> x = DArray.Random.Uniform([30, 20], chunks: 10, seed: 4);
        Func<DArray<double>> build = () => x.T[3..7, 25];
        DArray<double> pushed = build(), plain = Without(build);

        // Pushed: x's 6 blocks and one getitem of x[25, 3..7] (1-D: no transpose left); plain: 6 transposes, then one getitem.
        Assert.Equal(6 + 1, pushed.Graph.TaskCount);
        Assert.Equal(6 + 6 + 1, plain.Graph.TaskCount);
        TestData.Same(x.Compute().T.Slice(Ix.S(3, 7), 25), pushed.Compute());

        // (x.T + 1)[s]: the slice goes through the add, then through the transpose.
        DArray<double> chain = (x.T + 1.0)[..5, ..5];
        Assert.Equal(6 + 3, chain.Graph.TaskCount);
        TestData.Same((x.Compute().T + 1.0).Slice(Ix.S(null, 5), Ix.S(null, 5)), chain.Compute());
    }

    [Fact]
    public void Slice_ThroughTransposesAndBroadcasts_IsTheSameWithAndWithoutPushing()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            int[] perm = [.. Enumerable.Range(0, shape.Length).OrderBy(_ => r.Next())];
            int[] source = new int[shape.Length];
            for (int i = 0; i < perm.Length; i++)
            {
                source[perm[i]] = shape[i];
            }

            // b broadcasts: a suffix of the shape with some axes of length 1.
            int[] bShape = [.. shape.Skip(r.Next(shape.Length)).Select(n => r.Next(3) == 0 ? 1 : n)];
            NDArray<double> a = TestData.Doubles(r, source), b = TestData.Doubles(r, bShape);
            DArray<double> da = DArray.FromArray(a, TestData.Chunks(r, source)), db = DArray.FromArray(b, TestData.Chunks(r, bShape));
            Ix[] ix = TestData.BasicIndex(r, shape);
            Func<DArray<double>> build = () => ((da.Transpose(perm) * 2.0) - db)[ix];
            DArray<double> pushed = build(), plain = Without(build);
            TestData.Same(plain.Compute(), pushed.Compute());
            Assert.Equal(plain.Chunks.Select(c => c.ToList()), pushed.Chunks.Select(c => c.ToList()));
            Assert.True(OperationTasks(pushed) <= OperationTasks(plain), $"{OperationTasks(pushed)} operation tasks pushed, {OperationTasks(plain)} plain");

            NDArray<double> inMemory = ((a.Transpose(perm) * 2.0) - b).Slice(ix);
            TestData.Same(inMemory, pushed.Compute());
        }, iter: 80);
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

    // The tasks that transpose, multiply, subtract or rechunk: pushed, they run on the selected
    // blocks only. (Getitems may be more: one per input block instead of one per output block.)
    private static int OperationTasks(DArray<double> x) =>
        x.Graph.Layers.Where(l => !l.Name.StartsWith("getitem", StringComparison.Ordinal) && x.Graph.Dependencies[l.Name].Length > 0).Sum(l => l.Count);

    [Fact]
    public void Slice_OutOfBounds_FailsWhenBuilt()
    {
        DArray<double> x = DArray.Ones<double>([4, 4], chunks: 2);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentOutOfRangeException>(() => (x + 1.0)[7, 0]).Message, StringComparison.Ordinal);
    }
}
