using Tessera.Distributed.Comm;
using Tessera.Distributed.Serialization;

namespace Tessera.Distributed.Tests.Comm;

public sealed class ReceiveBuffersTests
{
    // An odd length no other test receives, so buffers of parallel tests do not meet these.
    private const int Length = ReceiveBuffers.MinBytes + 12_345;

    [Fact]
    public void Rent_AfterAReturn_TakesTheSameArray_OfTheSameLengthOnly()
    {
        byte[] first = ReceiveBuffers.Rent(Length);
        Assert.Equal(Length, first.Length);
        ReceiveBuffers.Return(new SerializedMessage(new byte[] { 1 }, [first]));

        Assert.NotSame(first, ReceiveBuffers.Rent(Length + 1));
        Assert.Same(first, ReceiveBuffers.Rent(Length));

        // Lent once, returned once: a second return of the same array is ignored.
        ReceiveBuffers.Return(new SerializedMessage(new byte[] { 1 }, [first]));
        ReceiveBuffers.Return(new SerializedMessage(new byte[] { 1 }, [first]));
        Assert.Same(first, ReceiveBuffers.Rent(Length));
        Assert.NotSame(first, ReceiveBuffers.Rent(Length));
    }

    [Fact]
    public void Return_OfArraysItDidNotLend_KeepsThemOutOfThePool()
    {
        byte[] foreign = new byte[Length + 7];
        ReceiveBuffers.Return(new SerializedMessage(new byte[] { 1 }, [foreign]));
        Assert.NotSame(foreign, ReceiveBuffers.Rent(Length + 7));

        // Small buffers are never pooled.
        byte[] small = ReceiveBuffers.Rent(1000);
        ReceiveBuffers.Return(new SerializedMessage(new byte[] { 1 }, [small]));
        Assert.NotSame(small, ReceiveBuffers.Rent(1000));
    }
}
