using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Tessera.Distributed.Tests.Hosts;

/// <summary>
/// A TCP proxy that forwards every byte to a target after a fixed delay, in order, in both directions: a
/// slow network for tests (this kernel has no netem). Each chunk read is written once its delay has passed,
/// so the delay adds latency without limiting throughput.
/// </summary>
internal sealed class DelayingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;

    private DelayingProxy(IPEndPoint target, TimeSpan delay)
    {
        _target = target;
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Gets the proxy's address, in the scheduler's tcp://host:port form.</summary>
    public string Address => $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Starts a proxy in front of <paramref name="target"/> (tcp://host:port) that delays each direction by <paramref name="delay"/>.</summary>
    public static DelayingProxy Start(string target, TimeSpan delay)
    {
        var uri = new Uri(target);
        return new DelayingProxy(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port), delay);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps, _accepting];
        }

        await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket inbound = await _listener.AcceptSocketAsync(_stop.Token);
                var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                inbound.NoDelay = true;
                await outbound.ConnectAsync(_target, _stop.Token);
                lock (_pumps)
                {
                    _pumps.Add(PumpAsync(inbound, outbound));
                    _pumps.Add(PumpAsync(outbound, inbound));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    // Reads chunks as they come, stamped with the time they are due, and writes each at its time.
    private async Task PumpAsync(Socket from, Socket to)
    {
        var due = Channel.CreateUnbounded<(long Due, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task writer = WriteWhenDueAsync(due.Reader, to);
        try
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await from.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                due.Writer.TryWrite((Environment.TickCount64 + (long)_delay.TotalMilliseconds, buffer[..read]));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            due.Writer.TryComplete();
            await writer;
            from.Dispose();
        }
    }

    private async Task WriteWhenDueAsync(ChannelReader<(long Due, byte[] Bytes)> chunks, Socket to)
    {
        try
        {
            await foreach ((long when, byte[] bytes) in chunks.ReadAllAsync(_stop.Token))
            {
                long wait = when - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }

                await to.SendAsync(bytes, _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
