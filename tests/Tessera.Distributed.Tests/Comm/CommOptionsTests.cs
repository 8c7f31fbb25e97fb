using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests.Comm;

public sealed class CommOptionsTests
{
    [Fact]
    public void Default_HasDocumentedValues()
    {
        CommOptions o = CommOptions.Default;
        Assert.Equal(TimeSpan.FromSeconds(10), o.ConnectTimeout);
        Assert.Equal(TimeSpan.Zero, o.BatchWindow);
        Assert.Equal(64 * 1024 * 1024, o.MaxHeaderSize);
        Assert.Equal(1024 * 1024 * 1024, o.MaxBufferSize);
        Assert.Equal(65_536, o.MaxBuffersPerMessage);
        Assert.Equal(string.Empty, o.Role);
    }

    [Fact]
    public void With_InvalidValues_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { ConnectTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { ConnectTimeout = TimeSpan.MaxValue });
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { BatchWindow = TimeSpan.FromMilliseconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { MaxHeaderSize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { MaxBufferSize = int.MaxValue });
        Assert.Throws<ArgumentOutOfRangeException>(() => CommOptions.Default with { MaxBuffersPerMessage = -1 });
        Assert.Throws<ArgumentNullException>(() => CommOptions.Default with { Role = null! });
    }

    [Fact]
    public void With_ValidValue_ChangesOnlyThat()
    {
        CommOptions o = CommOptions.Default with { BatchWindow = TimeSpan.FromMilliseconds(2) };
        Assert.Equal(TimeSpan.FromMilliseconds(2), o.BatchWindow);
        Assert.Equal(CommOptions.Default with { BatchWindow = TimeSpan.FromMilliseconds(2) }, o);
        Assert.NotEqual(CommOptions.Default, o);
    }
}
