namespace Tessera.Arrays.Tests;

/// <summary>The uniform generator against a scalar xoshiro256** written out here.</summary>
public class RandomStreamTests
{
    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Block <paramref name="block"/>'s values: eight streams, element i from stream i % 8.</summary>
    private static double[] Reference(ulong seed, long block, int n)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(block + 1));
        ulong[][] streams = [.. Enumerable.Range(0, 8).Select(_ => new[] { SplitMix(ref x), SplitMix(ref x), SplitMix(ref x), SplitMix(ref x) })];
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            ulong[] s = streams[i % 8];
            ulong result = ulong.RotateLeft(s[1] * 5, 7) * 9;
            ulong t = s[1] << 17;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = ulong.RotateLeft(s[3], 45);
            values[i] = (result >> 11) * (1.0 / (1UL << 53));
        }

        return values;
    }

    [Theory]
    [InlineData(1, 0UL)]
    [InlineData(7, 3UL)]
    [InlineData(8, 42UL)]
    [InlineData(1003, 12345UL)]
    public void Uniform_IsEightInterleavedXoshiroStreams(int n, ulong seed)
    {
        double[] values = DArray.Random.Uniform([n], chunks: n, seed: seed).Compute().ToArray();
        Assert.Equal(Reference(seed, 0, n), values);
    }

    [Fact]
    public void Uniform_BlocksHaveTheirOwnStreamsAndScale()
    {
        double[] values = DArray.Random.Uniform([30], chunks: 10, seed: 5, low: -2, high: 2).Compute().ToArray();
        for (int block = 0; block < 3; block++)
        {
            double[] expected = [.. Reference(5, block, 10).Select(u => (u * 4) - 2)];
            Assert.Equal(expected, values.Skip(block * 10).Take(10));
        }

        Assert.All(values, v => Assert.InRange(v, -2, 2));
    }
}
