using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests.Comm;

public sealed class TcpTransportTests : TransportContractTests
{
    protected override ITransport Transport => Transports.Tcp;

    protected override string ListenAddress => "tcp://127.0.0.1:0";

    protected override string UnusedAddress()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return TcpTransport.Format(probe.LocalEndPoint);
    }

    protected override Task<RawServer> StartRawServerAsync(Func<RawPeer, Task> onLink)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(16);
        var peers = new List<RawPeer>();
        Task loop = Task.Run(async () =>
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                var stream = new NetworkStream(accepted, ownsSocket: true);
                var peer = new RawPeer(stream, stream, () => stream.DisposeAsync());
                lock (peers)
                {
                    peers.Add(peer);
                }

                _ = RunAsync(onLink, peer);
            }
        });

        return Task.FromResult(new RawServer(TcpTransport.Format(socket.LocalEndPoint), async () =>
        {
            socket.Dispose();
            await loop;
            RawPeer[] all;
            lock (peers)
            {
                all = [.. peers];
            }

            foreach (RawPeer peer in all)
            {
                await peer.DisposeAsync();
            }
        }));
    }

    protected override async Task<RawPeer> ConnectRawAsync(string address)
    {
        (string host, int port) = TcpTransport.Parse(address);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host, port, Ct);
        var stream = new NetworkStream(socket, ownsSocket: true);
        return new RawPeer(stream, stream, () => stream.DisposeAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_BlackholedPort_FailsWithinConnectTimeoutNamingAddress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;

        // A listener that never accepts, with a full accept queue: Linux drops further SYNs, so a
        // connect hangs as it would towards a firewalled host.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(0);
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await filler.ConnectAsync(blackhole.LocalEndPoint!, ct);
        string address = TcpTransport.Format(blackhole.LocalEndPoint);

        var options = new CommOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(address, options, ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains(address, e.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_ByHostName_Works()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync("tcp://127.0.0.1:0", CommOptions.Default, ct);
        (_, int port) = TcpTransport.Parse(listener.Address);
        Task<IConnection> connect = Transport.ConnectAsync($"tcp://localhost:{port}", CommOptions.Default, ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        await using IConnection client = await connect;
        Assert.Equal(listener.Address, client.RemoteAddress);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListenAndConnect_IPv6Loopback_RoundTrip()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Skip("This machine has no IPv6.");
        }

        await using IListener listener = await Transport.ListenAsync("tcp://[::1]:0", CommOptions.Default, ct);
        Assert.StartsWith("tcp://[::1]:", listener.Address, StringComparison.Ordinal);
        Task<IConnection> connect = Transport.ConnectAsync(listener.Address, CommOptions.Default, ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        await using IConnection client = await connect;
        Assert.Equal(listener.Address, client.RemoteAddress);
        await client.SendAsync(new OutgoingMessage(new byte[] { 6 }), ct);
        Assert.Equal(6, (await server.ReceiveAsync(ct)).Header.Span[0]);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:8786", "127.0.0.1", 8786)]
    [InlineData("tcp://[::1]:0", "::1", 0)]
    [InlineData("TCP://scheduler:1", "scheduler", 1)]
    [InlineData("tcp://:0", "", 0)]
    public void Parse_ValidAddress_SplitsHostAndPort(string address, string host, int port)
    {
        Assert.Equal((host, port), TcpTransport.Parse(address));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1")]
    [InlineData("tcp://127.0.0.1:70000")]
    [InlineData("tcp://[::1]")]
    [InlineData("inproc://x")]
    public void Parse_InvalidAddress_ThrowsArgumentNamingIt(string address)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => TcpTransport.Parse(address));
        Assert.Contains(address, e.Message, StringComparison.Ordinal);
    }

    private static async Task RunAsync(Func<RawPeer, Task> onLink, RawPeer peer)
    {
        try
        {
            await onLink(peer);
        }
        catch (Exception)
        {
            // The test decides what the raw peer does; its failures are not the point.
        }
    }
}
