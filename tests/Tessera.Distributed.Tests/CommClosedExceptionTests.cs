namespace Tessera.Distributed.Tests;

public sealed class CommClosedExceptionTests
{
    [Fact]
    public void Constructor_KeepsMessageAndCause()
    {
        var inner = new IOException("reset");
        var e = new CommClosedException("Connection to tcp://127.0.0.1:1 closed.", inner);
        Assert.Same(inner, e.InnerException);
        Assert.IsAssignableFrom<TesseraException>(e);
    }
}
