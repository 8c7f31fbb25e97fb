using System.IO.Pipelines;
using Tessera.Distributed.Comm;

namespace Tessera.Distributed.Tests.Comm;

public sealed class InProcTransportTests : TransportContractTests
{
    protected override ITransport Transport => Transports.InProc;

    protected override string ListenAddress => "inproc://";

    protected override string UnusedAddress() => $"inproc://nobody-{Guid.NewGuid():N}";

    protected override Task<RawServer> StartRawServerAsync(Func<RawPeer, Task> onLink)
    {
        string address = $"inproc://raw-{Guid.NewGuid():N}";
        var endpoint = new RawEndpoint(onLink);
        IDisposable registration = InProcTransport.Register(address, endpoint);
        return Task.FromResult(new RawServer(address, async () =>
        {
            registration.Dispose();
            foreach (RawPeer peer in endpoint.Peers)
            {
                await peer.DisposeAsync();
            }
        }));
    }

    protected override Task<RawPeer> ConnectRawAsync(string address) =>
        Task.FromResult(Wrap(InProcTransport.ConnectRaw(address, out _)));

    [Fact(Timeout = 10_000)]
    public async Task ListenAsync_NamedAddress_IsUsedAsIs()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string address = $"inproc://scheduler-{Guid.NewGuid():N}";
        await using IListener listener = await Transport.ListenAsync(address, CommOptions.Default, ct);
        Assert.Equal(address, listener.Address);
    }

    private static RawPeer Wrap(IDuplexPipe pipe)
    {
        Stream input = pipe.Input.AsStream();
        Stream output = pipe.Output.AsStream();
        return new RawPeer(input, output, async () =>
        {
            await input.DisposeAsync();
            await output.DisposeAsync();
        });
    }

    private sealed class RawEndpoint(Func<RawPeer, Task> onLink) : InProcTransport.IEndpoint
    {
        private readonly List<RawPeer> _peers = [];

        public RawPeer[] Peers
        {
            get
            {
                lock (_peers)
                {
                    return [.. _peers];
                }
            }
        }

        public void Accept(IDuplexPipe serverSide, string clientAddress)
        {
            RawPeer peer = Wrap(serverSide);
            lock (_peers)
            {
                _peers.Add(peer);
            }

            _ = RunAsync(peer);
        }

        private async Task RunAsync(RawPeer peer)
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
}
