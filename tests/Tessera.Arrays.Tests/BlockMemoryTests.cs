namespace Tessera.Arrays.Tests;

/// <summary>The full collections that keep dead large blocks from piling up (<c>array.gc-budget</c>).</summary>
public class BlockMemoryTests
{
    [Fact]
    public void LargeBlocks_RunAFullCollectionOnceABlockMayBeDead()
    {
        const int Blocks = 12, Length = 1 << 20; // 8 MiB of doubles each
        using (TesseraConfig.Set(("array.gc-budget", 0L)))
        {
            int before = GC.CollectionCount(2);
            for (int i = 0; i < Blocks; i++)
            {
                NDArray<double> block = NDArray<double>.Full(i, Length);
                Assert.Equal(i, block[Length - 1]);
            }

            // One collection per block after the first; other tests' allocations on other threads
            // can take a turn (they then collect instead), so half is the safe lower bound.
            Assert.True(GC.CollectionCount(2) - before >= Blocks / 2, $"{GC.CollectionCount(2) - before} full collections for {Blocks} blocks");
        }
    }

    [Fact]
    public void Budget_ReadsByteSizes_AndRejectsOtherText()
    {
        using (TesseraConfig.Set(("array.gc-budget", "1GiB")))
        {
            Assert.Equal(1.0, NDArray<double>.Ones(1 << 18)[0]);
        }

        using (TesseraConfig.Set(("array.gc-budget", "-1")))
        {
            Assert.Equal(2.0, NDArray<double>.Full(2.0, 1 << 18)[0]);
        }

        using (TesseraConfig.Set(("array.gc-budget", "lots")))
        {
            Assert.Contains("array.gc-budget", Assert.Throws<ArgumentException>(() => NDArray<double>.Ones(1 << 18)).Message, StringComparison.Ordinal);
        }
    }
}
