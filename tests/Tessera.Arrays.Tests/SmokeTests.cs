using Tessera.Collections;

namespace Tessera.Arrays.Tests;

public class SmokeTests
{
    [Fact]
    public void MeanOfXPlusXT_MatchesInMemory()
    {
        DArray<double> x = DArray.Random.Uniform([50, 50], chunks: 10, seed: 1);
        NDArray<double> full = x.Compute();
        NDArray<double> m = (x + x.T).Mean(axis: 0).Compute();
        TestData.Close((full + full.T).Mean(axis: 0), m);
        Assert.Equal(1.0, (x + x.T).Mean(axis: 0).Sum().Compute().ToScalar() / 50, 1);
    }
}
