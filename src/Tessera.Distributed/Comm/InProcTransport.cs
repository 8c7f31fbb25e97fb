using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace Tessera.Distributed.Comm;

/// <summary>
/// The <c>inproc://name</c> transport: two <see cref="Pipe"/>s per connection inside one process,
/// carrying the same frames and handshake as TCP, so it has exactly TCP's semantics (every
/// message is copied; the receiver owns what it gets) without sockets. For tests and for a
/// scheduler and workers hosted in one process.
/// </summary>
internal sealed class InProcTransport : ITransport
{
    public static readonly InProcTransport Instance = new();

    private const string Prefix = "inproc://";

    private static readonly ConcurrentDictionary<string, IEndpoint> s_endpoints = new(StringComparer.Ordinal);
    private static readonly PipeOptions s_pipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    private static long s_counter;

    private InProcTransport()
    {
    }

    /// <summary>Something that takes the server side of new in-process links.</summary>
    internal interface IEndpoint
    {
        void Accept(IDuplexPipe serverSide, string clientAddress);
    }

    public string Scheme => "inproc";

    public Task<IListener> ListenAsync(string address, CommOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string name = Parse(address);
        if (name.Length == 0)
        {
            name = $"{Environment.ProcessId}/{Interlocked.Increment(ref s_counter)}";
        }

        var listener = new Listener(Prefix + name, options);
        listener.Attach(Register(listener.Address, listener));
        return Task.FromResult<IListener>(listener);
    }

    public async Task<IConnection> ConnectAsync(string address, CommOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        IDuplexPipe clientSide = ConnectRaw(address, out string clientAddress);
        var connection = new Connection(clientSide, clientAddress, Prefix + Parse(address), options);
        try
        {
            await connection.HandshakeAsync(options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>Makes <paramref name="endpoint"/> take the links made to <paramref name="address"/>.</summary>
    /// <returns>A registration that frees the address when disposed.</returns>
    internal static IDisposable Register(string address, IEndpoint endpoint)
    {
        string key = Prefix + Parse(address);
        if (!s_endpoints.TryAdd(key, endpoint))
        {
            throw new IOException($"Cannot listen on {key}: another listener in this process has that name.");
        }

        return new Registration(key, endpoint);
    }

    /// <summary>Opens a raw link to an endpoint, with no handshake; the endpoint gets the other side.</summary>
    internal static IDuplexPipe ConnectRaw(string address, out string clientAddress)
    {
        string key = Prefix + Parse(address);
        if (!s_endpoints.TryGetValue(key, out IEndpoint? endpoint))
        {
            throw new CommClosedException($"Could not connect to {key}: nothing in this process listens there.");
        }

        var toServer = new Pipe(s_pipeOptions);
        var toClient = new Pipe(s_pipeOptions);
        clientAddress = $"{key}#{Interlocked.Increment(ref s_counter)}";
        endpoint.Accept(new DuplexPipe(toServer.Reader, toClient.Writer), clientAddress);
        return new DuplexPipe(toClient.Reader, toServer.Writer);
    }

    private static string Parse(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (!address.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{address}' is not an inproc:// address.", nameof(address));
        }

        return address[Prefix.Length..];
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class Registration(string key, IEndpoint endpoint) : IDisposable
    {
        public void Dispose() => s_endpoints.TryRemove(new KeyValuePair<string, IEndpoint>(key, endpoint));
    }

    private sealed class Connection(IDuplexPipe pipe, string localAddress, string remoteAddress, CommOptions options)
        : FramedConnection(pipe.Input, pipe.Output, stream: null, localAddress, remoteAddress, options)
    {
        private readonly PipeReader _input = pipe.Input;
        private readonly PipeWriter _output = pipe.Output;

        // Completing the output (done by the base class) is what the peer sees as the end of the stream.
        protected override void CloseSend()
        {
        }

        protected override void Abort()
        {
            try
            {
                _output.CancelPendingFlush();
                _input.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
                // Already completed.
            }
        }
    }

    private sealed class Listener : HandshakingListener, IEndpoint
    {
        private IDisposable? _registration;

        public Listener(string address, CommOptions options)
            : base(address, options)
        {
        }

        public void Accept(IDuplexPipe serverSide, string clientAddress) =>
            Offer(new Connection(serverSide, Address, clientAddress, Options));

        internal void Attach(IDisposable registration) => _registration = registration;

        protected override ValueTask StopAsync()
        {
            _registration?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
