using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Tessera.Distributed.Comm;

/// <summary>The <c>tcp://host:port</c> transport: sockets with Nagle off, System.IO.Pipelines over a <see cref="NetworkStream"/>.</summary>
internal sealed class TcpTransport : ITransport
{
    public static readonly TcpTransport Instance = new();

    private const int Backlog = 512;
    private const int PipeBufferSize = 64 * 1024;

    private TcpTransport()
    {
    }

    public string Scheme => "tcp";

    public async Task<IListener> ListenAsync(string address, CommOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string host, int port) = Parse(address);
        IPAddress ip = host switch
        {
            "" or "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out IPAddress? parsed) => parsed,
            _ => await ResolveAsync(address, host, cancellationToken).ConfigureAwait(false),
        };

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(ip, port));
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"Cannot listen on {address}: {e.Message}.", e);
        }

        return new Listener(socket, Format(socket.LocalEndPoint), options);
    }

    public async Task<IConnection> ConnectAsync(string address, CommOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string host, int port) = Parse(address);
        long started = Environment.TickCount64;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new CommClosedException(
                    $"Could not connect to {address} within {options.ConnectTimeout.TotalSeconds:0.###} s (CommOptions.ConnectTimeout).",
                    new TimeoutException(e.Message, e));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new CommClosedException($"Could not connect to {address}: {e.Message}.", e);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        var connection = new Connection(socket, options);
        TimeSpan left = options.ConnectTimeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        try
        {
            await connection.HandshakeAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    internal static (string Host, int Port) Parse(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        const string prefix = "tcp://";
        if (!address.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{address}' is not a tcp:// address.", nameof(address));
        }

        ReadOnlySpan<char> rest = address.AsSpan(prefix.Length);
        int colon = rest.LastIndexOf(':');
        int closeBracket = rest.LastIndexOf(']');
        if (colon < 0 || colon < closeBracket || !int.TryParse(rest[(colon + 1)..], out int port) || port is < 0 or > 65535)
        {
            throw new ArgumentException($"The address '{address}' needs a port between 0 and 65535, as in tcp://127.0.0.1:8786.", nameof(address));
        }

        ReadOnlySpan<char> host = rest[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host.ToString(), port);
    }

    internal static string Format(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return $"tcp://{endPoint}";
        }

        IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"tcp://[{address}]:{ip.Port}"
            : $"tcp://{address}:{ip.Port}";
    }

    private static async Task<IPAddress> ResolveAsync(string address, string host, CancellationToken cancellationToken)
    {
        IPAddress[] candidates;
        try
        {
            candidates = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"Cannot listen on {address}: {e.Message}.", e);
        }

        return candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? candidates.FirstOrDefault()
            ?? throw new IOException($"Cannot listen on {address}: the host name has no addresses.");
    }

    private sealed class Connection : FramedConnection
    {
        private readonly Socket _socket;

        public Connection(Socket socket, CommOptions options)
            : this(socket, new NetworkStream(socket, ownsSocket: false), options)
        {
        }

        private Connection(Socket socket, NetworkStream stream, CommOptions options)
            : base(
                PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferSize, minimumReadSize: 4096, leaveOpen: true)),
                PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: PipeBufferSize, leaveOpen: true)),
                stream,
                Format(socket.LocalEndPoint),
                Format(socket.RemoteEndPoint),
                options)
        {
            _socket = socket;
        }

        protected override void CloseSend()
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already reset or closed.
            }
        }

        protected override void Abort() => _socket.Dispose();
    }

    private sealed class Listener : HandshakingListener
    {
        private readonly Socket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _acceptLoop;

        public Listener(Socket socket, string address, CommOptions options)
            : base(address, options)
        {
            _socket = socket;
            _acceptLoop = AcceptLoopAsync();
        }

        protected override async ValueTask StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            _socket.Dispose();
            await _acceptLoop.ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    // A connection reset before it was accepted, or file descriptors ran out: try again shortly.
                    await Task.Delay(10).ConfigureAwait(false);
                    continue;
                }

                Connection connection;
                try
                {
                    accepted.NoDelay = true;
                    connection = new Connection(accepted, Options);
                }
                catch (SocketException)
                {
                    accepted.Dispose();
                    continue;
                }

                Offer(connection);
            }
        }
    }
}
