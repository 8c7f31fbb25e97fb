using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>Percentile against a sort of the whole array: exact on one block or small blocks, within N / 1000 ranks on large ones.</summary>
public sealed class PercentileTests
{
    private static readonly double[] s_q = [0, 1, 5, 25, 33.3, 50, 75, 90, 99.5, 100];

    // NumPy's default: linear interpolation between the two nearest ranks of the sorted data.
    private static double Exact(double[] sorted, double q)
    {
        double position = q / 100 * (sorted.Length - 1);
        int lo = (int)position;
        return lo + 1 < sorted.Length ? sorted[lo] + ((position - lo) * (sorted[lo + 1] - sorted[lo])) : sorted[lo];
    }

    [Fact]
    public void OneBlock_IsNumPysLinearPercentile()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[0, int.MaxValue]).Sample((n, seed) =>
        {
            var r = new Random(seed);
            double[] data = [.. Enumerable.Range(0, n).Select(_ => Math.Round(r.NextDouble() * 50, r.Next(3)))];
            double[] sorted = [.. data.Order()];
            double[] got = DArray.FromArray(data, [n], n).Percentile(s_q).Compute().ToArray();
            Assert.Equal(s_q.Select(q => Exact(sorted, q)), got, (a, b) => Math.Abs(a - b) <= 1e-9 * (1 + Math.Abs(a)));
        }, iter: 200);
    }

    [Fact]
    public void ManyBlocks_AreWithinATenthOfAPercentOfRank_Monotone_AndExactAtTheEnds()
    {
        Gen.Select(Gen.Int[1, 30_000], Gen.Int[0, int.MaxValue]).Sample((n, seed) =>
        {
            var r = new Random(seed);
            double[] data = r.Next(3) switch
            {
                0 => [.. Enumerable.Range(0, n).Select(_ => r.NextDouble())],
                1 => [.. Enumerable.Range(0, n).Select(_ => (double)r.Next(10))],
                _ => [.. Enumerable.Range(0, n).Select(i => Math.Exp(r.NextDouble() * 8) * (i % 7 == 0 ? -1 : 1))],
            };
            double[] sorted = [.. data.Order()];
            DArray<double> x = DArray.FromArray(data, [n], TestData.Partition(r, n));
            double[] got = x.Percentile(s_q).Compute().ToArray();

            Assert.Equal(sorted[0], got[0]);
            Assert.Equal(sorted[^1], got[^1]);
            for (int i = 0; i < s_q.Length; i++)
            {
                double rank = s_q[i] / 100 * (n - 1);
                int below = sorted.Count(v => v < got[i]), atOrBelow = sorted.Count(v => v <= got[i]);
                double slack = (n / 1000.0) + 1;
                Assert.True(below <= rank + slack && atOrBelow >= rank - slack,
                    $"q={s_q[i]}: {got[i]} has {below} values below and {atOrBelow} at or below it; the exact rank is {rank} (n={n}, chunks {string.Join(",", x.Chunks[0])})");
                if (i > 0)
                {
                    Assert.True(got[i] >= got[i - 1], $"q={s_q[i]} gives {got[i]} below q={s_q[i - 1]}'s {got[i - 1]}");
                }
            }
        }, iter: 60);
    }

    [Fact]
    public void SmallBlocks_AreExact()
    {
        Gen.Select(Gen.Int[1, 3000], Gen.Int[0, int.MaxValue]).Sample((n, seed) =>
        {
            var r = new Random(seed);
            double[] data = [.. Enumerable.Range(0, n).Select(_ => Math.Round(r.NextDouble() * 100, r.Next(3)))];
            double[] sorted = [.. data.Order()];
            var chunks = new List<int>();
            for (int left = n; left > 0; left -= chunks[^1])
            {
                chunks.Add(Math.Min(left, r.Next(1, 1001)));
            }

            double[] got = DArray.FromArray(data, [n], chunks.ToArray()).Percentile(s_q).Compute().ToArray();
            Assert.Equal(s_q.Select(q => Exact(sorted, q)), got, (a, b) => Math.Abs(a - b) <= 1e-9 * (1 + Math.Abs(a)));
        }, iter: 100);
    }

    [Fact]
    public void IntegersAndEmptyBlocks_AndNaN()
    {
        DArray<int> ints = DArray.FromArray(new[] { 5, 1, 4, 2, 3, 9, 7, 8, 6, 10 }, [10], new[] { 3, 0, 7 });
        double[] got = ints.Percentile(0, 50, 100).Compute().ToArray();
        Assert.Equal([1, 5.5, 10], got);

        double[] withNaN = DArray.FromArray(new[] { 1.0, double.NaN, 3, 4 }, [4], 2).Percentile(10, 90).Compute().ToArray();
        Assert.All(withNaN, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void BadInput_FailsWhenTheGraphIsBuilt()
    {
        DArray<double> x = DArray.Arange<double>(0, 12).Reshape(3, 4);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => x.Percentile(50)).Message, StringComparison.Ordinal);
        DArray<double> v = x.Ravel();
        Assert.Contains("101", Assert.Throws<ArgumentOutOfRangeException>(() => v.Percentile(50, 101)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Percentile(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Percentile());
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => DArray.Arange<double>(0, 0).Percentile(50)).Message, StringComparison.Ordinal);
    }
}
