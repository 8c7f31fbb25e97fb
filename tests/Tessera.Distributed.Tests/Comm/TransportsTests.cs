using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests.Comm;

public sealed class TransportsTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:1", "tcp")]
    [InlineData("TCP://host:1", "tcp")]
    [InlineData("inproc://x", "inproc")]
    public void ForAddress_KnownScheme_PicksTransport(string address, string scheme)
    {
        Assert.Equal(scheme, Transports.ForAddress(address).Scheme);
    }

    [Theory]
    [InlineData("udp://127.0.0.1:1", "udp")]
    [InlineData("ucx://10.0.0.1:8786", "ucx")]
    public void ForAddress_UnknownScheme_ThrowsArgumentNamingIt(string address, string scheme)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Transports.ForAddress(address));
        Assert.Contains($"'{scheme}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NoScheme_ThrowsArgument()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => Transports.ConnectAsync("127.0.0.1:8786"));
        Assert.Contains("127.0.0.1:8786", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListenAndConnect_ByAddress_WithDefaultOptions_RoundTrip()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transports.ListenAsync("tcp://127.0.0.1:0", cancellationToken: ct);
        Task<IConnection> connect = Transports.ConnectAsync(listener.Address, cancellationToken: ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        await using IConnection client = await connect;
        await server.SendAsync(new OutgoingMessage(new byte[] { 9 }), ct);
        Assert.Equal(9, (await client.ReceiveAsync(ct)).Header.Span[0]);
    }
}
