using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>Blockwise in index notation against the same function applied to the whole arrays as one block.</summary>
public sealed class BlockwiseTests
{
    [Fact]
    public void MatMul_ContractsTheSharedIndex_WithAnyChunking()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(1, 9), m = r.Next(1, 9), p = r.Next(1, 9);
            NDArray<double> a = TestData.Doubles(r, [n, m]), b = TestData.Doubles(r, [m, p]);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, [n, m])), y = DArray.FromArray(b, TestData.Chunks(r, [m, p]));
            DArray<double> product = DArray.Blockwise<double, double>("ij,jk->ik", static blocks => NDArray.MatMul(blocks[0], blocks[1]), x, y);
            TestData.Close(NDArray.MatMul(a, b), product.Compute());
            Assert.Equal(x.Chunks[0], product.Chunks[0]);
        }, iter: 100);
    }

    [Fact]
    public void ReductionTransposeAndBroadcast_MatchTheWholeArray()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(1, 9), m = r.Next(1, 9);
            NDArray<double> a = TestData.Doubles(r, [n, m]), v = TestData.Doubles(r, [m]);
            DArray<double> x = DArray.FromArray(a, TestData.Chunks(r, [n, m])), w = DArray.FromArray(v, TestData.Chunks(r, [m]));

            TestData.Close(a.Sum(axis: 1), DArray.Blockwise<double, double>("ij->i", static b => b[0].Sum(axis: 1), x).Compute());
            TestData.Same(a.T.Copy(), DArray.Blockwise<double, double>("ij->ji", static b => b[0].T.Copy(), x).Compute());
            TestData.Close(a + v, DArray.Blockwise<double, double>("ij,j->ij", static b => b[0] + b[1], x, w).Compute());
        }, iter: 100);
    }

    [Fact]
    public void BadNotation_FailsWhenTheGraphIsBuilt_AndAWrongBlockShapeFailsItsTask()
    {
        DArray<double> x = DArray.Ones<double>([4, 6], 2), y = DArray.Ones<double>([5, 3], 2);
        static NDArray<double> First(NDArray<double>[] b) => b[0];
        Assert.Contains("input 0 has 2 axes", Assert.Throws<ArgumentException>(() => DArray.Blockwise<double, double>("i->i", First, x)).Message, StringComparison.Ordinal);
        Assert.Contains("index 'j'", Assert.Throws<ArgumentException>(() => DArray.Blockwise<double, double>("ij,jk->ik", First, x, y)).Message, StringComparison.Ordinal);
        Assert.Contains("repeats a letter", Assert.Throws<ArgumentException>(() => DArray.Blockwise<double, double>("ii->i", First, x)).Message, StringComparison.Ordinal);
        Assert.Contains("'k'", Assert.Throws<ArgumentException>(() => DArray.Blockwise<double, double>("ij->ik", First, x)).Message, StringComparison.Ordinal);
        Assert.Contains("index notation", Assert.Throws<ArgumentException>(() => DArray.Blockwise<double, double>("ij", First, x)).Message, StringComparison.Ordinal);

        DArray<double> wrong = DArray.Blockwise<double, double>("ij->i", First, x);
        Exception e = Assert.ThrowsAny<Exception>(() => wrong.Compute());
        Assert.Contains("where the output block has shape", e.ToString(), StringComparison.Ordinal);
    }
}
