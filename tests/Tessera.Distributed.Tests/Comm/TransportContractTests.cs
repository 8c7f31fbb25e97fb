using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using CsCheck;
using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests.Comm;

/// <summary>The contract every transport satisfies; derive once per transport.</summary>
public abstract class TransportContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract ITransport Transport { get; }

    /// <summary>An address to listen on that picks a free port or name.</summary>
    protected abstract string ListenAddress { get; }

    /// <summary>An address nothing listens on.</summary>
    protected abstract string UnusedAddress();

    /// <summary>Starts a server that is not Tessera: it runs <paramref name="onLink"/> for each link.</summary>
    protected abstract Task<RawServer> StartRawServerAsync(Func<RawPeer, Task> onLink);

    /// <summary>Opens a link to <paramref name="address"/> that skips the handshake.</summary>
    protected abstract Task<RawPeer> ConnectRawAsync(string address);

    [Fact(Timeout = 10_000)]
    public async Task SendReceive_HeaderOnly_ArrivesIntact()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        byte[] header = Encoding.UTF8.GetBytes("{op: 'compute-task'}");
        await p.Client.SendAsync(new OutgoingMessage(header), ct);
        IncomingMessage m = await p.Server.ReceiveAsync(ct);
        Assert.Equal(header, m.Header.ToArray());
        Assert.Empty(m.Buffers);
    }

    [Fact(Timeout = 10_000)]
    public async Task SendReceive_HeaderAndBuffers_ArriveIntactBothWays()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        byte[][] buffers = [[], Bytes(1, 7), Bytes(2, 100_000), [], Bytes(3, 65_536), Bytes(4, 3)];
        var sent = new OutgoingMessage(Bytes(5, 40), [.. buffers.Select(b => (ReadOnlyMemory<byte>)b)]);
        await p.Client.SendAsync(sent, ct);
        AssertSame(sent, await p.Server.ReceiveAsync(ct));

        var empty = new OutgoingMessage(ReadOnlyMemory<byte>.Empty, [ReadOnlyMemory<byte>.Empty]);
        await p.Server.SendAsync(empty, ct);
        AssertSame(empty, await p.Client.ReceiveAsync(ct));
    }

    [Fact(Timeout = 20_000)]
    public async Task SendReceive_64MiBBuffer_ArrivesIntact()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        byte[] big = Bytes(6, 64 * 1024 * 1024);
        var sent = new OutgoingMessage(Bytes(7, 10), [Bytes(8, 10), big, Bytes(9, 10)]);
        Task send = p.Client.SendAsync(sent, ct).AsTask();
        IncomingMessage m = await p.Server.ReceiveAsync(ct);
        await send;
        Assert.Equal(3, m.Buffers.Count);
        Assert.True(big.AsSpan().SequenceEqual(m.Buffers[1].Span), "the 64 MiB buffer differs");
        AssertSame(sent, m);
    }

    [Fact(Timeout = 20_000)]
    public async Task SendReceive_RandomSequences_ArriveIntactAndInOrder()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        Gen<byte[]> buffer = Gen.Int[0, 19].SelectMany(k => k == 0 ? Gen.Byte.Array[64 * 1024, 150_000] : Gen.Byte.Array[0, 2_000]);
        Gen<(byte[] Header, byte[][] Buffers)> message = Gen.Select(Gen.Byte.Array[0, 300], buffer.Array[0, 4]);
        await message.Array[0, 40].SampleAsync(
            async messages =>
            {
                // Queue them all before waiting, so the writer coalesces them into few flushes.
                var sends = new List<Task>();
                var sent = new List<OutgoingMessage>();
                foreach ((byte[] header, byte[][] buffers) in messages)
                {
                    var m = new OutgoingMessage(header, [.. buffers.Select(b => (ReadOnlyMemory<byte>)b)]);
                    sent.Add(m);
                    sends.Add(p.Client.SendAsync(m, ct).AsTask());
                }

                foreach (OutgoingMessage expected in sent)
                {
                    AssertSame(expected, await p.Server.ReceiveAsync(ct));
                }

                await Task.WhenAll(sends);
            },
            iter: 60,
            threads: 1);
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_ConcurrentSenders_AllArriveInEachSendersOrder()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Senders = 4;
        const int PerSender = 500;
        await using Pair p = await ConnectPairAsync();
        Task[] senders = [.. Enumerable.Range(0, Senders).Select(s => Task.Run(
            async () =>
            {
                for (int i = 0; i < PerSender; i++)
                {
                    byte[] header = new byte[8];
                    BinaryPrimitives.WriteInt32LittleEndian(header, s);
                    BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), i);
                    await p.Client.SendAsync(new OutgoingMessage(header, i % 50 == 0 ? [Bytes(i, 70_000)] : null), ct);
                }
            },
            ct))];

        int[] next = new int[Senders];
        for (int n = 0; n < Senders * PerSender; n++)
        {
            IncomingMessage m = await p.Server.ReceiveAsync(ct);
            int s = BinaryPrimitives.ReadInt32LittleEndian(m.Header.Span);
            int i = BinaryPrimitives.ReadInt32LittleEndian(m.Header.Span[4..]);
            Assert.Equal(next[s]++, i);
            if (i % 50 == 0)
            {
                Assert.Equal(Bytes(i, 70_000), m.Buffers[0].ToArray());
            }
        }

        await Task.WhenAll(senders);
        Assert.All(next, count => Assert.Equal(PerSender, count));
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_OnIdleLinkAndAsReply_WritesOnTheCallersThread()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        for (int i = 0; i < 20; i++)
        {
            // Request/response, the latency-critical pattern: neither send may wait for a thread hop.
            ValueTask request = p.Client.SendAsync(new OutgoingMessage(new byte[16]), ct);
            Assert.True(request.IsCompletedSuccessfully, $"round {i}: the request was not written inline");
            await request;
            await p.Server.ReceiveAsync(ct);
            ValueTask reply = p.Server.SendAsync(new OutgoingMessage(new byte[16]), ct);
            Assert.True(reply.IsCompletedSuccessfully, $"round {i}: the reply was not written inline");
            await reply;
            await p.Client.ReceiveAsync(ct);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_ManyQueuedAtOnce_CoalescesIntoFewerFlushes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Count = 2_000;
        await using Pair p = await ConnectPairAsync();
        Task receive = Task.Run(
            async () =>
            {
                for (int i = 0; i < Count; i++)
                {
                    IncomingMessage m = await p.Server.ReceiveAsync(ct);
                    Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(m.Header.Span));
                }
            },
            ct);
        var sends = new Task[Count];
        for (int i = 0; i < Count; i++)
        {
            byte[] header = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, i);
            sends[i] = p.Client.SendAsync(new OutgoingMessage(header), ct).AsTask();
        }

        await Task.WhenAll(sends);
        await receive;
        var client = (FramedConnection)p.Client;
        Assert.Equal(Count, client.MessagesWritten);
        Assert.True(client.Flushes < Count, $"{Count} messages took {client.Flushes} flushes");
    }

    [Fact(Timeout = 10_000)]
    public async Task Post_ManyMessages_ArriveInOrderInFewFlushes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Count = 1_000;
        await using Pair p = await ConnectPairAsync(client: new CommOptions { BatchWindow = TimeSpan.FromMilliseconds(200) });
        for (int i = 0; i < Count; i++)
        {
            p.Client.Post(new OutgoingMessage(BitConverter.GetBytes(i)));
        }

        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32((await p.Server.ReceiveAsync(ct)).Header.Span));
        }

        Assert.True(((FramedConnection)p.Client).Flushes <= 3, $"{Count} posted messages took {((FramedConnection)p.Client).Flushes} flushes");
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Client.Post(new OutgoingMessage(new byte[CommOptions.Default.MaxHeaderSize + 1])));
    }

    [Fact(Timeout = 10_000)]
    public async Task PostMany_ArriveInOrderInOneFlush_AndAnOversizedOneRefusesTheBatch()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Count = 500;
        await using Pair p = await ConnectPairAsync();
        var client = (FramedConnection)p.Client;
        OutgoingMessage[] tooLarge = [new(BitConverter.GetBytes(-1)), new(new byte[CommOptions.Default.MaxHeaderSize + 1])];
        Assert.Throws<ArgumentOutOfRangeException>(() => client.PostMany(tooLarge));

        long flushes = client.Flushes;
        client.PostMany([.. Enumerable.Range(0, Count).Select(i => new OutgoingMessage(BitConverter.GetBytes(i)))]);
        for (int i = 0; i < Count; i++)
        {
            // Nothing of the refused batch went out: the first message is 0, not -1.
            Assert.Equal(i, BitConverter.ToInt32((await p.Server.ReceiveAsync(ct)).Header.Span));
        }

        Assert.Equal(1, client.Flushes - flushes);
        Assert.Equal(Count, client.MessagesWritten);
    }

    [Fact(Timeout = 10_000)]
    public async Task Post_AfterPeerDisposed_EventuallyThrowsCommClosed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        await p.Server.DisposeAsync();
        await Assert.ThrowsAsync<CommClosedException>(async () =>
        {
            while (true)
            {
                p.Client.Post(new OutgoingMessage(new byte[1024]));
                await Task.Delay(5, ct);
            }
        });
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_WithBatchWindow_IdleLinkSendsAtOnceAndBurstWaitsForTheWindow()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync(client: new CommOptions { BatchWindow = TimeSpan.FromSeconds(3) });
        var clock = Stopwatch.StartNew();
        await p.Client.SendAsync(new OutgoingMessage(new byte[] { 0 }), ct);
        await p.Server.ReceiveAsync(ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the first message on an idle link took {clock.Elapsed}");

        var sends = new List<Task>();
        for (byte i = 1; i <= 50; i++)
        {
            sends.Add(p.Client.SendAsync(new OutgoingMessage(new[] { i }), ct).AsTask());
        }

        // The burst is held back by the window; a cancelled wait leaves the connection usable.
        using (var probe = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            probe.CancelAfter(200);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await p.Server.ReceiveAsync(probe.Token));
        }

        // Closing flushes at once instead of waiting out the window.
        await p.Client.DisposeAsync();
        for (byte i = 1; i <= 50; i++)
        {
            Assert.Equal(i, (await p.Server.ReceiveAsync(ct)).Header.Span[0]);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the burst waited for the window although the link was closing ({clock.Elapsed})");
        await Task.WhenAll(sends);
        Assert.Equal(2, ((FramedConnection)p.Client).Flushes);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReceiveAsync_PeerDisposes_ThrowsCommClosedNamingPeer()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        ValueTask<IncomingMessage> pending = p.Server.ReceiveAsync(ct);
        await p.Client.DisposeAsync();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await pending);
        Assert.Contains(p.Server.RemoteAddress, e.Message, StringComparison.Ordinal);
        Assert.Contains("closed by the peer", e.Message, StringComparison.Ordinal);

        // Every later call fails the same way.
        await Assert.ThrowsAsync<CommClosedException>(async () => await p.Server.ReceiveAsync(ct));
        await Assert.ThrowsAsync<CommClosedException>(async () => await p.Server.SendAsync(new OutgoingMessage(new byte[1]), ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_AfterPeerDisposed_EventuallyThrowsCommClosed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        await p.Server.DisposeAsync();
        await Assert.ThrowsAsync<CommClosedException>(async () =>
        {
            while (true)
            {
                await p.Client.SendAsync(new OutgoingMessage(new byte[1024]), ct);
                await Task.Delay(5, ct);
            }
        });
    }

    [Fact(Timeout = 10_000)]
    public async Task DisposeAsync_PendingReceiveAndLaterCalls_ThrowCommClosed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        ValueTask<IncomingMessage> pending = p.Client.ReceiveAsync(ct);
        await p.Client.DisposeAsync();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await pending);
        Assert.Contains("closed by this side", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CommClosedException>(async () => await p.Client.SendAsync(new OutgoingMessage(new byte[1]), ct));
        await Assert.ThrowsAsync<CommClosedException>(async () => await p.Client.ReceiveAsync(ct));
        await p.Client.DisposeAsync();
    }

    [Fact(Timeout = 10_000)]
    public async Task DisposeAsync_WithQueuedMessages_WritesThemBeforeClosing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        var sends = new List<Task>();
        for (int i = 0; i < 200; i++)
        {
            sends.Add(p.Client.SendAsync(new OutgoingMessage(BitConverter.GetBytes(i), [Bytes(i, 1000)]), ct).AsTask());
        }

        await p.Client.DisposeAsync();
        await Task.WhenAll(sends);
        for (int i = 0; i < 200; i++)
        {
            IncomingMessage m = await p.Server.ReceiveAsync(ct);
            Assert.Equal(i, BitConverter.ToInt32(m.Header.Span));
            Assert.Equal(Bytes(i, 1000), m.Buffers[0].ToArray());
        }

        await Assert.ThrowsAsync<CommClosedException>(async () => await p.Server.ReceiveAsync(ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task DisposeAsync_PeerNotReading_GivesUpAfterConnectTimeout()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync(client: new CommOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        Task stuck = p.Client.SendAsync(new OutgoingMessage(new byte[1], [new byte[48 * 1024 * 1024]]), ct).AsTask();
        await Task.Delay(50, ct);
        Assert.False(stuck.IsCompleted, "48 MiB fit in the transport's buffers; the test needs a bigger message");

        var clock = Stopwatch.StartNew();
        await p.Client.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {clock.Elapsed}");
        await Assert.ThrowsAsync<CommClosedException>(() => stuck);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReceiveAsync_CancelledBeforeData_LeavesConnectionUsable()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            cts.CancelAfter(50);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await p.Server.ReceiveAsync(cts.Token));
        }

        await p.Client.SendAsync(new OutgoingMessage(new byte[] { 42 }), ct);
        Assert.Equal(42, (await p.Server.ReceiveAsync(ct)).Header.Span[0]);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReceiveAsync_TwoAtOnce_SecondThrowsInvalidOperation()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync();
        ValueTask<IncomingMessage> first = p.Server.ReceiveAsync(ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await p.Server.ReceiveAsync(ct));
        await p.Client.SendAsync(new OutgoingMessage(new byte[] { 1 }), ct);
        Assert.Equal(1, (await first).Header.Span[0]);
    }

    [Fact(Timeout = 10_000)]
    public async Task SendAsync_OverOwnLimit_ThrowsArgumentAndConnectionStaysUsable()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync(client: new CommOptions { MaxBufferSize = 1000, MaxHeaderSize = 100 });
        ArgumentOutOfRangeException e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await p.Client.SendAsync(new OutgoingMessage(new byte[10], [new byte[1001]]), ct));
        Assert.Contains("MaxBufferSize", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await p.Client.SendAsync(new OutgoingMessage(new byte[101]), ct));
        await p.Client.SendAsync(new OutgoingMessage(new byte[100], [new byte[1000]]), ct);
        Assert.Equal(1000, (await p.Server.ReceiveAsync(ct)).Buffers[0].Length);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("header")]
    [InlineData("buffer")]
    [InlineData("count")]
    public async Task ReceiveAsync_PeerExceedsLimit_ThrowsCommClosedNamingAddressAndLimit(string what)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var limits = new CommOptions { MaxHeaderSize = 1000, MaxBufferSize = 1000, MaxBuffersPerMessage = 3 };
        await using Pair p = await ConnectPairAsync(server: limits);
        OutgoingMessage message = what switch
        {
            "header" => new OutgoingMessage(new byte[1001]),
            "buffer" => new OutgoingMessage(new byte[1], [new byte[10], new byte[1001]]),
            _ => new OutgoingMessage(new byte[1], [new byte[1], new byte[1], new byte[1], new byte[1]]),
        };
        await p.Client.SendAsync(message, ct);
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await p.Server.ReceiveAsync(ct));
        Assert.Contains(p.Server.RemoteAddress, e.Message, StringComparison.Ordinal);
        Assert.Contains(what == "header" ? "MaxHeaderSize" : what == "buffer" ? "MaxBufferSize" : "MaxBuffersPerMessage", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task Handshake_ExchangesRolesAndAddresses()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Pair p = await ConnectPairAsync(client: new CommOptions { Role = "worker" }, server: new CommOptions { Role = "scheduler" });
        Assert.Equal("scheduler", p.Client.RemoteRole);
        Assert.Equal("worker", p.Server.RemoteRole);
        Assert.Equal(p.Listener.Address, p.Client.RemoteAddress);
        Assert.Equal(p.Client.LocalAddress, p.Server.RemoteAddress);
        Assert.StartsWith(Transport.Scheme + "://", p.Listener.Address, StringComparison.Ordinal);
        Assert.NotEqual(ListenAddress, p.Listener.Address);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_NothingListening_FailsFastNamingAddress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string address = UnusedAddress();
        var clock = Stopwatch.StartNew();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(address, CommOptions.Default, ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains(address, e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_VersionMismatch_RefusedOnBothSidesNamingBothVersions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        ProtocolMismatchException client = await Assert.ThrowsAsync<ProtocolMismatchException>(
            () => Transport.ConnectAsync(listener.Address, new CommOptions { ProtocolVersion = 2 }, ct));
        ProtocolMismatchException server = await Assert.ThrowsAsync<ProtocolMismatchException>(async () => await listener.AcceptAsync(ct));

        Assert.Equal((2, 1), (client.LocalVersion, client.RemoteVersion));
        Assert.Equal((1, 2), (server.LocalVersion, server.RemoteVersion));
        foreach (ProtocolMismatchException e in new[] { client, server })
        {
            Assert.Contains("version 1", e.Message, StringComparison.Ordinal);
            Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(listener.Address, client.RemoteAddress);
        Assert.IsAssignableFrom<TesseraException>(client);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_OtherProtocolName_Refused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        ProtocolMismatchException e = await Assert.ThrowsAsync<ProtocolMismatchException>(
            () => Transport.ConnectAsync(listener.Address, new CommOptions { ProtocolName = "dask" }, ct));
        Assert.Equal("tessera", e.RemoteProtocol);
        await Assert.ThrowsAsync<ProtocolMismatchException>(async () => await listener.AcceptAsync(ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_ServerSendsGarbage_FailsFastNamingAddress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawServer server = await StartRawServerAsync(async peer =>
        {
            await peer.Output.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), ct);
            await peer.Output.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, peer.Closed);
        });
        var clock = Stopwatch.StartNew();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(server.Address, CommOptions.Default, ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a Tessera endpoint", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_ServerClosesAtOnce_FailsNamingAddress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawServer server = await StartRawServerAsync(peer => peer.DisposeAsync().AsTask());
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(server.Address, CommOptions.Default, ct));
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConnectAsync_ServerSilent_TimesOutNamingAddress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RawServer server = await StartRawServerAsync(peer => Task.Delay(Timeout.Infinite, peer.Closed));
        var options = new CommOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(server.Address, options, ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task AcceptAsync_ClientSendsGarbage_ThrowsCommClosedAndListenerKeepsWorking()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        await using RawPeer garbage = await ConnectRawAsync(listener.Address);
        await garbage.Output.WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), ct);
        await garbage.Output.FlushAsync(ct);
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await listener.AcceptAsync(ct));
        Assert.Contains("not a Tessera endpoint", e.Message, StringComparison.Ordinal);

        Task<IConnection> connect = Transport.ConnectAsync(listener.Address, CommOptions.Default, ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        await using IConnection client = await connect;
        await client.SendAsync(new OutgoingMessage(new byte[] { 7 }), ct);
        Assert.Equal(7, (await server.ReceiveAsync(ct)).Header.Span[0]);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReceiveAsync_GarbageAfterHandshake_ThrowsCommClosedWithoutHanging()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        await using RawPeer raw = await ConnectRawAsync(listener.Address);
        await raw.Output.WriteAsync(Handshake.Encode("tessera", 1, "raw"), ct);
        await raw.Output.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0 }, ct);
        await raw.Output.FlushAsync(ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        Assert.Equal("raw", server.RemoteRole);
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await server.ReceiveAsync(ct));
        Assert.Contains("MaxHeaderSize", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.RemoteAddress, e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReceiveAsync_PeerClosesMidMessage_ThrowsCommClosed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        RawPeer raw = await ConnectRawAsync(listener.Address);
        await raw.Output.WriteAsync(Handshake.Encode("tessera", 1, "raw"), ct);
        byte[] truncated = new byte[12 + 3 + 100];
        BinaryPrimitives.WriteUInt32LittleEndian(truncated, 3);
        BinaryPrimitives.WriteUInt32LittleEndian(truncated.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(truncated.AsSpan(8), 1_000_000);
        await raw.Output.WriteAsync(truncated, ct);
        await raw.Output.FlushAsync(ct);
        await using IConnection server = await listener.AcceptAsync(ct);
        await raw.DisposeAsync();
        CommClosedException e = await Assert.ThrowsAsync<CommClosedException>(async () => await server.ReceiveAsync(ct));
        Assert.Contains("middle of a message", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListenAsync_SameAddressTwice_ThrowsIOException()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using IListener first = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        IOException e = await Assert.ThrowsAsync<IOException>(() => Transport.ListenAsync(first.Address, CommOptions.Default, ct));
        Assert.Contains(first.Address, e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListenerDisposeAsync_PendingAcceptThrowsAndAddressIsFreed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IListener listener = await Transport.ListenAsync(ListenAddress, CommOptions.Default, ct);
        ValueTask<IConnection> pending = listener.AcceptAsync(ct);
        await listener.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending);
        await Assert.ThrowsAsync<CommClosedException>(() => Transport.ConnectAsync(listener.Address, CommOptions.Default, ct));
    }

    protected static byte[] Bytes(int seed, int length)
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(length);
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static void AssertSame(OutgoingMessage expected, IncomingMessage actual)
    {
        Assert.Equal(expected.Header.ToArray(), actual.Header.ToArray());
        Assert.Equal(expected.Buffers.Count, actual.Buffers.Count);
        for (int i = 0; i < expected.Buffers.Count; i++)
        {
            Assert.True(expected.Buffers[i].Span.SequenceEqual(actual.Buffers[i].Span), $"buffer {i} differs");
        }
    }

    protected async Task<Pair> ConnectPairAsync(CommOptions? client = null, CommOptions? server = null)
    {
        IListener listener = await Transport.ListenAsync(ListenAddress, server ?? CommOptions.Default, Ct);
        Task<IConnection> connect = Transport.ConnectAsync(listener.Address, client ?? CommOptions.Default, Ct);
        IConnection accepted = await listener.AcceptAsync(Ct);
        return new Pair(listener, await connect, accepted);
    }

    protected sealed record Pair(IListener Listener, IConnection Client, IConnection Server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            await Listener.DisposeAsync();
        }
    }

    /// <summary>One end of a link that is not Tessera.</summary>
    protected sealed class RawPeer(Stream input, Stream output, Func<ValueTask> close) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _closed = new();

        public Stream Input { get; } = input;

        public Stream Output { get; } = output;

        public CancellationToken Closed => _closed.Token;

        public async ValueTask DisposeAsync()
        {
            if (!_closed.IsCancellationRequested)
            {
                await _closed.CancelAsync();
                await close();
            }
        }
    }

    /// <summary>A server that is not Tessera.</summary>
    protected sealed class RawServer(string address, Func<ValueTask> stop) : IAsyncDisposable
    {
        public string Address { get; } = address;

        public ValueTask DisposeAsync() => stop();
    }
}
