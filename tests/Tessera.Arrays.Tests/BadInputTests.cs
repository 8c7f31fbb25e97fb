namespace Tessera.Arrays.Tests;

/// <summary>Bad input fails when the graph is built, naming the operation, the shapes and the value.</summary>
public class BadInputTests
{
    private static readonly DArray<double> X = DArray.Ones<double>([4, 6], 2);

    [Fact]
    public void ShapesThatDoNotBroadcast()
    {
        var e = Assert.Throws<ArgumentException>(() => X + DArray.Ones<double>([5], 2));
        Assert.Contains("add", e.Message, StringComparison.Ordinal);
        Assert.Contains("(4, 6) (5,)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AxisOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => X.Sum(axis: 2));
        Assert.Contains("sum: axis 2 is out of bounds for an array of dimension 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => X.Mean(axis: -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => X.ArgMax(axis: 5));
        Assert.Throws<ArgumentException>(() => X.Transpose(0, 0));
    }

    [Fact]
    public void IndexOutOfBounds()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => X[4]);
        Assert.Contains("getitem: index 4 is out of bounds for axis 0 with size 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => X[Ix.All, Ix.Take(0, 6)]);
        Assert.Contains("too many indices", Assert.Throws<ArgumentException>(() => X[0, 0, 0]).Message, StringComparison.Ordinal);
        Assert.Contains("does not match axis", Assert.Throws<ArgumentException>(() => X[Ix.Where(true, false)]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImpossibleReshape()
    {
        var e = Assert.Throws<ArgumentException>(() => X.Reshape(5, -1));
        Assert.Contains("reshape: cannot reshape array of size 24 (shape (4, 6)) into shape (5, -1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedDType()
    {
        DArray<int> i = DArray.Ones<int>([4], 2);
        var e = Assert.Throws<NotSupportedException>(() => i.Sqrt());
        Assert.Contains("sqrt: dtype int32", e.Message, StringComparison.Ordinal);
        Assert.Contains("AsType<double>()", e.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => DArray.Ones<bool>([4], 2).Sum());
        Assert.Throws<NotSupportedException>(() => X & X);
    }

    [Fact]
    public void BadChunksAndShapes()
    {
        Assert.Contains("add up to 5", Assert.Throws<ArgumentException>(() => X.Rechunk(new[] { new[] { 2, 3 }, new[] { 6 } })).Message, StringComparison.Ordinal);
        Assert.Contains("negative dimensions", Assert.Throws<ArgumentException>(() => DArray.Zeros<double>([-1, 3])).Message, StringComparison.Ordinal);
        Assert.Contains("not aligned", Assert.Throws<ArgumentException>(() => DArray.MatMul(X, X)).Message, StringComparison.Ordinal);
        Assert.Contains("except for the concatenation axis", Assert.Throws<ArgumentException>(() => DArray.Concatenate([X, X.T])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => X.Rechunk("12 parsecs"));
        Assert.Throws<ArgumentOutOfRangeException>(() => X.Sum(splitEvery: 1));
    }
}
