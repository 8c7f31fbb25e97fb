using Tessera.Scheduling;

namespace Tessera.Tests.Scheduling;

public sealed class WeakArrayPoolTests
{
    [Fact]
    public void Take_GivesBackOnlyAnArrayOfTheSameTypeAndLength_Once()
    {
        var pool = new WeakArrayPool();
        Assert.Null(pool.Take<byte>(100));

        byte[] bytes = new byte[100];
        pool.Return(bytes, 1000);
        Assert.Null(pool.Take<byte>(99));
        Assert.Null(pool.Take<short>(100));
        Assert.Same(bytes, pool.Take<byte>(100));
        Assert.Null(pool.Take<byte>(100));
        Assert.Equal(1, pool.Reused);
        GC.KeepAlive(bytes);
    }

    [Fact]
    public void Return_BeyondTheCap_DropsTheOldestFirst_AndKeepsNoArrayLargerThanTheCap()
    {
        var pool = new WeakArrayPool();
        double[] oldest = new double[10]; // 80 bytes
        double[] middle = new double[11]; // 88 bytes
        double[] newest = new double[12]; // 96 bytes
        pool.Return(oldest, 200);
        pool.Return(middle, 200);
        pool.Return(newest, 200); // 80 + 88 + 96 > 200: the oldest goes
        Assert.Null(pool.Take<double>(10));
        Assert.Same(newest, pool.Take<double>(12));
        Assert.Same(middle, pool.Take<double>(11));

        pool.Return(new double[30], 200); // 240 bytes: above the cap
        Assert.Null(pool.Take<double>(30));
        GC.KeepAlive(oldest);
    }
}
